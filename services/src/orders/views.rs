//! The order JSON of the HTTP contract:
//! `{id, userId, status, expiresAt, version, ticket: {id, title, price}}`.

use domain::{OrderId, OrderStatus, TicketCopy, TicketId, UserId};
use serde::Serialize;

use super::projection::OrderRow;

/// An order as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// The order.
    pub id: OrderId,
    /// The buyer.
    pub user_id: UserId,
    /// `created`, `cancelled`, `awaiting:payment` or `complete`.
    pub status: OrderStatus,
    /// RFC 3339 in UTC with milliseconds (`2026-12-05T07:15:00.000Z`).
    pub expires_at: String,
    /// The order stream's revision.
    pub version: u64,
    /// The ticket ordered.
    pub ticket: OrderTicketView,
}

/// The ticket inside an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderTicketView {
    /// The ticket.
    pub id: TicketId,
    /// Its current title.
    pub title: String,
    /// The price recorded when the order was placed, as a decimal JSON number.
    pub price: serde_json::Number,
}

impl OrderView {
    /// The view of `row`, with the title from `copy` (empty if orders has no copy).
    pub fn new(row: &OrderRow, copy: Option<&TicketCopy>) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            status: row.status,
            expires_at: row.expires_at.to_rfc3339(),
            version: row.version,
            ticket: OrderTicketView {
                id: row.ticket_id,
                title: copy.map(|c| c.title.clone()).unwrap_or_default(),
                price: row.price.to_json_number(),
            },
        }
    }
}
