//! expiration: order placed → a durable timer at `expiresAt`; order closed → no timer.

use crate::expiration::ExpirationCommand;
use crate::ids::OrderId;
use crate::order::OrderEvent;
use crate::time::Timestamp;

/// What to do with the pending timers (expiration's durable read model).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerAction {
    /// Store a timer for the order firing at `at` (storing it twice is harmless).
    Schedule {
        /// The order.
        order_id: OrderId,
        /// When it expires.
        at: Timestamp,
    },
    /// Remove the order's timer, if any: it completed or was cancelled first.
    Drop {
        /// The order.
        order_id: OrderId,
    },
}

/// The timer change `event` of `order-{order_id}` calls for.
pub fn on_order_event(order_id: OrderId, event: &OrderEvent) -> Option<TimerAction> {
    match event {
        OrderEvent::OrderCreated(created) => Some(TimerAction::Schedule {
            order_id,
            at: created.expires_at,
        }),
        OrderEvent::OrderCancelled(_) | OrderEvent::OrderCompleted(_) => {
            Some(TimerAction::Drop { order_id })
        }
        OrderEvent::OrderPaymentRefused(_) => None,
    }
}

/// Whether a timer at `at` has fired by `now`.
pub fn is_due(at: Timestamp, now: Timestamp) -> bool {
    at <= now
}

/// The command for `expiration-{order_id}` when its timer fires.
pub fn timer_fired(order_id: OrderId) -> ExpirationCommand {
    ExpirationCommand::MarkExpirationDue { order_id }
}
