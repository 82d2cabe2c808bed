//! Other services' copies of an aggregate, and the rule that keeps them exact: apply an
//! event only when its revision is the next one expected (spec section 3).

use serde::{Deserialize, Serialize};

use crate::ids::{OrderId, TicketId, UserId};
use crate::money::Money;
use crate::order::{OrderEvent, OrderStatus};
use crate::ticket::TicketEvent;

/// How an incoming event's revision relates to the copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The expected revision: apply it, store the copy, then acknowledge.
    Next,
    /// Already applied (a redelivery): acknowledge and skip.
    Duplicate,
    /// An earlier event is still on its way: do not acknowledge; it will be redelivered.
    Early,
}

/// Classifies revision `got` for a copy expecting `expected_next`.
pub const fn classify(expected_next: u64, got: u64) -> Arrival {
    if got == expected_next {
        Arrival::Next
    } else if got < expected_next {
        Arrival::Duplicate
    } else {
        Arrival::Early
    }
}

/// The next revision a copy whose last applied revision is `version` expects.
const fn expected_after(version: Option<u64>) -> u64 {
    match version {
        Some(v) => v + 1,
        None => 0,
    }
}

/// Orders' copy of a ticket: what an order shows (`ticket: {id, title, price}`) and the
/// price a new order records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketCopy {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Current title.
    pub title: String,
    /// Current price.
    pub price: Money,
    /// The seller (`None` before `TicketCreated` arrived).
    pub owner: Option<UserId>,
    /// Revision of the last applied event; `None` while nothing arrived.
    pub version: Option<u64>,
}

impl TicketCopy {
    /// An empty copy of `ticket-{ticket_id}`, expecting revision 0.
    pub fn new(ticket_id: TicketId) -> Self {
        Self {
            ticket_id,
            title: String::new(),
            price: Money::default(),
            owner: None,
            version: None,
        }
    }

    /// Whether `TicketCreated` has been applied (otherwise the ticket is unknown: 404).
    pub fn exists(&self) -> bool {
        self.owner.is_some()
    }

    /// The revision this copy applies next.
    pub fn expected_next(&self) -> u64 {
        expected_after(self.version)
    }

    /// Applies `event` recorded at `revision` if it is the next one; says what happened.
    pub fn apply(&mut self, revision: u64, event: &TicketEvent) -> Arrival {
        let arrival = classify(self.expected_next(), revision);
        if arrival == Arrival::Next {
            self.version = Some(revision);
            match event {
                TicketEvent::TicketCreated(created) => {
                    self.title.clone_from(&created.title);
                    self.price = created.price;
                    self.owner = Some(created.user_id);
                }
                TicketEvent::TicketUpdated(updated) => {
                    self.title.clone_from(&updated.title);
                    self.price = updated.price;
                }
                // Holds are decided in orders' own reservation stream; only the
                // revision matters here.
                TicketEvent::TicketReserved(_) | TicketEvent::TicketReleased(_) => {}
            }
        }
        arrival
    }
}

/// Payments' copy of an order: enough to authorise a payment (status, price, owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCopy {
    /// The order.
    pub order_id: OrderId,
    /// Current status.
    pub status: OrderStatus,
    /// The buyer (`None` before `OrderCreated` arrived).
    pub user_id: Option<UserId>,
    /// The ticket ordered.
    pub ticket_id: Option<TicketId>,
    /// The price to charge.
    pub price: Money,
    /// Revision of the last applied event; `None` while nothing arrived.
    pub version: Option<u64>,
}

impl OrderCopy {
    /// An empty copy of `order-{order_id}`, expecting revision 0.
    pub fn new(order_id: OrderId) -> Self {
        Self {
            order_id,
            status: OrderStatus::Created,
            user_id: None,
            ticket_id: None,
            price: Money::default(),
            version: None,
        }
    }

    /// Whether `OrderCreated` has been applied (otherwise the order is unknown: 404).
    pub fn exists(&self) -> bool {
        self.user_id.is_some()
    }

    /// The revision this copy applies next.
    pub fn expected_next(&self) -> u64 {
        expected_after(self.version)
    }

    /// Applies `event` recorded at `revision` if it is the next one; says what happened.
    pub fn apply(&mut self, revision: u64, event: &OrderEvent) -> Arrival {
        let arrival = classify(self.expected_next(), revision);
        if arrival == Arrival::Next {
            self.version = Some(revision);
            match event {
                OrderEvent::OrderCreated(created) => {
                    self.status = OrderStatus::Created;
                    self.user_id = Some(created.user_id);
                    self.ticket_id = Some(created.ticket.id);
                    self.price = created.ticket.price;
                }
                OrderEvent::OrderCancelled(_) => self.status = OrderStatus::Cancelled,
                OrderEvent::OrderCompleted(_) => self.status = OrderStatus::Complete,
                // The order stays cancelled; the refund is payments' own business.
                OrderEvent::OrderPaymentRefused(_) => {}
            }
        }
        arrival
    }
}
