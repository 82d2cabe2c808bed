//! orders: expiry due → expire the order; payment captured → complete it; and, for its
//! own streams, order cancelled → free the reservation.

use crate::expiration::ExpirationEvent;
use crate::ids::{OrderId, PaymentId, TicketId};
use crate::order::{OrderCommand, OrderState};
use crate::payment::PaymentEvent;
use crate::reservation::{FreeTicket, ReservationCommand};

/// `OrderExpirationDue` → `ExpireOrder` on `order-{orderId}` (cancels it only if open).
pub fn on_expiration_event(event: &ExpirationEvent) -> (OrderId, OrderCommand) {
    match event {
        ExpirationEvent::OrderExpirationDue(due) => (due.order_id, OrderCommand::ExpireOrder),
    }
}

/// `PaymentCaptured` → `CompleteOrder` on `order-{orderId}` (refused if it was cancelled).
pub fn on_payment_event(event: &PaymentEvent) -> Option<(OrderId, OrderCommand)> {
    match event {
        PaymentEvent::PaymentCaptured(captured) => {
            let payment_id = PaymentId::for_order(captured.order_id);
            Some((
                captured.order_id,
                OrderCommand::CompleteOrder { payment_id },
            ))
        }
        PaymentEvent::PaymentRefunded(_) => None,
    }
}

/// After `order-{order_id}` changed to `order`: free its ticket's reservation if the order
/// is cancelled. Run it from orders' own log subscription, not only right after the
/// cancel, so that a crash between the two appends cannot leave the ticket held forever.
pub fn free_reservation(
    order_id: OrderId,
    order: &OrderState,
) -> Option<(TicketId, ReservationCommand)> {
    let ticket_id = order.placed.as_ref()?.ticket.id;
    let free = FreeTicket::after_cancellation(order_id, order)?;
    Some((ticket_id, ReservationCommand::FreeTicket(free)))
}
