//! The payments service on a real file log, embedded bus and sled, with the sandbox
//! provider; the orders service is played by appending its events to `order-{id}`.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use bus::{Bus as _, EmbeddedBus};
use domain::{
    CancelReason, DomainEvent as _, EventMetadata, Money, Order, OrderCancelled, OrderCreated,
    OrderEvent, OrderId, OrderPaymentRefused, OrderedTicket, PaymentError, PaymentEvent, PaymentId,
    TicketId, Timestamp, UserId,
};
use eventlog::{Direction, EventLog as _, ExpectedRevision, FileLog, FileLogOptions};
use payment_provider::{AnyProvider, SandboxProvider};
use projections::ReadModels;
use tokio::sync::watch;
use uuid::Uuid;

use super::{PayError, Payments, PaymentsOptions};
use crate::infra::{Handled, Runtime, Settings, append_events};

struct Harness {
    payments: Payments,
    runtime: Runtime,
    stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn start() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
        let bus = EmbeddedBus::open(log.clone(), dir.path().join("bus")).unwrap();
        let (stop, shutdown) = watch::channel(false);
        let runtime = Runtime::new(log, bus, Settings::default(), shutdown);
        let models = ReadModels::open(dir.path().join("payments")).unwrap();
        let options = PaymentsOptions {
            copy_wait: Duration::from_millis(300),
        };
        let provider = AnyProvider::Sandbox(SandboxProvider::new());
        let payments = Payments::start_with(&runtime, models, provider, options)
            .await
            .unwrap();
        Harness {
            payments,
            runtime,
            stop,
            _dir: dir,
        }
    }

    /// Appends what orders would: `OrderCreated` for `buyer` at 20.00.
    async fn order_placed(&self, buyer: UserId) -> OrderId {
        let order_id = OrderId::new(Uuid::new_v4());
        let created = OrderCreated {
            user_id: buyer,
            ticket: OrderedTicket {
                id: TicketId::new(Uuid::new_v4()),
                price: Money::from_cents(2_000),
            },
            expires_at: Timestamp::from_millis(u64::MAX / 2),
        };
        self.order_event(order_id, created.into()).await;
        order_id
    }

    async fn order_event(&self, order_id: OrderId, event: OrderEvent) {
        let metadata = EventMetadata::for_command(Uuid::new_v4(), None);
        append_events::<Order>(
            &self.runtime.log,
            order_id,
            ExpectedRevision::Any,
            &[event],
            &[Uuid::new_v4()],
            &metadata,
        )
        .await
        .unwrap();
    }

    async fn pay(&self, payer: UserId, order_id: OrderId, token: &str) -> Result<(), PayError> {
        self.payments
            .pay(payer, order_id, token.to_owned(), Uuid::new_v4())
            .await
            .map(|_| ())
    }

    async fn payment_events(&self, order_id: OrderId) -> Vec<PaymentEvent> {
        let stream = format!("payment-{order_id}");
        let recorded = self
            .runtime
            .log
            .read_stream(&stream, 0, Direction::Forwards, 100)
            .await
            .unwrap();
        recorded
            .iter()
            .map(|e| PaymentEvent::decode(&e.event_type, &e.data).unwrap())
            .collect()
    }

    async fn stop(self) {
        self.stop.send(true).unwrap();
        self.runtime.join().await;
        self.runtime.bus.close().await;
        self.runtime.log.close().await;
    }
}

fn user() -> UserId {
    UserId::new(Uuid::new_v4())
}

#[tokio::test]
async fn a_paid_order_has_one_capture_of_its_price_and_the_read_model_shows_it() {
    let app = Harness::start().await;
    let buyer = user();
    let order_id = app.order_placed(buyer).await;

    let row = app
        .payments
        .pay(buyer, order_id, "tok_visa".into(), Uuid::new_v4())
        .await
        .unwrap();

    assert_eq!(row.id, PaymentId::for_order(order_id));
    assert_eq!(row.amount, Money::from_cents(2_000));
    assert_eq!(
        row.charge_id,
        SandboxProvider::charge_id_for(order_id.as_uuid())
    );
    assert!(!row.refunded);
    assert!(matches!(
        app.payment_events(order_id).await.as_slice(),
        [PaymentEvent::PaymentCaptured(_)]
    ));
    app.stop().await;
}

#[tokio::test]
async fn an_order_payments_never_heard_of_is_not_found() {
    let app = Harness::start().await;
    let outcome = app
        .pay(user(), OrderId::new(Uuid::new_v4()), "tok_visa")
        .await;
    assert!(matches!(
        outcome,
        Err(PayError::Refused(PaymentError::OrderNotFound))
    ));
    app.stop().await;
}

