//! Orders' copies of tickets (sled tree `ticket_copies`), fed by the `orders-tickets`
//! consumer: what an order shows of its ticket (title, price) and the price a new order
//! records. A copy applies only the next revision of its ticket (spec section 3; the
//! mechanics are `infra::CopyStore`).

use std::time::Duration;

use domain::{TicketCopy, TicketId};
use eventlog::RecordedEvent;
use projections::ReadModels;

use crate::infra::{CopyStore, Handled, ServiceError};

/// The sled tree holding the copies (key: the ticket's UUID bytes; value: JSON).
const TREE: &str = "ticket_copies";

/// The ticket copies of one orders process. Cheap to clone.
#[derive(Clone, Debug)]
pub struct TicketCopies {
    store: CopyStore<TicketCopy>,
}

impl TicketCopies {
    /// The copies kept in `models` (orders' own sled database).
    pub fn open(models: &ReadModels) -> Result<Self, ServiceError> {
        Ok(Self {
            store: CopyStore::open(models, TREE)?,
        })
    }

    /// The copy of `ticket_id`, if any event of it arrived.
    pub fn get(&self, ticket_id: TicketId) -> Result<Option<TicketCopy>, ServiceError> {
        self.store.get(ticket_id)
    }

    /// The copy of a created ticket, waiting up to `timeout` for `TicketCreated` to
    /// arrive: a ticket created a moment ago may still be on its way through the bus.
    /// `None`: the ticket is unknown.
    pub async fn wait_for(
        &self,
        ticket_id: TicketId,
        timeout: Duration,
    ) -> Result<Option<TicketCopy>, ServiceError> {
        let mut changed = self.store.changes();
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
        self.store.apply(event).await
    }
}
