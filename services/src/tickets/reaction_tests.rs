//! The reaction to orders at the service level: a real file log and real sled, with
//! order events built here and handed to the reaction as the bus would deliver them
//! (the order streams belong to the orders service, so nothing is appended to them).
#![allow(clippy::unwrap_used)]

use bus::{Bus as _, EmbeddedBus};
use domain::{
    CancelReason, DomainEvent, EventMetadata, Money, OrderCancelled, OrderCreated, OrderEvent,
    OrderId, OrderedTicket, TicketId, TicketState, Timestamp, UserId,
};
use eventlog::{EventLog as _, FileLog, FileLogOptions, RecordedEvent};
use projections::ReadModels;
use tokio::sync::watch;
use uuid::Uuid;

use super::Tickets;
use crate::infra::{Handled, Runtime, Settings, load};

struct Harness {
    _dir: tempfile::TempDir,
    runtime: Runtime,
    models: ReadModels,
    tickets: Tickets,
    stop: watch::Sender<bool>,
}

impl Harness {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
        let bus = EmbeddedBus::open(log.clone(), dir.path().join("bus")).unwrap();
        let (stop, shutdown) = watch::channel(false);
        let runtime = Runtime::new(log, bus, Settings::default(), shutdown);
        let models = ReadModels::open(dir.path().join("tickets")).unwrap();
        let tickets = Tickets::start(&runtime, models.clone()).await.unwrap();
        Self {
            _dir: dir,
            runtime,
            models,
            tickets,
            stop,
        }
    }

    async fn ticket_for_sale(&self) -> TicketId {
        let seller = UserId::new(Uuid::new_v4());
        let row = self
            .tickets
            .create(
                seller,
                "concert".into(),
                Money::from_cents(2000),
                Uuid::new_v4(),
            )
            .await
            .unwrap();
        row.id
    }

    /// The ticket as its stream says (strongly consistent, unlike the read model).
    async fn ticket(&self, id: TicketId) -> TicketState {
        load::<domain::Ticket>(&self.runtime.log, id)
            .await
            .unwrap()
            .state
    }

    async fn deliver(&self, event: &RecordedEvent) -> Handled {
        self.tickets
            .react_to_order_event(event.clone())
            .await
            .unwrap()
    }

    async fn stop(self) {
        self.stop.send(true).unwrap();
        self.runtime.join().await;
        self.runtime.bus.close().await;
        self.runtime.log.close().await;
    }
}

/// An event of `order-{order}` as the bus delivers it.
fn order_event(order: OrderId, revision: u64, position: u64, event: OrderEvent) -> RecordedEvent {
    RecordedEvent {
        id: Uuid::new_v4(),
        stream: format!("order-{order}"),
        revision,
        position,
        event_type: event.event_type().to_owned(),
        data: event.to_data(),
        metadata: EventMetadata::for_command(Uuid::new_v4(), None).to_json_bytes(),
        recorded_at_ms: 0,
    }
}

fn created(order: OrderId, ticket: TicketId, position: u64) -> RecordedEvent {
    let event = OrderCreated {
        user_id: UserId::new(Uuid::new_v4()),
        ticket: OrderedTicket {
            id: ticket,
            price: Money::from_cents(2000),
        },
        expires_at: Timestamp::from_millis(0),
    };
    order_event(order, 0, position, event.into())
}

fn cancelled(order: OrderId, position: u64) -> RecordedEvent {
    let event = OrderCancelled {
        reason: CancelReason::User,
    };
    order_event(order, 1, position, event.into())
}

fn new_order() -> OrderId {
    OrderId::new(Uuid::new_v4())
}

fn is_later(handled: &Handled) -> bool {
    matches!(handled, Handled::Later { .. })
}

#[tokio::test]
async fn an_order_created_reserves_the_ticket_and_a_redelivery_changes_nothing() {
    let h = Harness::start().await;
    let ticket = h.ticket_for_sale().await;
    let order = new_order();
    let event = created(order, ticket, 100);
    assert_eq!(h.deliver(&event).await, Handled::Done);
    let state = h.ticket(ticket).await;
    assert_eq!((state.order_id, state.version), (Some(order), Some(1)));

    assert_eq!(h.deliver(&event).await, Handled::Done);
    assert_eq!(h.ticket(ticket).await.version, Some(1));
    h.stop().await;
}

