#![allow(clippy::unwrap_used)]
//! The public event contract: stable names, camelCase payloads, money in cents.

use domain::split_stream_name;
use domain::{ALL_EVENT_TYPES, UserId, UserRegistered, derived_event_id, derived_event_ids};
use domain::{Aggregate, AnyEvent, CancelReason, DecodeError, DomainEvent, Email, EmailClaimed};
use domain::{EventMetadata, Money, OrderCancelled, OrderCompleted, OrderCreated, OrderEvent};
use domain::{OrderExpirationDue, OrderId, OrderPaymentRefused, OrderedTicket, PaymentCaptured};
use domain::{PaymentId, PaymentRefunded, Ticket, TicketCreated, TicketEvent, TicketFreed};
use domain::{TicketHeld, TicketId, TicketReleased, TicketReserved, TicketUpdated, Timestamp};
use serde_json::{Value, json};
use uuid::Uuid;

const USER: UserId = UserId::new(Uuid::from_u128(1));
const TICKET: TicketId = TicketId::new(Uuid::from_u128(5));
const ORDER: OrderId = OrderId::new(Uuid::from_u128(10));

fn one_of_each() -> Vec<AnyEvent> {
    let payment_id = PaymentId::for_order(ORDER);
    let price = Money::from_cents(1999);
    vec![
        AnyEvent::User(
            UserRegistered {
                email: Email::parse("a@b.io").unwrap(),
                password_hash: "h".into(),
            }
            .into(),
        ),
        AnyEvent::UserEmail(EmailClaimed { user_id: USER }.into()),
        AnyEvent::Ticket(
            TicketCreated {
                title: "T".into(),
                price,
                user_id: USER,
            }
            .into(),
        ),
        AnyEvent::Ticket(
            TicketUpdated {
                title: "U".into(),
                price,
            }
            .into(),
        ),
        AnyEvent::Ticket(TicketReserved { order_id: ORDER }.into()),
        AnyEvent::Ticket(TicketReleased { order_id: ORDER }.into()),
        AnyEvent::Reservation(TicketHeld { order_id: ORDER }.into()),
        AnyEvent::Reservation(TicketFreed { order_id: ORDER }.into()),
        AnyEvent::Order(
            OrderCreated {
                user_id: USER,
                ticket: OrderedTicket { id: TICKET, price },
                expires_at: Timestamp::from_millis(1_796_454_900_000),
            }
            .into(),
        ),
        AnyEvent::Order(
            OrderCancelled {
                reason: CancelReason::User,
            }
            .into(),
        ),
        AnyEvent::Order(OrderCompleted { payment_id }.into()),
        AnyEvent::Order(OrderPaymentRefused { payment_id }.into()),
        AnyEvent::Expiration(OrderExpirationDue { order_id: ORDER }.into()),
        AnyEvent::Payment(
            PaymentCaptured {
                order_id: ORDER,
                charge_id: "ch_1".into(),
                amount: price,
            }
            .into(),
        ),
        AnyEvent::Payment(
            PaymentRefunded {
                order_id: ORDER,
                charge_id: "ch_1".into(),
                reason: "r".into(),
            }
            .into(),
        ),
    ]
}

fn data(event: &impl DomainEvent) -> Value {
    serde_json::from_slice(&event.to_data()).unwrap()
}

#[test]
fn every_event_type_round_trips_under_its_stable_name() {
    let spec_names = [
        "UserRegistered",
        "EmailClaimed",
        "TicketCreated",
        "TicketUpdated",
        "TicketReserved",
        "TicketReleased",
        "TicketHeld",
        "TicketFreed",
        "OrderCreated",
        "OrderCancelled",
        "OrderCompleted",
        "OrderPaymentRefused",
        "OrderExpirationDue",
        "PaymentCaptured",
        "PaymentRefunded",
    ];
    let events = one_of_each();
    let names: Vec<&str> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(names, spec_names);
    assert_eq!(AnyEvent::TYPES, spec_names);
    assert_eq!(ALL_EVENT_TYPES.concat(), spec_names);
    for event in events {
        let decoded = AnyEvent::decode(event.event_type(), &event.to_data()).unwrap();
        assert_eq!(decoded, event);
    }
}

