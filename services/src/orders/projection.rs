//! The `orders` read model over the `order` category: one row per order (key
//! `order/{id}`) and an index by buyer (key `user/{userId}/{position}` → order id, in the
//! order the orders were placed).
//!
//! Rows keep the price recorded in `OrderCreated` (what the buyer is asked to pay); the
//! ticket's title is looked up in the ticket copy when the order is shown, as the
//! original showed the ticket document it referenced.

use domain::{DomainEvent, Money, OrderEvent, OrderId, OrderStatus, TicketId, Timestamp, UserId};
use eventlog::{CategoryFilter, RecordedEvent};
use projections::{Projection, ProjectionError, Tx};
use serde::{Deserialize, Serialize};

/// One order as the read model keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRow {
    /// The order.
    pub id: OrderId,
    /// The buyer.
    pub user_id: UserId,
    /// The ticket ordered.
    pub ticket_id: TicketId,
    /// The price recorded when the order was placed.
    pub price: Money,
    /// Current status.
    pub status: OrderStatus,
    /// When the order expires unless paid.
    pub expires_at: Timestamp,
    /// Revision of the order stream's last event.
    pub version: u64,
}

/// The `orders` projection.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrdersProjection;

impl OrdersProjection {
    /// The projection's name (its sled trees derive from it).
    pub const NAME: &'static str = "orders";
}

/// Key of the row of `order_id`.
pub(crate) fn row_key(order_id: OrderId) -> String {
    format!("order/{order_id}")
}

/// Prefix of the index entries of `user_id`'s orders.
pub(crate) fn user_prefix(user_id: UserId) -> String {
    format!("user/{user_id}/")
}

fn apply_error(event: &RecordedEvent, reason: impl Into<String>) -> ProjectionError {
    ProjectionError::Apply {
        position: event.position,
        event_type: event.event_type.clone(),
        reason: reason.into(),
    }
}

impl Projection for OrdersProjection {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn filter(&self) -> CategoryFilter {
        CategoryFilter::categories(["order"])
    }

    fn apply(&self, event: &RecordedEvent, tx: &mut Tx<'_>) -> Result<(), ProjectionError> {
        let order_id: OrderId = crate::infra::stream_id(event)
            .ok_or_else(|| apply_error(event, "not an order stream"))?;
        let decoded = OrderEvent::decode(&event.event_type, &event.data)
            .map_err(|e| apply_error(event, e.to_string()))?;
        let key = row_key(order_id);
        if let OrderEvent::OrderCreated(created) = &decoded {
            let row = OrderRow {
                id: order_id,
                user_id: created.user_id,
                ticket_id: created.ticket.id,
                price: created.ticket.price,
                status: OrderStatus::Created,
                expires_at: created.expires_at,
                version: event.revision,
            };
            tx.insert_json(key, &row)?;
            let index = format!("{}{:020}", user_prefix(created.user_id), event.position);
            tx.insert_json(index, &order_id)?;
            return Ok(());
        }
        // The log is read in order, so a stream's OrderCreated always came first.
        let mut row: OrderRow = tx
            .get_json(key.as_bytes())?
            .ok_or_else(|| apply_error(event, "order event before OrderCreated"))?;
        row.version = event.revision;
        match decoded {
            OrderEvent::OrderCancelled(_) => row.status = OrderStatus::Cancelled,
            OrderEvent::OrderCompleted(_) => row.status = OrderStatus::Complete,
            OrderEvent::OrderCreated(_) | OrderEvent::OrderPaymentRefused(_) => {}
        }
        tx.insert_json(key, &row)
    }
}
