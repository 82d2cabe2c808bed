//! Reactions: what each service asks of its own aggregates when another service's event
//! arrives (spec section 3). Pure functions, event in, commands out.
//!
//! The calling service runs a reaction only for an event its copy classified as
//! [`Arrival::Next`], appends the resulting events with ids from
//! [`crate::derived_event_id`], then stores its copy and checkpoint, then acknowledges.
//! After a crash anywhere in between the event comes again; the decisions are idempotent
//! (a repeated command decides no events) and the derived ids make a repeated append a
//! duplicate, so the same input twice changes nothing the second time.

pub mod expiration;
pub mod orders;
pub mod payments;
pub mod tickets;

pub use crate::copies::{Arrival, OrderCopy, TicketCopy, classify};
