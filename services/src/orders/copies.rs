//! Orders' copies of tickets (sled tree `ticket_copies`), fed by the `orders-tickets`
//! consumer: what an order shows of its ticket (title, price) and the price a new order
//! records. A copy applies only the next revision of its ticket (spec section 3).

use std::sync::Arc;
use std::time::Duration;

use domain::{Arrival, DomainEvent, TicketCopy, TicketEvent, TicketId};
use eventlog::RecordedEvent;
use projections::ReadModels;
use tokio::sync::watch;

use super::events::stream_id;
use crate::infra::{Handled, ServiceError};

/// The sled tree holding the copies (key: the ticket's UUID bytes; value: JSON).
const TREE: &str = "ticket_copies";

/// How long an early event waits for its predecessor before it is delivered again.
const EARLY_DELAY: Duration = Duration::from_millis(200);

/// The ticket copies of one orders process. Cheap to clone.
#[derive(Clone)]
pub struct TicketCopies {
    tree: sled::Tree,
    /// Bumped after every stored change, so requests can wait for a copy to arrive.
    changed: Arc<watch::Sender<u64>>,
}

impl std::fmt::Debug for TicketCopies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketCopies").finish_non_exhaustive()
    }
}

impl TicketCopies {
    /// The copies kept in `models` (orders' own sled database).
    pub fn open(models: &ReadModels) -> Result<Self, ServiceError> {
        Ok(Self {
            tree: models.tree(TREE)?,
            changed: Arc::new(watch::channel(0).0),
        })
    }

    /// The copy of `ticket_id`, if any event of it arrived.
    pub fn get(&self, ticket_id: TicketId) -> Result<Option<TicketCopy>, ServiceError> {
        match self.tree.get(ticket_id.as_uuid().as_bytes())? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| ServiceError::Store(format!("ticket copy {ticket_id}: {e}"))),
        }
    }

    /// The copy of a created ticket, waiting up to `timeout` for `TicketCreated` to
    /// arrive: a ticket created a moment ago may still be on its way through the bus.
    /// `None`: the ticket is unknown.
    pub async fn wait_for(
        &self,
        ticket_id: TicketId,
        timeout: Duration,
    ) -> Result<Option<TicketCopy>, ServiceError> {
        let mut changed = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(copy) = self.get(ticket_id)?.filter(TicketCopy::exists) {
                return Ok(Some(copy));
            }
            match tokio::time::timeout_at(deadline, changed.changed()).await {
                Ok(Ok(())) => continue,
                _ => return Ok(None),
            }
        }
    }

    /// Applies one event of a `ticket-{id}` stream if it is the next one, and stores the
    /// copy durably (flushed) before saying `Done`.
    pub async fn apply(&self, event: &RecordedEvent) -> Result<Handled, ServiceError> {
        let Some(ticket_id) = stream_id::<TicketId>(event) else {
            return Ok(Handled::Poison(format!(
                "not a ticket stream: {}",
                event.stream
            )));
        };
        let decoded = match TicketEvent::decode(&event.event_type, &event.data) {
            Ok(decoded) => decoded,
            Err(error) => return Ok(Handled::Poison(error.to_string())),
        };
        let mut copy = self
            .get(ticket_id)?
            .unwrap_or_else(|| TicketCopy::new(ticket_id));
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
                    .map_err(|e| ServiceError::Store(format!("ticket copy {ticket_id}: {e}")))?;
                self.tree.insert(ticket_id.as_uuid().as_bytes(), bytes)?;
                // Acknowledged means stored: sled is durable only after a flush.
                crate::infra::flush_durably(&self.tree).await?;
                self.changed.send_modify(|n| *n = n.wrapping_add(1));
                Ok(Handled::Done)
            }
        }
    }
}
