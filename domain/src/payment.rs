//! The payment of an order (stream `payment-{orderId}`), owned by payments.
//!
//! One stream per order makes a second payment impossible: `PaymentCaptured` is appended
//! expecting "no stream", and this decision refuses a second capture.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, domain_event};
use crate::copies::OrderCopy;
use crate::error::{DomainError, ErrorKind};
use crate::ids::{OrderId, UserId};
use crate::metadata::Context;
use crate::money::Money;
use crate::order::OrderStatus;

/// The only currency the product charges in.
pub const CURRENCY: &str = "usd";

/// The provider charged the buyer's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCaptured {
    /// The order paid for.
    pub order_id: OrderId,
    /// The provider's charge id (Stripe `ch_…`), needed to refund.
    pub charge_id: String,
    /// The amount charged, in cents.
    pub amount: Money,
}

/// The charge was refunded (the order had been cancelled before the payment arrived).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRefunded {
    /// The order.
    pub order_id: OrderId,
    /// The refunded charge.
    pub charge_id: String,
    /// Why, for operators.
    pub reason: String,
}

/// Events of `payment-{orderId}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    /// See [`PaymentCaptured`].
    PaymentCaptured(PaymentCaptured),
    /// See [`PaymentRefunded`].
    PaymentRefunded(PaymentRefunded),
}
domain_event!(PaymentEvent {
    PaymentCaptured,
    PaymentRefunded
});

/// Commands of `payment-{orderId}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentCommand {
    /// Records a charge the provider made (after [`authorize_payment`] allowed it).
    CapturePayment {
        /// The order paid for.
        order_id: OrderId,
        /// The provider's charge id.
        charge_id: String,
        /// The amount charged.
        amount: Money,
    },
    /// Records that the provider refunded the charge.
    RefundPayment {
        /// Why, for operators.
        reason: String,
    },
}

/// Why a payment is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// Payments has not seen the order: 404 (or it has not arrived yet).
    #[error("Not Found")]
    OrderNotFound,
    /// The order belongs to someone else: 401.
    #[error("Not authorized")]
    NotOwner,
    /// The order is cancelled: 400.
    #[error("Cannot pay for a cancelled order")]
    OrderCancelled,
    /// The order is paid already: 400. Do not charge again.
    #[error("Order already paid")]
    AlreadyPaid,
    /// Nothing was captured, so nothing can be refunded: acknowledge and alert.
    #[error("No payment to refund")]
    NotCaptured,
}

impl DomainError for PaymentError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::OrderNotFound => ErrorKind::NotFound,
            Self::NotOwner => ErrorKind::NotOwner,
            Self::OrderCancelled | Self::AlreadyPaid | Self::NotCaptured => ErrorKind::Rejected,
        }
    }
}

/// A charge captured for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// The provider's charge id.
    pub charge_id: String,
    /// The amount charged.
    pub amount: Money,
}

/// What payments knows about the payment of one order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentState {
    /// The order, once a payment was captured.
    pub order_id: Option<OrderId>,
    /// The captured charge.
    pub capture: Option<Capture>,
    /// Whether the charge was refunded.
    pub refunded: bool,
}

impl PaymentState {
    /// The charge to refund through the provider, if captured and not refunded yet.
    /// Call the provider only when this is `Some`, then decide `RefundPayment`.
    pub fn refund_due(&self) -> Option<&Capture> {
        self.capture.as_ref().filter(|_| !self.refunded)
    }
}

/// What to ask the payment provider for: the order's price in cents, in USD. The order id
/// is the idempotency key, so a retried charge is not charged twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChargeRequest {
    /// The order paid for (and idempotency key).
    pub order_id: OrderId,
    /// The order's price.
    pub amount: Money,
    /// Always [`CURRENCY`].
    pub currency: &'static str,
}

/// Whether `payer` may pay for `order` now; checked before calling the provider, in the
/// spec's order: unknown order, not owner, cancelled, already paid.
pub fn authorize_payment(
    order: &OrderCopy,
    payment: &PaymentState,
    payer: UserId,
) -> Result<ChargeRequest, PaymentError> {
    let owner = order
        .user_id
        .filter(|_| order.exists())
        .ok_or(PaymentError::OrderNotFound)?;
    if owner != payer {
        return Err(PaymentError::NotOwner);
    }
    if order.status == OrderStatus::Cancelled {
        return Err(PaymentError::OrderCancelled);
    }
    if payment.capture.is_some() || order.status == OrderStatus::Complete {
        return Err(PaymentError::AlreadyPaid);
    }
    Ok(ChargeRequest {
        order_id: order.order_id,
        amount: order.price,
        currency: CURRENCY,
    })
}

/// The payment aggregate; its stream id is the order id.
#[derive(Debug, Clone, Copy, Default)]
pub struct Payment;

impl Aggregate for Payment {
    const CATEGORY: &'static str = "payment";
    type State = PaymentState;
    type Command = PaymentCommand;
    type Event = PaymentEvent;
    type Error = PaymentError;

    fn decide(
        state: &PaymentState,
        command: PaymentCommand,
        _ctx: &Context,
    ) -> Result<Vec<PaymentEvent>, PaymentError> {
        match command {
            PaymentCommand::CapturePayment {
                order_id,
                charge_id,
                amount,
            } => {
                if state.capture.is_some() {
                    return Err(PaymentError::AlreadyPaid);
                }
                Ok(vec![
                    PaymentCaptured {
                        order_id,
                        charge_id,
                        amount,
                    }
                    .into(),
                ])
            }
            PaymentCommand::RefundPayment { reason } => {
                let (Some(order_id), Some(capture)) = (state.order_id, &state.capture) else {
                    return Err(PaymentError::NotCaptured);
                };
                if state.refunded {
                    return Ok(vec![]);
                }
                let charge_id = capture.charge_id.clone();
                Ok(vec![
                    PaymentRefunded {
                        order_id,
                        charge_id,
                        reason,
                    }
                    .into(),
                ])
            }
        }
    }

    fn evolve(state: &mut PaymentState, event: &PaymentEvent) {
        match event {
            PaymentEvent::PaymentCaptured(captured) => {
                state.order_id = Some(captured.order_id);
                state.capture = Some(Capture {
                    charge_id: captured.charge_id.clone(),
                    amount: captured.amount,
                });
            }
            PaymentEvent::PaymentRefunded(_) => state.refunded = true,
        }
    }
}
