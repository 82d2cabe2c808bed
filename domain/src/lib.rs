//! The pure ticketing model: ids, money, time and sign-up values, the events of every
//! aggregate with their stable names and JSON payloads, the decisions (`decide`/`evolve`)
//! of every aggregate, other services' copies of aggregates, and the reactions between
//! services (spec sections 1–3 and 7).
//!
//! What must not live here: I/O of any kind (logs, buses, databases, HTTP), clocks,
//! randomness, async. Time comes in through [`Context`], new ids inside commands; the
//! services around this crate load, decide, append and retry.
//!
//! # Layout
//!
//! - values: [`ids`] (UUID newtypes), [`money`] (integer cents, decimal parsing),
//!   [`time`] (ms timestamps, RFC 3339), [`email`] (email and password rules),
//!   [`metadata`] (event metadata, derived event ids, [`Context`]);
//! - the framework: [`aggregate`] ([`Aggregate`], [`DomainEvent`]), [`error`]
//!   ([`ErrorKind`] for mapping refusals onto answers), [`events`] ([`AnyEvent`]);
//! - one module per aggregate, each with its events, commands, state and errors:
//!   [`user`], [`useremail`], [`ticket`], [`reservation`], [`order`] (with
//!   [`order_status`]), [`expiration`],
//!   [`payment`];
//! - [`copies`]: other services' copies of a ticket or an order and the
//!   "apply only the next revision" rule; [`reactions`]: event in, commands out;
//! - [`testing`]: the given / when / then harness.

pub mod aggregate;
pub mod copies;
pub mod email;
pub mod error;
pub mod events;
pub mod expiration;
pub mod ids;
pub mod metadata;
pub mod money;
pub mod order;
pub mod order_status;
pub mod payment;
pub mod reactions;
pub mod reservation;
pub mod testing;
pub mod ticket;
pub mod time;
pub mod user;
pub mod useremail;

pub use aggregate::{Aggregate, DecodeError, DomainEvent, split_stream_name};
pub use copies::{Arrival, OrderCopy, TicketCopy, classify};
pub use email::{Email, InvalidEmail, InvalidPassword, validate_password};
pub use error::{DomainError, ErrorKind};
pub use events::{ALL_EVENT_TYPES, AnyEvent};
pub use expiration::{
    Expiration, ExpirationCommand, ExpirationEvent, ExpirationState, OrderExpirationDue,
};
pub use ids::{MalformedId, OrderId, PaymentId, TicketId, UserId};
pub use metadata::{Context, EventMetadata, derived_event_id, derived_event_ids};
pub use money::{Money, MoneyError};
pub use order::{
    CancelReason, EXPIRATION_WINDOW_SECONDS, Order, OrderCancelled, OrderCommand, OrderCompleted,
    OrderCreated, OrderError, OrderEvent, OrderPaymentRefused, OrderState, OrderStatus,
    OrderedTicket,
};
pub use payment::{
    CURRENCY, Capture, ChargeRequest, Payment, PaymentCaptured, PaymentCommand, PaymentError,
    PaymentEvent, PaymentRefunded, PaymentState, authorize_payment,
};
pub use reservation::{
    FreeTicket, Reservation, ReservationCommand, ReservationError, ReservationEvent,
    ReservationState, TicketFreed, TicketHeld,
};
pub use ticket::{
    Ticket, TicketCommand, TicketCreated, TicketError, TicketEvent, TicketReleased, TicketReserved,
    TicketState, TicketUpdated, validate_ticket,
};
pub use time::Timestamp;
pub use user::{User, UserCommand, UserError, UserEvent, UserRegistered, UserState};
pub use useremail::{
    EmailClaimed, UserEmail, UserEmailCommand, UserEmailError, UserEmailEvent, UserEmailState,
};
