//! tickets' reaction to orders (consumer `tickets-orders` over category `order`):
//! `OrderCreated` → `TicketReserved`, `OrderCancelled` → `TicketReleased`.
//!
//! A copy of each order (sled tree `order_copies`) is kept with its revision so that
//! events apply in order: the next revision is applied, an older one is a redelivery
//! (acknowledged), a newer one waits for the missing one (retried later).
//!
//! The copy is stored only after the ticket command succeeded. A crash in between
//! redelivers the event; the command then decides nothing new (the ticket is already held
//! by, or already released from, that order) and the derived event ids would make a
//! repeated append a duplicate anyway.

use std::time::Duration;

use domain::reactions::tickets::on_order_event;
use domain::{
    Arrival, Context, DomainEvent, EventMetadata, OrderCopy, OrderEvent, OrderId, Ticket,
    TicketCommand,
};
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};

use crate::infra::{CommandError, EventIds, Handled, Log, ServiceError, execute, now};

/// Discriminator of the derived ids of events appended by this reaction.
const DISCRIMINATOR: &str = "tickets/order-reaction";
/// How soon an event that must wait (an earlier one is on its way) is tried again.
const WAIT: Duration = Duration::from_millis(200);

/// The copy of one order and where its `OrderCreated` sits in the log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredCopy {
    copy: OrderCopy,
    /// Position of `OrderCreated`: tells a stale reservation from a premature one.
    created_position: Option<u64>,
}

/// The reaction's state: the log and the order copies.
#[derive(Debug, Clone)]
pub(super) struct OrderReaction {
    log: Log,
    copies: sled::Tree,
}

impl OrderReaction {
    pub(super) fn new(log: Log, copies: sled::Tree) -> Self {
        Self { log, copies }
    }

    /// Handles one event of an `order-{id}` stream.
    pub(super) async fn handle(&self, event: RecordedEvent) -> Result<Handled, ServiceError> {
        let Some(order_id) = crate::infra::stream_id::<OrderId>(&event) else {
            return Ok(Handled::Poison(format!(
                "stream {:?} does not name an order",
                event.stream
            )));
        };
        let decoded = match OrderEvent::decode(&event.event_type, &event.data) {
            Ok(decoded) => decoded,
            Err(error) => return Ok(Handled::Poison(error.to_string())),
        };
        let trigger = match EventMetadata::from_json_bytes(&event.metadata) {
            Ok(metadata) => metadata,
            Err(error) => return Ok(Handled::Poison(error.to_string())),
        };
        let mut stored = self.copy(order_id)?;
        match stored.copy.apply(event.revision, &decoded) {
            Arrival::Duplicate => return Ok(Handled::Done),
            Arrival::Early => {
                return Ok(Handled::Later {
                    delay: WAIT,
                    reason: format!(
                        "order {order_id} revision {} arrived before revision {}",
                        event.revision,
                        stored.copy.expected_next()
                    ),
                });
            }
            Arrival::Next => {}
        }
        if matches!(decoded, OrderEvent::OrderCreated(_)) {
            stored.created_position = Some(event.position);
        }
        if let Some((ticket_id, command)) = on_order_event(&stored.copy, &decoded) {
            let metadata = EventMetadata::reacting_to(event.id, &trigger);
            let ids = EventIds::DerivedFrom {
                trigger: event.id,
                discriminator: DISCRIMINATOR,
            };
            let ctx = Context::at(now());
            let reserving = matches!(command, TicketCommand::ReserveTicket { .. });
            let executed = execute::<Ticket, _>(&self.log, ticket_id, &ctx, &metadata, ids, |_| {
                command.clone()
            })
            .await;
            let state = match executed {
                Ok(executed) => executed.state,
                Err(CommandError::Rejected(refused)) => {
                    return Ok(Handled::Poison(format!(
                        "ticket {ticket_id} refused the reaction to order {order_id}: {refused}"
                    )));
                }
                Err(CommandError::Conflict { attempts }) => {
                    return Ok(Handled::Later {
                        delay: WAIT,
                        reason: format!("ticket {ticket_id} kept changing ({attempts} attempts)"),
                    });
                }
                Err(CommandError::Service(error)) => return Err(error),
            };
            if reserving
                && let Some(holder) = state.order_id
                && holder != order_id
                && !self.is_stale(&event, holder)?
            {
                // The orders service lets a second order hold the ticket only after the
                // first one was freed, so the holder's cancellation is on its way: wait
                // for it (bounded by the consumer's deliveries, then a dead letter).
                return Ok(Handled::Later {
                    delay: WAIT,
                    reason: format!(
                        "ticket {ticket_id} is still held by order {holder}, \
                         whose release has not arrived"
                    ),
                });
            }
        }
        self.store(order_id, &stored).await?;
        Ok(Handled::Done)
    }

    /// Whether `event` (an `OrderCreated`) is older than the creation of `holder`, the
    /// order now holding the ticket: then its order was freed before the holder got the
    /// ticket, and reserving for it now would be wrong. Unknown means "not stale": wait.
    fn is_stale(&self, event: &RecordedEvent, holder: OrderId) -> Result<bool, ServiceError> {
        let holder = self.copy(holder)?;
        Ok(holder
            .created_position
            .is_some_and(|created| event.position < created))
    }

    fn copy(&self, order_id: OrderId) -> Result<StoredCopy, ServiceError> {
        match self.copies.get(order_id.to_string())? {
            None => Ok(StoredCopy {
                copy: OrderCopy::new(order_id),
                created_position: None,
            }),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                ServiceError::Store(format!("order copy {order_id} is unreadable: {e}"))
            }),
        }
    }

    /// Stores the copy durably: it is flushed before the event is acknowledged, or a crash
    /// could forget a revision the bus will never deliver again.
    async fn store(&self, order_id: OrderId, stored: &StoredCopy) -> Result<(), ServiceError> {
        let bytes = serde_json::to_vec(stored)
            .map_err(|e| ServiceError::Store(format!("encoding order copy {order_id}: {e}")))?;
        self.copies.insert(order_id.to_string(), bytes)?;
        crate::infra::flush_durably(&self.copies).await?;
        Ok(())
    }
}
