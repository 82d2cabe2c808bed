//! Payments' copies of orders (sled tree `order_copies`), fed by the `payments-orders`
//! consumer: owner, price and status, which is all a payment is authorised on. A copy
//! applies only the next revision of its order (spec section 3).
//!
//! A request to pay waits (bounded) for its copy to catch up with the revision the log
//! reports for `order-{id}`: a buyer who just placed or cancelled an order is then judged
//! on that order, not on a copy a moment behind. The log's revision is only a hint of
//! how long to wait; the decision is always made on the copy. Where the log does not
//! hold the order streams (a service with its own log) the hint is absent and the wait
//! lasts until the copy exists or the bound passes. A payment that still slips past a
//! cancellation is refused by orders and refunded (see `refunds`).

use std::sync::Arc;
use std::time::Duration;

use domain::{Aggregate as _, Arrival, DomainEvent, Order, OrderCopy, OrderEvent, OrderId};
use eventlog::{EventLog as _, RecordedEvent};
use projections::ReadModels;
use tokio::sync::watch;

use crate::infra::{Handled, Log, ServiceError};

/// The sled tree holding the copies (key: the order's UUID bytes; value: JSON).
const TREE: &str = "order_copies";

/// How long an early event waits for its predecessor before it is delivered again.
const EARLY_DELAY: Duration = Duration::from_millis(200);

/// The order copies of one payments process. Cheap to clone.
#[derive(Clone)]
pub struct OrderCopies {
    tree: sled::Tree,
    /// Bumped after every stored change, so requests can wait for a copy to catch up.
    changed: Arc<watch::Sender<u64>>,
}

impl std::fmt::Debug for OrderCopies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderCopies").finish_non_exhaustive()
    }
}

impl OrderCopies {
    /// The copies kept in `models` (payments' own sled database).
    pub fn open(models: &ReadModels) -> Result<Self, ServiceError> {
        Ok(Self {
            tree: models.tree(TREE)?,
            changed: Arc::new(watch::channel(0).0),
        })
    }

    /// The copy of `order_id`, if any event of it arrived.
    pub fn get(&self, order_id: OrderId) -> Result<Option<OrderCopy>, ServiceError> {
        match self.tree.get(order_id.as_uuid().as_bytes())? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| ServiceError::Store(format!("order copy {order_id}: {e}"))),
        }
    }

    /// The copy of `order_id` once it shows every event the log holds for the order, or
    /// as it is when `timeout` passes (an empty copy for an order never heard of).
    pub async fn caught_up(
        &self,
        log: &Log,
        order_id: OrderId,
        timeout: Duration,
    ) -> Result<OrderCopy, ServiceError> {
        let mut changed = self.changed.subscribe();
        let target = log.stream_revision(&Order::stream_name(order_id)).await?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let copy = self
                .get(order_id)?
                .unwrap_or_else(|| OrderCopy::new(order_id));
            let done = match target {
                Some(revision) => copy.version.is_some_and(|version| version >= revision),
                None => copy.exists(),
            };
            if done {
                return Ok(copy);
            }
            match tokio::time::timeout_at(deadline, changed.changed()).await {
                Ok(Ok(())) => continue,
                _ => return Ok(copy),
            }
        }
    }

    /// Applies one event of an `order-{id}` stream if it is the next one, and stores the
    /// copy durably (flushed) before saying `Done`.
    pub async fn apply(&self, event: &RecordedEvent) -> Result<Handled, ServiceError> {
        let Some(order_id) =
            domain::split_stream_name(&event.stream).and_then(|(_, id)| id.parse::<OrderId>().ok())
        else {
            return Ok(Handled::Poison(format!(
                "not an order stream: {}",
                event.stream
            )));
        };
        let decoded = match OrderEvent::decode(&event.event_type, &event.data) {
            Ok(decoded) => decoded,
            Err(error) => return Ok(Handled::Poison(error.to_string())),
        };
        let mut copy = self
            .get(order_id)?
            .unwrap_or_else(|| OrderCopy::new(order_id));
        match copy.apply(event.revision, &decoded) {
            Arrival::Duplicate => Ok(Handled::Done),
            Arrival::Early => Ok(Handled::Later {
                delay: EARLY_DELAY,
                reason: format!(
                    "{} revision {} arrived before revision {}",
                    event.stream,
                    event.revision,
                    copy.expected_next()
                ),
            }),
            Arrival::Next => {
                let bytes = serde_json::to_vec(&copy)
                    .map_err(|e| ServiceError::Store(format!("order copy {order_id}: {e}")))?;
                self.tree.insert(order_id.as_uuid().as_bytes(), bytes)?;
                // Acknowledged means stored: sled is durable only after a flush.
                crate::infra::flush_durably(&self.tree).await?;
                self.changed.send_modify(|n| *n = n.wrapping_add(1));
                Ok(Handled::Done)
            }
        }
    }
}
