//! The consumers that keep holds and orders in step, on a real file log and bus.

use std::path::Path;
use std::time::Duration;

use bus::{Bus as _, EmbeddedBus};
use domain::{
    CancelReason, EventMetadata, Money, Order, OrderCancelled, OrderCreated, OrderEvent, OrderId,
    OrderedTicket, Reservation, ReservationEvent, TicketHeld, TicketId, Timestamp, UserId,
};
use eventlog::{ExpectedRevision, FileLog, FileLogOptions};
use projections::ReadModels;
use tokio::sync::watch;
use uuid::Uuid;

use super::{Orders, OrdersOptions};
use crate::infra::{Runtime, Settings, append_events, load};

struct Harness {
    runtime: Runtime,
    stop: watch::Sender<bool>,
    _orders: Orders,
}

async fn started(dir: &Path, options: OrdersOptions) -> Harness {
    let log = FileLog::open(dir.join("log"), FileLogOptions::default()).unwrap();
    let bus = EmbeddedBus::open(log.clone(), dir.join("bus")).unwrap();
    let (stop, shutdown) = watch::channel(false);
    let runtime = Runtime::new(log, bus, Settings::default(), shutdown);
    let models = ReadModels::open(dir.join("orders")).unwrap();
    let orders = Orders::start_with(&runtime, models, options).await.unwrap();
    Harness {
        runtime,
        stop,
        _orders: orders,
    }
}

impl Harness {
    async fn append<A: domain::Aggregate>(&self, id: impl std::fmt::Display, events: &[A::Event]) {
        let ids: Vec<Uuid> = events.iter().map(|_| Uuid::new_v4()).collect();
        let metadata = EventMetadata::for_command(Uuid::new_v4(), None);
        append_events::<A>(
            &self.runtime.log,
            id,
            ExpectedRevision::Any,
            events,
            &ids,
            &metadata,
        )
        .await
        .unwrap();
    }

    /// Polls until `ticket_id` is held by nobody; panics after ~10 s.
    async fn wait_until_free(&self, ticket_id: TicketId) {
        for _ in 0..200 {
            let reservation = load::<Reservation>(&self.runtime.log, ticket_id)
                .await
                .unwrap();
            if reservation.state.holder.is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("reservation-{ticket_id} was never freed");
    }

    async fn stop(self) {
        self.stop.send(true).unwrap();
        self.runtime.join().await;
        self.runtime.bus.close().await;
        self.runtime.log.close().await;
    }
}

fn held(order_id: OrderId) -> ReservationEvent {
    TicketHeld { order_id }.into()
}

fn created(ticket_id: TicketId) -> OrderEvent {
    OrderCreated {
        user_id: UserId::new(Uuid::new_v4()),
        ticket: OrderedTicket {
            id: ticket_id,
            price: Money::from_cents(2000),
        },
        expires_at: Timestamp::from_millis(u64::MAX / 2),
    }
    .into()
}

#[tokio::test]
async fn a_hold_whose_order_never_came_is_freed_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let options = OrdersOptions {
        orphan_grace: Duration::from_millis(300),
        ..OrdersOptions::default()
    };
    let harness = started(dir.path(), options).await;
    let ticket_id = TicketId::new(Uuid::new_v4());
    let orphan = OrderId::new(Uuid::new_v4());
    harness
        .append::<Reservation>(ticket_id, &[held(orphan)])
        .await;

    harness.wait_until_free(ticket_id).await;
    let order = load::<Order>(&harness.runtime.log, orphan).await.unwrap();
    assert_eq!(order.revision, None, "no order was made up for the orphan");
    harness.stop().await;
}

#[tokio::test]
async fn a_hold_whose_order_exists_is_left_alone_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let options = OrdersOptions {
        orphan_grace: Duration::from_millis(200),
        ..OrdersOptions::default()
    };
    let harness = started(dir.path(), options).await;
    let ticket_id = TicketId::new(Uuid::new_v4());
    let order_id = OrderId::new(Uuid::new_v4());
    harness
        .append::<Reservation>(ticket_id, &[held(order_id)])
        .await;
    harness
        .append::<Order>(order_id, &[created(ticket_id)])
        .await;

    // Past the grace period and past the first look at young holds.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let reservation = load::<Reservation>(&harness.runtime.log, ticket_id)
        .await
        .unwrap();
    assert_eq!(reservation.state.holder, Some(order_id));
    harness.stop().await;
}

#[tokio::test]
async fn a_cancelled_order_frees_its_hold_even_if_the_canceller_stopped_before_freeing() {
    let dir = tempfile::tempdir().unwrap();
    let harness = started(dir.path(), OrdersOptions::default()).await;
    let ticket_id = TicketId::new(Uuid::new_v4());
    let order_id = OrderId::new(Uuid::new_v4());
    harness
        .append::<Reservation>(ticket_id, &[held(order_id)])
        .await;
    let cancelled = OrderCancelled {
        reason: CancelReason::User,
    };
    harness
        .append::<Order>(order_id, &[created(ticket_id), cancelled.into()])
        .await;

    harness.wait_until_free(ticket_id).await;
    harness.stop().await;
}
