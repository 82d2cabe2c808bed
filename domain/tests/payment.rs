#![allow(clippy::unwrap_used)]
//! payments: who may pay, capturing once, refunding once (defect 6).

use domain::testing::given;
use domain::{Aggregate, CancelReason, ChargeRequest, Money, OrderCancelled, OrderCompleted};
use domain::{OrderCopy, OrderCreated, OrderEvent, OrderId, OrderedTicket, Payment, PaymentId};
use domain::{PaymentCaptured, PaymentCommand, PaymentError, PaymentEvent, PaymentRefunded};
use domain::{PaymentState, TicketId, Timestamp, UserId, authorize_payment};
use uuid::Uuid;

const BUYER: UserId = UserId::new(Uuid::from_u128(1));
const STRANGER: UserId = UserId::new(Uuid::from_u128(2));
const ORDER: OrderId = OrderId::new(Uuid::from_u128(10));

fn order_copy(events: &[OrderEvent]) -> OrderCopy {
    let mut copy = OrderCopy::new(ORDER);
    for (revision, event) in (0u64..).zip(events) {
        copy.apply(revision, event);
    }
    copy
}

fn placed() -> OrderEvent {
    OrderCreated {
        user_id: BUYER,
        ticket: OrderedTicket {
            id: TicketId::new(Uuid::from_u128(5)),
            price: Money::from_cents(1999),
        },
        expires_at: Timestamp::from_millis(1),
    }
    .into()
}

fn captured() -> PaymentEvent {
    PaymentCaptured {
        order_id: ORDER,
        charge_id: "ch_1".into(),
        amount: Money::from_cents(1999),
    }
    .into()
}

fn capture(charge_id: &str) -> PaymentCommand {
    PaymentCommand::CapturePayment {
        order_id: ORDER,
        charge_id: charge_id.into(),
        amount: Money::from_cents(1999),
    }
}

fn refund() -> PaymentCommand {
    PaymentCommand::RefundPayment {
        reason: "order cancelled before payment".into(),
    }
}

#[test]
fn the_buyer_of_an_open_order_is_charged_its_price_in_usd() {
    let charge = authorize_payment(&order_copy(&[placed()]), &PaymentState::default(), BUYER);
    assert_eq!(
        charge,
        Ok(ChargeRequest {
            order_id: ORDER,
            amount: Money::from_cents(1999),
            currency: "usd"
        })
    );
}

#[test]
fn an_order_payments_has_not_seen_cannot_be_paid() {
    let result = authorize_payment(&order_copy(&[]), &PaymentState::default(), BUYER);
    assert_eq!(result, Err(PaymentError::OrderNotFound));
}

#[test]
fn only_the_buyer_may_pay_for_an_order() {
    let result = authorize_payment(&order_copy(&[placed()]), &PaymentState::default(), STRANGER);
    assert_eq!(result, Err(PaymentError::NotOwner));
}

#[test]
fn a_cancelled_order_cannot_be_paid() {
    let order = order_copy(&[
        placed(),
        OrderCancelled {
            reason: CancelReason::Expired,
        }
        .into(),
    ]);
    let result = authorize_payment(&order, &PaymentState::default(), BUYER);
    assert_eq!(result, Err(PaymentError::OrderCancelled));
    assert_eq!(
        PaymentError::OrderCancelled.to_string(),
        "Cannot pay for a cancelled order"
    );
}

#[test]
fn a_paid_order_cannot_be_paid_again() {
    let paid = Payment::fold([captured()]);
    let result = authorize_payment(&order_copy(&[placed()]), &paid, BUYER);
    assert_eq!(result, Err(PaymentError::AlreadyPaid));
    let complete = order_copy(&[
        placed(),
        OrderCompleted {
            payment_id: PaymentId::for_order(ORDER),
        }
        .into(),
    ]);
    let result = authorize_payment(&complete, &PaymentState::default(), BUYER);
    assert_eq!(result, Err(PaymentError::AlreadyPaid));
    assert_eq!(PaymentError::AlreadyPaid.to_string(), "Order already paid");
}

#[test]
fn a_charge_is_recorded_as_captured() {
    given::<Payment>([])
        .when(capture("ch_1"))
        .then([captured()]);
}

#[test]
fn a_second_payment_for_an_order_is_refused() {
    given::<Payment>([captured()])
        .when(capture("ch_2"))
        .then_error(PaymentError::AlreadyPaid);
}

#[test]
fn a_captured_charge_is_refunded_once() {
    let refunded: PaymentEvent = PaymentRefunded {
        order_id: ORDER,
        charge_id: "ch_1".into(),
        reason: "order cancelled before payment".into(),
    }
    .into();
    given::<Payment>([captured()])
        .when(refund())
        .then([refunded.clone()]);
    given::<Payment>([captured(), refunded])
        .when(refund())
        .then_nothing();
}

#[test]
fn nothing_is_refunded_without_a_capture() {
    given::<Payment>([])
        .when(refund())
        .then_error(PaymentError::NotCaptured);
}

#[test]
fn the_charge_to_refund_is_known_until_it_is_refunded() {
    assert!(
        Payment::fold(Vec::<PaymentEvent>::new())
            .refund_due()
            .is_none()
    );
    let captured_state = Payment::fold([captured()]);
    assert_eq!(captured_state.refund_due().unwrap().charge_id, "ch_1");
    let refunded: PaymentEvent = PaymentRefunded {
        order_id: ORDER,
        charge_id: "ch_1".into(),
        reason: "r".into(),
    }
    .into();
    assert!(Payment::fold([captured(), refunded]).refund_due().is_none());
}
