#![allow(clippy::unwrap_used)]
//! orders' reservation: one live order per ticket, and a sold ticket is never freed.

use domain::testing::given;
use domain::{Aggregate, CancelReason, FreeTicket, Money, Order, OrderCancelled, OrderCompleted};
use domain::{OrderCreated, OrderEvent, OrderId, OrderedTicket, PaymentId, Reservation};
use domain::{ReservationCommand, ReservationError, TicketFreed, TicketHeld, TicketId};
use domain::{Timestamp, UserId};
use uuid::Uuid;

const ORDER_A: OrderId = OrderId::new(Uuid::from_u128(10));
const ORDER_B: OrderId = OrderId::new(Uuid::from_u128(11));

fn placed() -> OrderEvent {
    OrderCreated {
        user_id: UserId::new(Uuid::from_u128(1)),
        ticket: OrderedTicket {
            id: TicketId::new(Uuid::from_u128(5)),
            price: Money::from_cents(2000),
        },
        expires_at: Timestamp::from_millis(1),
    }
    .into()
}

fn cancelled() -> OrderEvent {
    OrderCancelled {
        reason: CancelReason::User,
    }
    .into()
}

fn free_after_cancelling(order_id: OrderId) -> ReservationCommand {
    let order = Order::fold([placed(), cancelled()]);
    ReservationCommand::FreeTicket(FreeTicket::after_cancellation(order_id, &order).unwrap())
}

#[test]
fn a_free_ticket_is_held_for_the_new_order() {
    given::<Reservation>([])
        .when(ReservationCommand::HoldTicket { order_id: ORDER_A })
        .then([TicketHeld { order_id: ORDER_A }.into()]);
}

#[test]
fn only_one_of_two_buyers_holds_a_ticket() {
    given::<Reservation>([TicketHeld { order_id: ORDER_A }.into()])
        .when(ReservationCommand::HoldTicket { order_id: ORDER_B })
        .then_error(ReservationError::AlreadyReserved);
    assert_eq!(
        ReservationError::AlreadyReserved.to_string(),
        "Ticket is already reserved"
    );
}

#[test]
fn holding_again_for_the_same_order_records_nothing() {
    given::<Reservation>([TicketHeld { order_id: ORDER_A }.into()])
        .when(ReservationCommand::HoldTicket { order_id: ORDER_A })
        .then_nothing();
}

#[test]
fn the_hold_of_a_cancelled_order_is_freed() {
    given::<Reservation>([TicketHeld { order_id: ORDER_A }.into()])
        .when(free_after_cancelling(ORDER_A))
        .then([TicketFreed { order_id: ORDER_A }.into()]);
}

#[test]
fn freeing_for_an_order_that_does_not_hold_the_ticket_changes_nothing() {
    given::<Reservation>([TicketHeld { order_id: ORDER_B }.into()])
        .when(free_after_cancelling(ORDER_A))
        .then_nothing();
}

#[test]
fn a_freed_ticket_can_be_held_by_the_next_buyer() {
    given::<Reservation>([
        TicketHeld { order_id: ORDER_A }.into(),
        TicketFreed { order_id: ORDER_A }.into(),
    ])
    .when(ReservationCommand::HoldTicket { order_id: ORDER_B })
    .then([TicketHeld { order_id: ORDER_B }.into()]);
}

#[test]
fn only_a_cancelled_order_may_free_its_hold() {
    let open = Order::fold([placed()]);
    let complete = Order::fold([
        placed(),
        OrderCompleted {
            payment_id: PaymentId::for_order(ORDER_A),
        }
        .into(),
    ]);
    let never_placed = Order::fold(Vec::<OrderEvent>::new());
    assert_eq!(FreeTicket::after_cancellation(ORDER_A, &open), None);
    assert_eq!(FreeTicket::after_cancellation(ORDER_A, &complete), None);
    assert_eq!(FreeTicket::after_cancellation(ORDER_A, &never_placed), None);
}

#[test]
fn a_sold_ticket_stays_reserved() {
    given::<Reservation>([TicketHeld { order_id: ORDER_A }.into()])
        .when(ReservationCommand::HoldTicket { order_id: ORDER_B })
        .then_error(ReservationError::AlreadyReserved);
}
