#![allow(clippy::unwrap_used)]
//! Reactions between services and the copies they keep (spec section 3).

use domain::reactions::expiration::{TimerAction, is_due, timer_fired};
use domain::reactions::{expiration, orders, payments, tickets};
use domain::testing::NOW;
use domain::{Aggregate, Arrival, CancelReason, ExpirationCommand, Money, Order, OrderCancelled};
use domain::{Context, Expiration, Payment, UserId, classify};
use domain::{OrderCommand, OrderCompleted, OrderCopy, OrderCreated, OrderEvent, OrderId};
use domain::{OrderExpirationDue, OrderPaymentRefused, OrderedTicket, PaymentCaptured, PaymentId};
use domain::{PaymentCommand, PaymentRefunded, ReservationCommand, Ticket, TicketCommand};
use domain::{TicketCopy, TicketCreated, TicketEvent, TicketId, TicketReserved, TicketUpdated};
use uuid::Uuid;

const BUYER: UserId = UserId::new(Uuid::from_u128(1));
const TICKET: TicketId = TicketId::new(Uuid::from_u128(5));
const ORDER: OrderId = OrderId::new(Uuid::from_u128(10));

fn placed() -> OrderEvent {
    OrderCreated {
        user_id: BUYER,
        ticket: OrderedTicket {
            id: TICKET,
            price: Money::from_cents(2000),
        },
        expires_at: NOW.plus_seconds(900),
    }
    .into()
}

fn cancelled() -> OrderEvent {
    OrderCancelled {
        reason: CancelReason::Expired,
    }
    .into()
}

fn copy_of(events: &[OrderEvent]) -> OrderCopy {
    let mut copy = OrderCopy::new(ORDER);
    for (revision, event) in (0u64..).zip(events) {
        assert_eq!(copy.apply(revision, event), Arrival::Next);
    }
    copy
}

#[test]
fn an_event_is_applied_only_at_the_next_revision() {
    assert_eq!(classify(3, 3), Arrival::Next);
    assert_eq!(classify(3, 2), Arrival::Duplicate);
    assert_eq!(classify(3, 4), Arrival::Early);
}

#[test]
fn a_copy_skips_a_duplicate_and_waits_for_a_missing_event() {
    let mut copy = OrderCopy::new(ORDER);
    assert_eq!(copy.apply(1, &cancelled()), Arrival::Early);
    assert!(!copy.exists());
    assert_eq!(copy.apply(0, &placed()), Arrival::Next);
    let before = copy.clone();
    assert_eq!(copy.apply(0, &placed()), Arrival::Duplicate);
    assert_eq!(copy, before);
    assert_eq!(copy.expected_next(), 1);
}

#[test]
fn orders_copy_of_a_ticket_follows_its_title_price_and_version() {
    let mut copy = TicketCopy::new(TICKET);
    let created: TicketEvent = TicketCreated {
        title: "Concert".into(),
        price: Money::from_cents(2000),
        user_id: BUYER,
    }
    .into();
    let updated: TicketEvent = TicketUpdated {
        title: "Opera".into(),
        price: Money::from_cents(2500),
    }
    .into();
    assert_eq!(copy.apply(0, &created), Arrival::Next);
    assert_eq!(
        copy.apply(1, &TicketReserved { order_id: ORDER }.into()),
        Arrival::Next
    );
    assert_eq!(copy.apply(3, &updated), Arrival::Early);
    assert_eq!(copy.apply(2, &updated), Arrival::Next);
    assert_eq!(
        (copy.title.as_str(), copy.price, copy.version),
        ("Opera", Money::from_cents(2500), Some(2))
    );
    assert!(copy.exists());
}

#[test]
fn a_placed_order_reserves_its_ticket() {
    let reaction = tickets::on_order_event(&copy_of(&[placed()]), &placed());
    assert_eq!(
        reaction,
        Some((TICKET, TicketCommand::ReserveTicket { order_id: ORDER }))
    );
}

#[test]
fn a_cancelled_order_releases_its_ticket() {
    let copy = copy_of(&[placed(), cancelled()]);
    let reaction = tickets::on_order_event(&copy, &cancelled());
    assert_eq!(
        reaction,
        Some((TICKET, TicketCommand::ReleaseTicket { order_id: ORDER }))
    );
}

#[test]
fn a_completed_order_keeps_its_ticket_reserved() {
    let completed: OrderEvent = OrderCompleted {
        payment_id: PaymentId::for_order(ORDER),
    }
    .into();
    let copy = copy_of(&[placed(), completed.clone()]);
    assert_eq!(tickets::on_order_event(&copy, &completed), None);
    assert_eq!(
        orders::free_reservation(ORDER, &Order::fold([placed(), completed])),
        None
    );
}

#[test]
fn a_cancelled_order_frees_its_reservation() {
    let (ticket, command) =
        orders::free_reservation(ORDER, &Order::fold([placed(), cancelled()])).unwrap();
    assert_eq!(ticket, TICKET);
    assert!(matches!(command, ReservationCommand::FreeTicket(free) if free.order_id() == ORDER));
}

