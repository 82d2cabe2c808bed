//! Any event of the system, for code that reads every stream (operator tools, relays).

use crate::aggregate::{DecodeError, DomainEvent};
use crate::expiration::ExpirationEvent;
use crate::order::OrderEvent;
use crate::payment::PaymentEvent;
use crate::reservation::ReservationEvent;
use crate::ticket::TicketEvent;
use crate::user::UserEvent;
use crate::useremail::UserEmailEvent;

/// An event of any aggregate; type names are unique across the system, so the type alone
/// says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyEvent {
    /// `user-{id}`.
    User(UserEvent),
    /// `useremail-{email}`.
    UserEmail(UserEmailEvent),
    /// `ticket-{id}`.
    Ticket(TicketEvent),
    /// `reservation-{ticketId}`.
    Reservation(ReservationEvent),
    /// `order-{id}`.
    Order(OrderEvent),
    /// `expiration-{orderId}`.
    Expiration(ExpirationEvent),
    /// `payment-{orderId}`.
    Payment(PaymentEvent),
}

/// Every stable event type name, grouped by aggregate.
pub const ALL_EVENT_TYPES: [&[&str]; 7] = [
    UserEvent::TYPES,
    UserEmailEvent::TYPES,
    TicketEvent::TYPES,
    ReservationEvent::TYPES,
    OrderEvent::TYPES,
    ExpirationEvent::TYPES,
    PaymentEvent::TYPES,
];

impl DomainEvent for AnyEvent {
    const TYPES: &'static [&'static str] = &[
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

    fn event_type(&self) -> &'static str {
        match self {
            Self::User(e) => e.event_type(),
            Self::UserEmail(e) => e.event_type(),
            Self::Ticket(e) => e.event_type(),
            Self::Reservation(e) => e.event_type(),
            Self::Order(e) => e.event_type(),
            Self::Expiration(e) => e.event_type(),
            Self::Payment(e) => e.event_type(),
        }
    }

    fn to_data(&self) -> Vec<u8> {
        match self {
            Self::User(e) => e.to_data(),
            Self::UserEmail(e) => e.to_data(),
            Self::Ticket(e) => e.to_data(),
            Self::Reservation(e) => e.to_data(),
            Self::Order(e) => e.to_data(),
            Self::Expiration(e) => e.to_data(),
            Self::Payment(e) => e.to_data(),
        }
    }

    fn decode(event_type: &str, data: &[u8]) -> Result<Self, DecodeError> {
        let is = |types: &[&str]| types.contains(&event_type);
        if is(UserEvent::TYPES) {
            UserEvent::decode(event_type, data).map(Self::User)
        } else if is(UserEmailEvent::TYPES) {
            UserEmailEvent::decode(event_type, data).map(Self::UserEmail)
        } else if is(TicketEvent::TYPES) {
            TicketEvent::decode(event_type, data).map(Self::Ticket)
        } else if is(ReservationEvent::TYPES) {
            ReservationEvent::decode(event_type, data).map(Self::Reservation)
        } else if is(OrderEvent::TYPES) {
            OrderEvent::decode(event_type, data).map(Self::Order)
        } else if is(ExpirationEvent::TYPES) {
            ExpirationEvent::decode(event_type, data).map(Self::Expiration)
        } else if is(PaymentEvent::TYPES) {
            PaymentEvent::decode(event_type, data).map(Self::Payment)
        } else {
            Err(DecodeError::UnknownType(event_type.to_owned()))
        }
    }
}
