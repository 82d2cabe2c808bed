#![allow(clippy::unwrap_used)]
//! Whole flows across aggregates, each following one defect of the original (section 7):
//! streams are vectors, services are the reaction functions.

use domain::reactions::{expiration, orders, payments, tickets};
use domain::testing::NOW;
use domain::{Aggregate, CancelReason, Context, Expiration, Money, Order, OrderCommand};
use domain::{OrderCopy, OrderError, OrderEvent, OrderId, OrderStatus, Payment, PaymentCommand};
use domain::{PaymentEvent, Reservation, ReservationCommand, ReservationError, Ticket};
use domain::{TicketCommand, TicketEvent, TicketId, UserId};
use uuid::Uuid;

const SELLER: UserId = UserId::new(Uuid::from_u128(1));
const BUYER: UserId = UserId::new(Uuid::from_u128(2));
const TICKET: TicketId = TicketId::new(Uuid::from_u128(5));
const ORDER_A: OrderId = OrderId::new(Uuid::from_u128(10));
const ORDER_B: OrderId = OrderId::new(Uuid::from_u128(11));

/// Decides `command` on `stream` and appends the result, as a service would.
fn run<A: Aggregate>(
    stream: &mut Vec<A::Event>,
    command: A::Command,
) -> Result<Vec<A::Event>, A::Error>
where
    A::Event: Clone,
{
    let events = A::decide(&A::fold(stream.iter()), command, &Context::at(NOW))?;
    stream.extend(events.iter().cloned());
    Ok(events)
}

/// A ticket for sale, and the streams of one market.
struct Market {
    ticket: Vec<TicketEvent>,
    reservation: Vec<domain::ReservationEvent>,
    orders: Vec<(OrderId, Vec<OrderEvent>)>,
}

impl Market {
    fn new() -> Self {
        let mut ticket = Vec::new();
        let create = TicketCommand::CreateTicket {
            title: "Concert".into(),
            price: Money::from_cents(2000),
            user_id: SELLER,
        };
        run::<Ticket>(&mut ticket, create).unwrap();
        Self {
            ticket,
            reservation: Vec::new(),
            orders: Vec::new(),
        }
    }

    fn order(&mut self, id: OrderId) -> &mut Vec<OrderEvent> {
        &mut self.orders.iter_mut().find(|(o, _)| *o == id).unwrap().1
    }

    /// orders: hold, then place; tickets reacts.
    fn place(&mut self, order_id: OrderId) -> Result<(), ReservationError> {
        run::<Reservation>(
            &mut self.reservation,
            ReservationCommand::HoldTicket { order_id },
        )?;
        let mut stream = Vec::new();
        let place = OrderCommand::PlaceOrder {
            user_id: BUYER,
            ticket_id: TICKET,
            price: Money::from_cents(2000),
            expires_at: NOW.plus_seconds(900),
        };
        let events = run::<Order>(&mut stream, place).unwrap();
        self.orders.push((order_id, stream));
        self.tickets_react(order_id, &events);
        Ok(())
    }

    /// orders: an order command, then freeing the reservation, then tickets reacts.
    fn on_order(
        &mut self,
        order_id: OrderId,
        command: OrderCommand,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        let events = run::<Order>(self.order(order_id), command)?;
        let state = Order::fold(self.order(order_id).iter());
        if let Some((_, free)) = orders::free_reservation(order_id, &state) {
            run::<Reservation>(&mut self.reservation, free).unwrap();
        }
        self.tickets_react(order_id, &events);
        Ok(events)
    }

    /// tickets' copy of an order: its whole stream applied revision by revision.
    fn copy_of(&mut self, order_id: OrderId) -> OrderCopy {
        let mut copy = OrderCopy::new(order_id);
        for (revision, event) in (0u64..).zip(self.order(order_id).iter()) {
            copy.apply(revision, event);
        }
        copy
    }

    /// tickets reacts to the order events just recorded.
    fn tickets_react(&mut self, order_id: OrderId, events: &[OrderEvent]) {
        let copy = self.copy_of(order_id);
        for event in events {
            if let Some((_, command)) = tickets::on_order_event(&copy, event) {
                run::<Ticket>(&mut self.ticket, command).unwrap();
            }
        }
    }

    fn ticket_holder(&self) -> Option<OrderId> {
        Ticket::fold(self.ticket.iter()).order_id
    }
}

