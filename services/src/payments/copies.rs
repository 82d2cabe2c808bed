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

use std::time::Duration;

use domain::{Aggregate as _, Order, OrderCopy, OrderId};
use eventlog::{EventLog as _, RecordedEvent};
use projections::ReadModels;

use crate::infra::{CopyStore, Handled, Log, ServiceError};

/// The sled tree holding the copies (key: the order's UUID bytes; value: JSON).
const TREE: &str = "order_copies";

/// The order copies of one payments process. Cheap to clone.
#[derive(Clone, Debug)]
pub struct OrderCopies {
    store: CopyStore<OrderCopy>,
}

impl OrderCopies {
    /// The copies kept in `models` (payments' own sled database).
    pub fn open(models: &ReadModels) -> Result<Self, ServiceError> {
        Ok(Self {
            store: CopyStore::open(models, TREE)?,
        })
    }

    /// The copy of `order_id`, if any event of it arrived.
    pub fn get(&self, order_id: OrderId) -> Result<Option<OrderCopy>, ServiceError> {
        self.store.get(order_id)
    }

    /// The copy of `order_id` once it shows every event the log holds for the order, or
    /// as it is when `timeout` passes (an empty copy for an order never heard of).
    pub async fn caught_up(
        &self,
        log: &Log,
        order_id: OrderId,
        timeout: Duration,
    ) -> Result<OrderCopy, ServiceError> {
        let mut changed = self.store.changes();
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
        self.store.apply(event).await
    }
}
