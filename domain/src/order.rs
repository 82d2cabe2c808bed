//! An order (stream `order-{id}`), owned by orders.
//!
//! Rules (defect 6): a complete order cannot be cancelled; a cancelled order cannot be
//! completed (a payment that arrives after the cancellation is refused and refunded);
//! repeats of a cancellation, expiry or completion record nothing.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, domain_event};
use crate::error::{DomainError, ErrorKind};
use crate::ids::{PaymentId, TicketId, UserId};
use crate::metadata::Context;
use crate::money::Money;
pub use crate::order_status::OrderStatus;
use crate::time::Timestamp;

/// How long an unpaid order holds its ticket by default (15 minutes).
pub const EXPIRATION_WINDOW_SECONDS: u64 = 15 * 60;

/// The ticket an order is for, as recorded in `OrderCreated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedTicket {
    /// The ticket.
    pub id: TicketId,
    /// Its price when the order was placed (what payment charges).
    pub price: Money,
}

/// A buyer placed an order; the ticket is held until `expires_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCreated {
    /// The buyer.
    pub user_id: UserId,
    /// The ticket and its price.
    pub ticket: OrderedTicket,
    /// When the order expires unless paid (ms since the epoch).
    pub expires_at: Timestamp,
}

/// Why an order was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CancelReason {
    /// The buyer cancelled (`DELETE /api/orders/:id`).
    User,
    /// Nobody paid before `expiresAt`.
    Expired,
}

/// The order is cancelled and its ticket goes back on sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelled {
    /// Who or what cancelled it.
    pub reason: CancelReason,
}

/// The order was paid; the ticket is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCompleted {
    /// The payment.
    pub payment_id: PaymentId,
}

/// A payment arrived for an order that was cancelled first: payments refunds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPaymentRefused {
    /// The payment to refund.
    pub payment_id: PaymentId,
}

/// Events of `order-{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    /// See [`OrderCreated`].
    OrderCreated(OrderCreated),
    /// See [`OrderCancelled`].
    OrderCancelled(OrderCancelled),
    /// See [`OrderCompleted`].
    OrderCompleted(OrderCompleted),
    /// See [`OrderPaymentRefused`].
    OrderPaymentRefused(OrderPaymentRefused),
}
domain_event!(OrderEvent {
    OrderCreated,
    OrderCancelled,
    OrderCompleted,
    OrderPaymentRefused
});

/// Commands of `order-{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderCommand {
    /// `POST /api/orders`, after `TicketHeld` was appended to the ticket's reservation.
    PlaceOrder {
        /// The buyer.
        user_id: UserId,
        /// The ticket.
        ticket_id: TicketId,
        /// The ticket's current price.
        price: Money,
        /// `ctx.now` plus the window (see [`EXPIRATION_WINDOW_SECONDS`]).
        expires_at: Timestamp,
    },
    /// `DELETE /api/orders/:id` (`by` = the signed-in user) or the system (`by` = `None`).
    CancelOrder {
        /// Who asks; `None` for the system, which may cancel any order.
        by: Option<UserId>,
        /// Why.
        reason: CancelReason,
    },
    /// Reaction to `PaymentCaptured`.
    CompleteOrder {
        /// The captured payment.
        payment_id: PaymentId,
    },
    /// Reaction to `OrderExpirationDue`.
    ExpireOrder,
}

/// Why an order command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// No such order: 404.
    #[error("Not Found")]
    NotFound,
    /// The order belongs to someone else: 401.
    #[error("Not authorized")]
    NotOwner,
    /// The order is paid (its ticket is sold): 400.
    #[error("Cannot cancel a completed order")]
    CannotCancelCompleted,
    /// The id is taken by an existing order: a programming error (ids are fresh UUIDs).
    #[error("Order already placed")]
    AlreadyPlaced,
}