#[test]
fn two_buyers_cannot_both_reserve_one_ticket() {
    let mut market = Market::new();
    market.place(ORDER_A).unwrap();
    assert_eq!(
        market.place(ORDER_B),
        Err(ReservationError::AlreadyReserved)
    );
    assert_eq!(market.ticket_holder(), Some(ORDER_A));
}

#[test]
fn cancelling_an_old_order_does_not_release_a_ticket_held_by_a_newer_one() {
    let mut market = Market::new();
    market.place(ORDER_A).unwrap();
    market
        .on_order(
            ORDER_A,
            OrderCommand::CancelOrder {
                by: Some(BUYER),
                reason: CancelReason::User,
            },
        )
        .unwrap();
    market.place(ORDER_B).unwrap();
    // A's cancellation is delivered again after B holds the ticket.
    market
        .on_order(
            ORDER_A,
            OrderCommand::CancelOrder {
                by: Some(BUYER),
                reason: CancelReason::User,
            },
        )
        .unwrap();
    let copy = market.copy_of(ORDER_A);
    let cancelled = market.order(ORDER_A)[1].clone();
    let (_, release) = tickets::on_order_event(&copy, &cancelled).unwrap();
    run::<Ticket>(&mut market.ticket, release).unwrap();
    assert_eq!(market.ticket_holder(), Some(ORDER_B));
    assert_eq!(
        Reservation::fold(market.reservation.iter()).holder,
        Some(ORDER_B)
    );
}

#[test]
fn a_paid_order_can_neither_be_cancelled_nor_expired_and_its_ticket_stays_sold() {
    let mut market = Market::new();
    market.place(ORDER_A).unwrap();
    let mut payment: Vec<PaymentEvent> = Vec::new();
    let capture = PaymentCommand::CapturePayment {
        order_id: ORDER_A,
        charge_id: "ch_1".into(),
        amount: Money::from_cents(2000),
    };
    let captured = run::<Payment>(&mut payment, capture).unwrap();
    let (_, complete) = orders::on_payment_event(&captured[0]).unwrap();
    market.on_order(ORDER_A, complete).unwrap();

    let cancel = OrderCommand::CancelOrder {
        by: Some(BUYER),
        reason: CancelReason::User,
    };
    assert_eq!(
        market.on_order(ORDER_A, cancel),
        Err(OrderError::CannotCancelCompleted)
    );
    assert_eq!(
        market.on_order(ORDER_A, OrderCommand::ExpireOrder),
        Ok(vec![])
    );
    assert_eq!(market.ticket_holder(), Some(ORDER_A));
    assert_eq!(
        Reservation::fold(market.reservation.iter()).holder,
        Some(ORDER_A)
    );
    let again = PaymentCommand::CapturePayment {
        order_id: ORDER_A,
        charge_id: "ch_2".into(),
        amount: Money::from_cents(2000),
    };
    assert!(run::<Payment>(&mut payment, again).is_err());
}

#[test]
fn nobody_ends_up_charged_for_a_ticket_they_do_not_get() {
    let mut market = Market::new();
    market.place(ORDER_A).unwrap();
    // The timer fires and orders cancels the order...
    let mut expiry = Vec::new();
    let due = run::<Expiration>(&mut expiry, expiration::timer_fired(ORDER_A)).unwrap();
    let (_, expire) = orders::on_expiration_event(&due[0]);
    market.on_order(ORDER_A, expire).unwrap();
    assert_eq!(market.ticket_holder(), None);
    // ...while the buyer's payment, authorised a moment earlier, is captured.
    let mut payment: Vec<PaymentEvent> = Vec::new();
    let capture = PaymentCommand::CapturePayment {
        order_id: ORDER_A,
        charge_id: "ch_1".into(),
        amount: Money::from_cents(2000),
    };
    let captured = run::<Payment>(&mut payment, capture).unwrap();
    let (_, complete) = orders::on_payment_event(&captured[0]).unwrap();
    let refused = market.on_order(ORDER_A, complete).unwrap();
    assert_eq!(
        Order::fold(market.order(ORDER_A).iter()).status,
        OrderStatus::Cancelled
    );
    let (_, refund) = payments::on_order_event(ORDER_A, &refused[0]).unwrap();
    assert!(Payment::fold(payment.iter()).refund_due().is_some());
    run::<Payment>(&mut payment, refund).unwrap();
    assert!(Payment::fold(payment.iter()).refunded);
}