#[test]
fn each_aggregate_decodes_its_own_events() {
    let event: TicketEvent = TicketReserved { order_id: ORDER }.into();
    assert_eq!(
        TicketEvent::decode("TicketReserved", &event.to_data()),
        Ok(event)
    );
    assert_eq!(
        TicketEvent::decode("OrderCreated", b"{}"),
        Err(DecodeError::UnknownType("OrderCreated".into()))
    );
}

#[test]
fn payloads_have_camel_case_fields_and_money_in_cents() {
    let events = one_of_each();
    let uid = USER.to_string();
    let oid = ORDER.to_string();
    assert_eq!(
        data(&events[0]),
        json!({"email": "a@b.io", "passwordHash": "h"})
    );
    assert_eq!(data(&events[1]), json!({"userId": uid}));
    assert_eq!(
        data(&events[2]),
        json!({"title": "T", "price": 1999, "userId": uid})
    );
    assert_eq!(data(&events[6]), json!({"orderId": oid}));
    assert_eq!(
        data(&events[8]),
        json!({"userId": uid, "ticket": {"id": TICKET.to_string(), "price": 1999}, "expiresAt": 1_796_454_900_000u64})
    );
    assert_eq!(data(&events[9]), json!({"reason": "user"}));
    assert_eq!(
        data(&OrderEvent::from(OrderCancelled {
            reason: CancelReason::Expired
        })),
        json!({"reason": "expired"})
    );
    assert_eq!(
        data(&events[10]),
        json!({"paymentId": PaymentId::for_order(ORDER).to_string()})
    );
    assert_eq!(
        data(&events[13]),
        json!({"orderId": oid, "chargeId": "ch_1", "amount": 1999})
    );
    assert_eq!(
        data(&events[14]),
        json!({"orderId": oid, "chargeId": "ch_1", "reason": "r"})
    );
}

#[test]
fn an_unknown_type_and_a_bad_payload_are_told_apart() {
    assert_eq!(
        AnyEvent::decode("TicketSold", b"{}"),
        Err(DecodeError::UnknownType("TicketSold".into()))
    );
    let bad = AnyEvent::decode("TicketCreated", br#"{"title": 1}"#).unwrap_err();
    assert!(
        matches!(bad, DecodeError::BadPayload { ref event_type, .. } if event_type == "TicketCreated")
    );
}

#[test]
fn metadata_is_camel_case_and_follows_the_chain() {
    let request = Uuid::from_u128(100);
    let first = EventMetadata::for_command(request, Some(USER));
    assert_eq!(
        serde_json::to_value(first).unwrap(),
        json!({"correlationId": request.to_string(), "causationId": request.to_string(), "userId": USER.to_string()})
    );
    let trigger = Uuid::from_u128(200);
    let next = EventMetadata::reacting_to(trigger, &first);
    assert_eq!(
        (next.correlation_id, next.causation_id, next.user_id),
        (request, trigger, Some(USER))
    );
    assert_eq!(
        EventMetadata::from_json_bytes(&next.to_json_bytes()),
        Ok(next)
    );
    let system: EventMetadata =
        serde_json::from_value(json!({"correlationId": request, "causationId": request})).unwrap();
    assert_eq!(system.user_id, None);
}

#[test]
fn a_redelivered_trigger_derives_the_same_event_ids() {
    let trigger = Uuid::from_u128(200);
    assert_eq!(
        derived_event_id(trigger, "tickets/reserve"),
        derived_event_id(trigger, "tickets/reserve")
    );
    assert_ne!(
        derived_event_id(trigger, "tickets/reserve"),
        derived_event_id(trigger, "orders/complete")
    );
    assert_ne!(
        derived_event_id(trigger, "x"),
        derived_event_id(Uuid::from_u128(201), "x")
    );
    let ids = derived_event_ids(trigger, "x", 3);
    assert_eq!(ids, derived_event_ids(trigger, "x", 3));
    assert_eq!(ids.len(), 3);
    assert!(ids[0] != ids[1] && ids[1] != ids[2]);
}

#[test]
fn streams_are_named_category_dash_id() {
    let stream = Ticket::stream_name(TICKET);
    assert_eq!(stream, format!("ticket-{TICKET}"));
    assert_eq!(
        split_stream_name(&stream),
        Some(("ticket", TICKET.to_string().as_str()))
    );
    assert_eq!(
        split_stream_name("useremail-a-b@c.io"),
        Some(("useremail", "a-b@c.io"))
    );
    assert_eq!(split_stream_name("nodash"), None);
}
