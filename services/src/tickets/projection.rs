//! The `tickets` read model: every ticket with its holder and version, for the list (only
//! tickets no order holds), the detail page and the answers to commands.

use domain::{Aggregate, DomainEvent, Money, OrderId, Ticket, TicketEvent, TicketId, UserId};
use eventlog::{CategoryFilter, RecordedEvent};
use projections::{Projection, ProjectionError, Tx};
use serde::{Deserialize, Serialize};

/// One ticket as the read model stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketRow {
    /// The ticket.
    pub id: TicketId,
    /// Current title.
    pub title: String,
    /// Current price in cents.
    pub price: Money,
    /// The seller.
    pub user_id: UserId,
    /// Revision of the ticket stream's last event.
    pub version: u64,
    /// The order holding the ticket, if any.
    pub order_id: Option<OrderId>,
    /// Log position of `TicketCreated`: the list is shown in creation order.
    pub created_position: u64,
}

/// Builds `tickets` from the `ticket` category.
#[derive(Debug, Default)]
pub struct TicketsProjection;

impl TicketsProjection {
    /// The projection's name (its sled trees and checkpoint derive from it).
    pub const NAME: &'static str = "tickets";
    /// Prefix of every row's key.
    pub const PREFIX: &'static [u8] = b"ticket/";

    /// The key of a ticket's row.
    pub fn key(id: TicketId) -> Vec<u8> {
        format!("ticket/{id}").into_bytes()
    }
}

impl Projection for TicketsProjection {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn filter(&self) -> CategoryFilter {
        CategoryFilter::categories([Ticket::CATEGORY])
    }

    fn apply(&self, event: &RecordedEvent, tx: &mut Tx<'_>) -> Result<(), ProjectionError> {
        let failed = |reason: String| ProjectionError::Apply {
            position: event.position,
            event_type: event.event_type.clone(),
            reason,
        };
        let decoded = TicketEvent::decode(&event.event_type, &event.data)
            .map_err(|e| failed(e.to_string()))?;
        let id: TicketId = crate::infra::stream_id(event)
            .ok_or_else(|| failed(format!("stream {:?} does not name a ticket", event.stream)))?;
        let key = Self::key(id);
        let row = match decoded {
            TicketEvent::TicketCreated(created) => TicketRow {
                id,
                title: created.title,
                price: created.price,
                user_id: created.user_id,
                version: event.revision,
                order_id: None,
                created_position: event.position,
            },
            other => {
                let mut row: TicketRow = tx
                    .get_json(&key)?
                    .ok_or_else(|| failed(format!("ticket {id} changed before it was created")))?;
                row.version = event.revision;
                match other {
                    TicketEvent::TicketUpdated(updated) => {
                        row.title = updated.title;
                        row.price = updated.price;
                    }
                    TicketEvent::TicketReserved(reserved) => row.order_id = Some(reserved.order_id),
                    TicketEvent::TicketReleased(_) => row.order_id = None,
                    TicketEvent::TicketCreated(_) => {}
                }
                row
            }
        };
        tx.insert_json(key, &row)
    }
}
