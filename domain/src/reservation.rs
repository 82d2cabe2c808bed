//! One live order per ticket (stream `reservation-{ticketId}`), owned by orders.
//!
//! Placing an order appends `TicketHeld` here expecting the revision that was read, so of
//! two buyers racing for one ticket exactly one append succeeds (defect 5); the loser
//! reloads, decides again and gets "Ticket is already reserved".
//!
//! A sold ticket is never freed: [`FreeTicket`] can only be built from the state of a
//! cancelled order ([`FreeTicket::after_cancellation`]) or of an order that was never
//! placed ([`FreeTicket::never_placed`]: the request crashed between `TicketHeld` and
//! `OrderCreated`). A cancelled order can never complete (a late payment is refused and
//! refunded), a complete order can never be cancelled, and an order that does not exist
//! cannot be paid, so freeing the hold of a completed order cannot be expressed.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, domain_event};
use crate::error::{DomainError, ErrorKind};
use crate::ids::OrderId;
use crate::metadata::Context;
use crate::order::{OrderState, OrderStatus};

/// `order_id` now holds the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketHeld {
    /// The holding order.
    pub order_id: OrderId,
}

/// The hold of a cancelled order ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketFreed {
    /// The order that held the ticket.
    pub order_id: OrderId,
}

/// Events of `reservation-{ticketId}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReservationEvent {
    /// See [`TicketHeld`].
    TicketHeld(TicketHeld),
    /// See [`TicketFreed`].
    TicketFreed(TicketFreed),
}
domain_event!(ReservationEvent {
    TicketHeld,
    TicketFreed
});

/// Permission to end the hold of a cancelled order; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeTicket {
    order_id: OrderId,
}

impl FreeTicket {
    /// `Some` only when `order` (the state of `order-{order_id}`) is cancelled.
    pub fn after_cancellation(order_id: OrderId, order: &OrderState) -> Option<Self> {
        (order.placed.is_some() && order.status == OrderStatus::Cancelled)
            .then_some(Self { order_id })
    }

    /// `Some` only when `order` (the state of `order-{order_id}`) was never placed: an
    /// orphan hold left by a request that stopped between `TicketHeld` and `OrderCreated`.
    ///
    /// The caller must also make sure the order can no longer be placed (orders waits a
    /// grace period, and cancels an order that was created while it freed the hold).
    pub fn never_placed(order_id: OrderId, order: &OrderState) -> Option<Self> {
        (order.placed.is_none() && order.version.is_none()).then_some(Self { order_id })
    }

    /// The cancelled (or never placed) order.
    pub fn order_id(&self) -> OrderId {
        self.order_id
    }
}

/// Commands of `reservation-{ticketId}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReservationCommand {
    /// Before `OrderCreated`: hold the ticket for the new order.
    HoldTicket {
        /// The order being placed.
        order_id: OrderId,
    },
    /// After `OrderCancelled` (or for an order never placed): put the ticket back on sale.
    FreeTicket(FreeTicket),
}

/// Why a hold is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReservationError {
    /// A live (or completed) order holds the ticket: 400, do not create the order.
    #[error("Ticket is already reserved")]
    AlreadyReserved,
}

impl DomainError for ReservationError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Rejected
    }
}

/// Who holds the ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReservationState {
    /// The order holding the ticket (live, or complete: a sold ticket stays held).
    pub holder: Option<OrderId>,
}

/// The reservation aggregate; its stream id is the ticket id.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reservation;

impl Aggregate for Reservation {
    const CATEGORY: &'static str = "reservation";
    type State = ReservationState;
    type Command = ReservationCommand;
    type Event = ReservationEvent;
    type Error = ReservationError;

    fn decide(
        state: &ReservationState,
        command: ReservationCommand,
        _ctx: &Context,
    ) -> Result<Vec<ReservationEvent>, ReservationError> {
        match command {
            ReservationCommand::HoldTicket { order_id } => match state.holder {
                None => Ok(vec![TicketHeld { order_id }.into()]),
                Some(holder) if holder == order_id => Ok(vec![]),
                Some(_) => Err(ReservationError::AlreadyReserved),
            },
            ReservationCommand::FreeTicket(free) => {
                if state.holder == Some(free.order_id) {
                    Ok(vec![
                        TicketFreed {
                            order_id: free.order_id,
                        }
                        .into(),
                    ])
                } else {
                    Ok(vec![])
                }
            }
        }
    }

    fn evolve(state: &mut ReservationState, event: &ReservationEvent) {
        match event {
            ReservationEvent::TicketHeld(held) => state.holder = Some(held.order_id),
            ReservationEvent::TicketFreed(_) => state.holder = None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::ids::{TicketId, UserId};
    use crate::money::Money;
    use crate::order::{Order, OrderCreated, OrderEvent, OrderedTicket};
    use crate::testing::given;
    use crate::time::Timestamp;

    const ORDER: OrderId = OrderId::new(Uuid::from_u128(10));

    #[test]
    fn the_hold_of_an_order_that_was_never_placed_may_be_freed() {
        let never_placed = OrderState::default();
        let free = FreeTicket::never_placed(ORDER, &never_placed).unwrap();
        given::<Reservation>([TicketHeld { order_id: ORDER }.into()])
            .when(ReservationCommand::FreeTicket(free))
            .then([TicketFreed { order_id: ORDER }.into()]);
    }

    #[test]
    fn an_order_that_was_placed_is_not_an_orphan() {
        let created: OrderEvent = OrderCreated {
            user_id: UserId::new(Uuid::from_u128(1)),
            ticket: OrderedTicket {
                id: TicketId::new(Uuid::from_u128(5)),
                price: Money::from_cents(2000),
            },
            expires_at: Timestamp::from_millis(1),
        }
        .into();
        let placed = Order::fold([created]);
        assert_eq!(FreeTicket::never_placed(ORDER, &placed), None);
    }
}