#[test]
fn a_due_expiration_expires_the_order() {
    let due = OrderExpirationDue { order_id: ORDER }.into();
    assert_eq!(
        orders::on_expiration_event(&due),
        (ORDER, OrderCommand::ExpireOrder)
    );
}

#[test]
fn a_captured_payment_completes_the_order_with_its_payment_id() {
    let captured = PaymentCaptured {
        order_id: ORDER,
        charge_id: "ch_1".into(),
        amount: Money::from_cents(2000),
    };
    assert_eq!(
        orders::on_payment_event(&captured.into()),
        Some((
            ORDER,
            OrderCommand::CompleteOrder {
                payment_id: PaymentId::for_order(ORDER)
            }
        ))
    );
    let refunded = PaymentRefunded {
        order_id: ORDER,
        charge_id: "ch_1".into(),
        reason: "r".into(),
    };
    assert_eq!(orders::on_payment_event(&refunded.into()), None);
}

#[test]
fn a_placed_order_gets_a_timer_at_its_expiry() {
    assert_eq!(
        expiration::on_order_event(ORDER, &placed()),
        Some(TimerAction::Schedule {
            order_id: ORDER,
            at: NOW.plus_seconds(900)
        })
    );
    assert!(!is_due(NOW.plus_seconds(900), NOW));
    assert!(is_due(NOW.plus_seconds(900), NOW.plus_seconds(900)));
    assert_eq!(
        timer_fired(ORDER),
        ExpirationCommand::MarkExpirationDue { order_id: ORDER }
    );
}

#[test]
fn an_order_that_completed_or_was_cancelled_needs_no_timer() {
    let completed = OrderCompleted {
        payment_id: PaymentId::for_order(ORDER),
    }
    .into();
    let drop = Some(TimerAction::Drop { order_id: ORDER });
    assert_eq!(expiration::on_order_event(ORDER, &completed), drop);
    assert_eq!(expiration::on_order_event(ORDER, &cancelled()), drop);
}

#[test]
fn a_refused_payment_is_refunded_by_payments() {
    let refused = OrderPaymentRefused {
        payment_id: PaymentId::for_order(ORDER),
    }
    .into();
    let (order_id, command) = payments::on_order_event(ORDER, &refused).unwrap();
    assert_eq!(order_id, ORDER);
    assert!(matches!(command, PaymentCommand::RefundPayment { .. }));
    assert_eq!(payments::on_order_event(ORDER, &placed()), None);
}

/// Decides `command` on `history` twice, appending what each decision records, as a
/// service does when an event is redelivered; returns everything that was appended.
fn react_twice<A>(history: Vec<A::Event>, command: A::Command) -> Vec<A::Event>
where
    A: Aggregate,
    A::Event: Clone,
    A::Command: Clone,
    A::Error: std::fmt::Debug,
{
    let ctx = Context::at(NOW);
    let mut history = history;
    let mut appended = Vec::new();
    for _ in 0..2 {
        let events = A::decide(&A::fold(&history), command.clone(), &ctx).unwrap();
        history.extend(events.iter().cloned());
        appended.extend(events);
    }
    appended
}

#[test]
fn the_same_reaction_input_twice_changes_nothing_the_second_time() {
    let created: TicketEvent = TicketCreated {
        title: "Concert".into(),
        price: Money::from_cents(2000),
        user_id: BUYER,
    }
    .into();
    let (_, reserve) = tickets::on_order_event(&copy_of(&[placed()]), &placed()).unwrap();
    assert_eq!(
        react_twice::<Ticket>(vec![created], reserve),
        [TicketReserved { order_id: ORDER }.into()]
    );

    let (_, expire) = orders::on_expiration_event(&OrderExpirationDue { order_id: ORDER }.into());
    assert_eq!(react_twice::<Order>(vec![placed()], expire), [cancelled()]);

    let captured = PaymentCaptured {
        order_id: ORDER,
        charge_id: "ch_1".into(),
        amount: Money::from_cents(2000),
    };
    let (_, complete) = orders::on_payment_event(&captured.clone().into()).unwrap();
    let refused: OrderEvent = OrderPaymentRefused {
        payment_id: PaymentId::for_order(ORDER),
    }
    .into();
    assert_eq!(
        react_twice::<Order>(vec![placed(), cancelled()], complete),
        std::slice::from_ref(&refused)
    );

    let (_, refund) = payments::on_order_event(ORDER, &refused).unwrap();
    assert_eq!(
        react_twice::<Payment>(vec![captured.into()], refund).len(),
        1
    );

    assert_eq!(
        react_twice::<Expiration>(vec![], timer_fired(ORDER)).len(),
        1
    );

    let mut copy = copy_of(&[placed()]);
    assert_eq!(copy.apply(0, &placed()), Arrival::Duplicate);
}