#[tokio::test]
async fn a_second_order_waits_until_the_first_orders_release_has_arrived() {
    let h = Harness::start().await;
    let ticket = h.ticket_for_sale().await;
    let (a, b) = (new_order(), new_order());
    assert_eq!(h.deliver(&created(a, ticket, 100)).await, Handled::Done);

    // B's creation overtook A's cancellation: not dropped, tried again later.
    let b_created = created(b, ticket, 102);
    assert!(is_later(&h.deliver(&b_created).await));
    assert!(is_later(&h.deliver(&b_created).await));
    assert_eq!(h.ticket(ticket).await.order_id, Some(a));

    assert_eq!(h.deliver(&cancelled(a, 101)).await, Handled::Done);
    assert_eq!(h.ticket(ticket).await.order_id, None);
    assert_eq!(h.deliver(&b_created).await, Handled::Done);
    let state = h.ticket(ticket).await;
    assert_eq!((state.order_id, state.version), (Some(b), Some(3)));
    h.stop().await;
}

#[tokio::test]
async fn a_cancellation_that_overtook_its_creation_waits_for_it() {
    let h = Harness::start().await;
    let ticket = h.ticket_for_sale().await;
    let order = new_order();
    let order_cancelled = cancelled(order, 101);
    assert!(is_later(&h.deliver(&order_cancelled).await));
    assert_eq!(h.ticket(ticket).await.version, Some(0));

    assert_eq!(h.deliver(&created(order, ticket, 100)).await, Handled::Done);
    assert_eq!(h.deliver(&order_cancelled).await, Handled::Done);
    let state = h.ticket(ticket).await;
    assert_eq!((state.order_id, state.version), (None, Some(2)));
    h.stop().await;
}

#[tokio::test]
async fn cancelling_an_order_that_does_not_hold_the_ticket_releases_nothing() {
    let h = Harness::start().await;
    let ticket = h.ticket_for_sale().await;
    let (stale, holder) = (new_order(), new_order());
    assert_eq!(
        h.deliver(&created(holder, ticket, 200)).await,
        Handled::Done
    );
    // An older order, freed before the holder got the ticket, arrives late: its
    // reservation is skipped, and its cancellation must not free the holder's ticket.
    assert_eq!(h.deliver(&created(stale, ticket, 100)).await, Handled::Done);
    assert_eq!(h.ticket(ticket).await.order_id, Some(holder));
    assert_eq!(h.deliver(&cancelled(stale, 101)).await, Handled::Done);
    let state = h.ticket(ticket).await;
    assert_eq!((state.order_id, state.version), (Some(holder), Some(1)));
    h.stop().await;
}

#[tokio::test]
async fn losing_the_copy_after_the_ticket_command_is_harmless() {
    let h = Harness::start().await;
    let ticket = h.ticket_for_sale().await;
    let order = new_order();
    let event = created(order, ticket, 100);
    assert_eq!(h.deliver(&event).await, Handled::Done);
    // As if the process died after the append and before the copy was stored.
    h.models
        .tree("order_copies")
        .unwrap()
        .remove(order.to_string())
        .unwrap();
    let head = h.runtime.log.head_position().await.unwrap();
    assert_eq!(h.deliver(&event).await, Handled::Done);
    assert_eq!(h.runtime.log.head_position().await.unwrap(), head);
    assert_eq!(h.deliver(&cancelled(order, 101)).await, Handled::Done);
    assert_eq!(h.ticket(ticket).await.order_id, None);
    h.stop().await;
}

#[tokio::test]
async fn events_that_can_never_apply_are_poison() {
    let h = Harness::start().await;
    let unknown_ticket = created(new_order(), TicketId::new(Uuid::new_v4()), 100);
    assert!(matches!(
        h.deliver(&unknown_ticket).await,
        Handled::Poison(_)
    ));

    let ticket = h.ticket_for_sale().await;
    let mut garbled = created(new_order(), ticket, 100);
    garbled.data = b"{not json".to_vec();
    assert!(matches!(h.deliver(&garbled).await, Handled::Poison(_)));

    let mut misnamed = created(new_order(), ticket, 100);
    misnamed.stream = "order-not-a-uuid".into();
    assert!(matches!(h.deliver(&misnamed).await, Handled::Poison(_)));
    assert_eq!(h.ticket(ticket).await.version, Some(0));
    h.stop().await;
}