impl DomainError for OrderError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::NotOwner => ErrorKind::NotOwner,
            Self::CannotCancelCompleted | Self::AlreadyPlaced => ErrorKind::Rejected,
        }
    }
}

/// What orders knows about one order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderState {
    /// What `OrderCreated` recorded; `None` before the order exists.
    pub placed: Option<OrderCreated>,
    /// Current status (meaningful once placed).
    pub status: OrderStatus,
    /// The payment that completed the order.
    pub payment_id: Option<PaymentId>,
    /// Payments refused (and refunded) because they came too late.
    pub refused_payments: Vec<PaymentId>,
    /// Revision of the last event (the order's `version`); `None` before creation.
    pub version: Option<u64>,
}

/// The order aggregate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Order;

impl Aggregate for Order {
    const CATEGORY: &'static str = "order";
    type State = OrderState;
    type Command = OrderCommand;
    type Event = OrderEvent;
    type Error = OrderError;

    fn decide(
        state: &OrderState,
        command: OrderCommand,
        _ctx: &Context,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        if let OrderCommand::PlaceOrder {
            user_id,
            ticket_id,
            price,
            expires_at,
        } = command
        {
            if state.placed.is_some() {
                return Err(OrderError::AlreadyPlaced);
            }
            let ticket = OrderedTicket {
                id: ticket_id,
                price,
            };
            return Ok(vec![
                OrderCreated {
                    user_id,
                    ticket,
                    expires_at,
                }
                .into(),
            ]);
        }
        let placed = state.placed.as_ref().ok_or(OrderError::NotFound)?;
        match command {
            OrderCommand::PlaceOrder { .. } => Err(OrderError::AlreadyPlaced),
            OrderCommand::CancelOrder { by, reason } => {
                if by.is_some_and(|user| user != placed.user_id) {
                    return Err(OrderError::NotOwner);
                }
                match state.status {
                    OrderStatus::Complete => Err(OrderError::CannotCancelCompleted),
                    OrderStatus::Cancelled => Ok(vec![]),
                    OrderStatus::Created | OrderStatus::AwaitingPayment => {
                        Ok(vec![OrderCancelled { reason }.into()])
                    }
                }
            }
            OrderCommand::CompleteOrder { payment_id } => Ok(complete(state, payment_id)),
            OrderCommand::ExpireOrder => {
                // Expiry only cancels what is still waiting for payment.
                if state.status.is_open() {
                    Ok(vec![
                        OrderCancelled {
                            reason: CancelReason::Expired,
                        }
                        .into(),
                    ])
                } else {
                    Ok(vec![])
                }
            }
        }
    }

    fn evolve(state: &mut OrderState, event: &OrderEvent) {
        state.version = Some(state.version.map_or(0, |v| v + 1));
        match event {
            OrderEvent::OrderCreated(created) => {
                state.placed = Some(*created);
                state.status = OrderStatus::Created;
            }
            OrderEvent::OrderCancelled(_) => state.status = OrderStatus::Cancelled,
            OrderEvent::OrderCompleted(completed) => {
                state.status = OrderStatus::Complete;
                state.payment_id = Some(completed.payment_id);
            }
            OrderEvent::OrderPaymentRefused(refused) => {
                state.refused_payments.push(refused.payment_id);
            }
        }
    }
}

/// A captured payment completes an open order; otherwise it is refused once, so that
/// payments refunds it and nobody pays for a ticket they do not get.
fn complete(state: &OrderState, payment_id: PaymentId) -> Vec<OrderEvent> {
    if state.refused_payments.contains(&payment_id) || state.payment_id == Some(payment_id) {
        return vec![];
    }
    if state.status.is_open() {
        vec![OrderCompleted { payment_id }.into()]
    } else {
        // Cancelled first (the buyer paid while the cancellation travelled), or, in
        // theory, a second payment of a complete order: either way this money goes back.
        vec![OrderPaymentRefused { payment_id }.into()]
    }
}
