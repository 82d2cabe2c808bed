//! payments: payment refused by the order → refund the charge.

use crate::ids::OrderId;
use crate::order::OrderEvent;
use crate::payment::PaymentCommand;

/// The reason recorded in `PaymentRefunded` for a payment that came too late.
pub const REFUND_REASON_ORDER_CANCELLED: &str = "order cancelled before payment";

/// The command for `payment-{order_id}` that `event` of `order-{order_id}` calls for.
///
/// For `RefundPayment` the service first asks the provider to refund the charge named by
/// [`crate::payment::PaymentState::refund_due`] (skipping the call when it is `None`), and
/// records `PaymentRefunded` only after the provider agreed.
pub fn on_order_event(order_id: OrderId, event: &OrderEvent) -> Option<(OrderId, PaymentCommand)> {
    match event {
        OrderEvent::OrderPaymentRefused(_) => Some((
            order_id,
            PaymentCommand::RefundPayment {
                reason: REFUND_REASON_ORDER_CANCELLED.to_owned(),
            },
        )),
        OrderEvent::OrderCreated(_)
        | OrderEvent::OrderCancelled(_)
        | OrderEvent::OrderCompleted(_) => None,
    }
}
