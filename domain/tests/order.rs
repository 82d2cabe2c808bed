#![allow(clippy::unwrap_used)]
//! orders: placing, cancelling, completing and expiring an order (defect 6).

use domain::testing::{NOW, given};
use domain::{Aggregate, CancelReason, Money, Order, OrderCancelled, OrderCommand, OrderCompleted};
use domain::{EXPIRATION_WINDOW_SECONDS, OrderedTicket, PaymentId, TicketId, UserId};
use domain::{OrderCreated, OrderError, OrderEvent, OrderId, OrderPaymentRefused, OrderStatus};
use uuid::Uuid;

const BUYER: UserId = UserId::new(Uuid::from_u128(1));
const STRANGER: UserId = UserId::new(Uuid::from_u128(2));
const TICKET: TicketId = TicketId::new(Uuid::from_u128(5));
const ORDER: OrderId = OrderId::new(Uuid::from_u128(10));

fn payment() -> PaymentId {
    PaymentId::for_order(ORDER)
}

fn placed() -> OrderEvent {
    OrderCreated {
        user_id: BUYER,
        ticket: OrderedTicket {
            id: TICKET,
            price: Money::from_cents(2000),
        },
        expires_at: NOW.plus_seconds(EXPIRATION_WINDOW_SECONDS),
    }
    .into()
}

fn cancelled(reason: CancelReason) -> OrderEvent {
    OrderCancelled { reason }.into()
}

fn completed() -> OrderEvent {
    OrderCompleted {
        payment_id: payment(),
    }
    .into()
}

fn cancel_by(user: UserId) -> OrderCommand {
    OrderCommand::CancelOrder {
        by: Some(user),
        reason: CancelReason::User,
    }
}

#[test]
fn placing_an_order_records_the_buyer_the_ticket_price_and_the_expiry() {
    given::<Order>([])
        .when(OrderCommand::PlaceOrder {
            user_id: BUYER,
            ticket_id: TICKET,
            price: Money::from_cents(2000),
            expires_at: NOW.plus_seconds(EXPIRATION_WINDOW_SECONDS),
        })
        .then([placed()]);
}

#[test]
fn an_order_id_cannot_be_placed_twice() {
    given::<Order>([placed()])
        .when(OrderCommand::PlaceOrder {
            user_id: STRANGER,
            ticket_id: TICKET,
            price: Money::from_cents(1),
            expires_at: NOW,
        })
        .then_error(OrderError::AlreadyPlaced);
}

#[test]
fn the_buyer_may_cancel_an_open_order() {
    given::<Order>([placed()])
        .when(cancel_by(BUYER))
        .then([cancelled(CancelReason::User)]);
}

#[test]
fn the_system_may_cancel_any_open_order() {
    given::<Order>([placed()])
        .when(OrderCommand::CancelOrder {
            by: None,
            reason: CancelReason::Expired,
        })
        .then([cancelled(CancelReason::Expired)]);
}

#[test]
fn only_the_buyer_may_cancel_an_order() {
    given::<Order>([placed()])
        .when(cancel_by(STRANGER))
        .then_error(OrderError::NotOwner);
}

#[test]
fn ownership_is_checked_before_the_status() {
    given::<Order>([placed(), completed()])
        .when(cancel_by(STRANGER))
        .then_error(OrderError::NotOwner);
}

#[test]
fn an_order_that_does_not_exist_cannot_be_cancelled() {
    given::<Order>([])
        .when(cancel_by(BUYER))
        .then_error(OrderError::NotFound);
}

#[test]
fn a_completed_order_cannot_be_cancelled() {
    given::<Order>([placed(), completed()])
        .when(cancel_by(BUYER))
        .then_error(OrderError::CannotCancelCompleted);
    assert_eq!(
        OrderError::CannotCancelCompleted.to_string(),
        "Cannot cancel a completed order"
    );
}

#[test]
fn cancelling_a_cancelled_order_records_nothing() {
    given::<Order>([placed(), cancelled(CancelReason::User)])
        .when(cancel_by(BUYER))
        .then_nothing();
    given::<Order>([placed(), cancelled(CancelReason::Expired)])
        .when(cancel_by(BUYER))
        .then_nothing();
}

#[test]
fn a_captured_payment_completes_an_open_order() {
    given::<Order>([placed()])
        .when(OrderCommand::CompleteOrder {
            payment_id: payment(),
        })
        .then([completed()]);
}

#[test]
fn a_payment_for_a_cancelled_order_is_refused_and_the_order_stays_cancelled() {
    let history = [placed(), cancelled(CancelReason::Expired)];
    given::<Order>(history.clone())
        .when(OrderCommand::CompleteOrder {
            payment_id: payment(),
        })
        .then([OrderPaymentRefused {
            payment_id: payment(),
        }
        .into()]);
    let refused = OrderPaymentRefused {
        payment_id: payment(),
    }
    .into();
    let state = Order::fold(history.iter().chain([&refused]));
    assert_eq!(state.status, OrderStatus::Cancelled);
    assert_eq!(state.payment_id, None);
}

#[test]
fn a_refused_payment_is_refused_only_once() {
    given::<Order>([
        placed(),
        cancelled(CancelReason::User),
        OrderPaymentRefused {
            payment_id: payment(),
        }
        .into(),
    ])
    .when(OrderCommand::CompleteOrder {
        payment_id: payment(),
    })
    .then_nothing();
}

#[test]
fn completing_a_complete_order_again_records_nothing() {
    given::<Order>([placed(), completed()])
        .when(OrderCommand::CompleteOrder {
            payment_id: payment(),
        })
        .then_nothing();
}

#[test]
fn a_different_payment_for_a_complete_order_is_refused_so_it_is_refunded() {
    let other = PaymentId::new(Uuid::from_u128(99));
    given::<Order>([placed(), completed()])
        .when(OrderCommand::CompleteOrder { payment_id: other })
        .then([OrderPaymentRefused { payment_id: other }.into()]);
}

#[test]
fn an_expired_open_order_is_cancelled_as_expired() {
    given::<Order>([placed()])
        .when(OrderCommand::ExpireOrder)
        .then([cancelled(CancelReason::Expired)]);
}

#[test]
fn an_expired_complete_order_is_left_alone() {
    given::<Order>([placed(), completed()])
        .when(OrderCommand::ExpireOrder)
        .then_nothing();
}

#[test]
fn an_expired_cancelled_order_is_left_alone() {
    given::<Order>([placed(), cancelled(CancelReason::User)])
        .when(OrderCommand::ExpireOrder)
        .then_nothing();
}

#[test]
fn order_statuses_are_spelled_as_in_the_contract() {
    let spelled = |status: OrderStatus| serde_json::to_value(status).unwrap();
    assert_eq!(spelled(OrderStatus::Created), "created");
    assert_eq!(spelled(OrderStatus::Cancelled), "cancelled");
    assert_eq!(spelled(OrderStatus::AwaitingPayment), "awaiting:payment");
    assert_eq!(spelled(OrderStatus::Complete), "complete");
    assert_eq!(OrderStatus::AwaitingPayment.to_string(), "awaiting:payment");
    let read: OrderStatus = serde_json::from_str("\"awaiting:payment\"").unwrap();
    assert_eq!(read, OrderStatus::AwaitingPayment);
}

#[test]
fn the_order_version_is_the_revision_of_its_last_event() {
    let state = Order::fold([placed(), cancelled(CancelReason::User)]);
    assert_eq!(state.version, Some(1));
    assert_eq!(state.placed.unwrap().ticket.id, TICKET);
}
