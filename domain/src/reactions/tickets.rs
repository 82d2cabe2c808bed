//! tickets: order placed → reserve the ticket; order cancelled → release it.

use crate::copies::OrderCopy;
use crate::ids::TicketId;
use crate::order::OrderEvent;
use crate::ticket::TicketCommand;

/// The command for `ticket-{id}` that `event` of `order` calls for, if any.
///
/// `order` is tickets' copy of the order after applying `event` (it remembers which ticket
/// the order is for, since `OrderCancelled` does not say). A completed order keeps its
/// ticket reserved: it is sold.
pub fn on_order_event(order: &OrderCopy, event: &OrderEvent) -> Option<(TicketId, TicketCommand)> {
    let order_id = order.order_id;
    match event {
        OrderEvent::OrderCreated(created) => {
            Some((created.ticket.id, TicketCommand::ReserveTicket { order_id }))
        }
        OrderEvent::OrderCancelled(_) => {
            let ticket_id = order.ticket_id?;
            Some((ticket_id, TicketCommand::ReleaseTicket { order_id }))
        }
        OrderEvent::OrderCompleted(_) | OrderEvent::OrderPaymentRefused(_) => None,
    }
}