#[tokio::test]
async fn only_the_buyer_may_pay_for_an_order() {
    let app = Harness::start().await;
    let order_id = app.order_placed(user()).await;
    let outcome = app.pay(user(), order_id, "tok_visa").await;
    assert!(matches!(
        outcome,
        Err(PayError::Refused(PaymentError::NotOwner))
    ));
    assert!(app.payment_events(order_id).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn an_order_cancelled_a_moment_ago_is_not_paid() {
    let app = Harness::start().await;
    let buyer = user();
    let order_id = app.order_placed(buyer).await;
    let cancelled = OrderCancelled {
        reason: CancelReason::User,
    };
    app.order_event(order_id, cancelled.into()).await;

    // No waiting here: the payment itself waits for its copy to catch up.
    let outcome = app.pay(buyer, order_id, "tok_visa").await;
    assert!(matches!(
        outcome,
        Err(PayError::Refused(PaymentError::OrderCancelled))
    ));
    assert!(app.payment_events(order_id).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_second_payment_of_an_order_is_refused_as_already_paid() {
    let app = Harness::start().await;
    let buyer = user();
    let order_id = app.order_placed(buyer).await;
    app.pay(buyer, order_id, "tok_visa").await.unwrap();

    let again = app.pay(buyer, order_id, "tok_mastercard").await;
    assert!(matches!(
        again,
        Err(PayError::Refused(PaymentError::AlreadyPaid))
    ));
    assert_eq!(app.payment_events(order_id).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn racing_payments_of_one_order_record_exactly_one_capture() {
    let app = Harness::start().await;
    let buyer = user();
    let order_id = app.order_placed(buyer).await;

    let outcomes =
        futures::future::join_all((0..4).map(|_| app.pay(buyer, order_id, "tok_visa"))).await;

    let paid = outcomes.iter().filter(|o| o.is_ok()).count();
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Err(PayError::Refused(PaymentError::AlreadyPaid))))
        .count();
    assert_eq!((paid, refused), (1, 3), "{outcomes:?}");
    assert_eq!(app.payment_events(order_id).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_declined_card_records_nothing_and_shows_the_providers_message() {
    let app = Harness::start().await;
    let buyer = user();
    let order_id = app.order_placed(buyer).await;

    let outcome = app.pay(buyer, order_id, "tok_chargeDeclined").await;

    match outcome {
        Err(PayError::CardRefused { message }) => assert_eq!(message, "Your card was declined."),
        other => panic!("expected a declined card, got {other:?}"),
    }
    assert!(app.payment_events(order_id).await.is_empty());
    assert_eq!(app.payments.payment(order_id).unwrap(), None);
    app.stop().await;
}

#[tokio::test]
async fn a_refused_payment_is_refunded_once_however_often_the_refusal_arrives() {
    let app = Harness::start().await;
    let buyer = user();
    let order_id = app.order_placed(buyer).await;
    app.pay(buyer, order_id, "tok_visa").await.unwrap();
    let refused = OrderPaymentRefused {
        payment_id: PaymentId::for_order(order_id),
    };
    app.order_event(order_id, refused.into()).await;

    let mut refunded = false;
    for _ in 0..200 {
        if app
            .payments
            .payment(order_id)
            .unwrap()
            .is_some_and(|row| row.refunded)
        {
            refunded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refunded, "the refund never showed in the read model");

    // The consumer delivers the refusal again (say after a crash before its ack).
    let stream = format!("order-{order_id}");
    let recorded = app
        .runtime
        .log
        .read_stream(&stream, 1, Direction::Forwards, 1)
        .await
        .unwrap();
    let again = app
        .payments
        .react_to_order_event(recorded[0].clone())
        .await
        .unwrap();
    assert_eq!(again, Handled::Done);
    let events = app.payment_events(order_id).await;
    assert!(
        matches!(
            events.as_slice(),
            [
                PaymentEvent::PaymentCaptured(_),
                PaymentEvent::PaymentRefunded(_)
            ]
        ),
        "{events:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_copy_applies_order_events_only_in_revision_order() {
    let app = Harness::start().await;
    let buyer = user();
    let order_id = app.order_placed(buyer).await;
    app.order_event(
        order_id,
        OrderCancelled {
            reason: CancelReason::Expired,
        }
        .into(),
    )
    .await;
    let stream = format!("order-{order_id}");
    let recorded = app
        .runtime
        .log
        .read_stream(&stream, 0, Direction::Forwards, 10)
        .await
        .unwrap();
    // A fresh set of copies on its own database sees the cancellation first.
    let dir = tempfile::tempdir().unwrap();
    let models = ReadModels::open(dir.path()).unwrap();
    let copies = super::OrderCopies::open(&models).unwrap();

    let early = copies.apply(&recorded[1]).await.unwrap();
    assert!(matches!(early, Handled::Later { .. }), "{early:?}");
    assert_eq!(copies.get(order_id).unwrap(), None);
    assert_eq!(copies.apply(&recorded[0]).await.unwrap(), Handled::Done);
    assert_eq!(copies.apply(&recorded[1]).await.unwrap(), Handled::Done);
    assert_eq!(copies.apply(&recorded[0]).await.unwrap(), Handled::Done);
    let copy = copies.get(order_id).unwrap().unwrap();
    assert_eq!(copy.version, Some(1));
    assert_eq!(copy.status, domain::OrderStatus::Cancelled);
    assert_eq!(copy.user_id, Some(buyer));
    app.stop().await;
}

#[tokio::test]
async fn an_undecodable_order_event_is_poison_for_the_refunds() {
    let app = Harness::start().await;
    let order_id = app.order_placed(user()).await;
    let stream = format!("order-{order_id}");
    let mut recorded = app
        .runtime
        .log
        .read_stream(&stream, 0, Direction::Forwards, 1)
        .await
        .unwrap()
        .remove(0);
    recorded.data = b"not json".to_vec();
    let outcome = app.payments.react_to_order_event(recorded).await.unwrap();
    assert!(matches!(outcome, Handled::Poison(_)), "{outcome:?}");
    app.stop().await;
}
