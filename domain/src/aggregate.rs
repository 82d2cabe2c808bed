//! The two traits every aggregate implements: decisions (`Aggregate`) and the stable
//! encoding of its events (`DomainEvent`).

use std::borrow::Borrow;
use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::DomainError;
use crate::metadata::Context;

/// Bytes from the log could not be turned back into an event.
///
/// Both mean the log holds something this build does not understand: stop and alert
/// (never skip silently), or dead-letter the message when it came from another service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The type name is not one of this aggregate's events.
    #[error("unknown event type {0:?}")]
    UnknownType(String),
    /// The type is known but its JSON does not match the payload.
    #[error("bad payload for {event_type}: {reason}")]
    BadPayload {
        /// The stable type name that was being decoded.
        event_type: String,
        /// serde_json's explanation.
        reason: String,
    },
}

/// An event with a stable name and a JSON payload (camelCase fields, money in cents).
pub trait DomainEvent: Sized {
    /// Every type name this enum can decode, in declaration order.
    const TYPES: &'static [&'static str];

    /// The stable, system-wide unique type name (`TicketReserved`).
    fn event_type(&self) -> &'static str;

    /// The JSON payload, without the type name.
    fn to_data(&self) -> Vec<u8>;

    /// The event recorded as `event_type` with payload `data`.
    fn decode(event_type: &str, data: &[u8]) -> Result<Self, DecodeError>;
}

/// A consistency boundary: pure decisions over the state folded from its stream.
///
/// No I/O, no clock, no randomness: time comes in through [`Context`], new ids inside
/// commands. The caller loads the stream, calls [`Aggregate::decide`], appends the events
/// expecting the revision it loaded, and retries from the load on a conflict.
pub trait Aggregate {
    /// The stream category: streams are named `{CATEGORY}-{id}`.
    const CATEGORY: &'static str;
    /// What decisions need to know, built by [`Aggregate::evolve`].
    type State: Default + Clone;
    /// What may be asked of the aggregate.
    type Command;
    /// What it records.
    type Event: DomainEvent;
    /// Why it refuses.
    type Error: DomainError;

    /// The events that carry out `command`, or why it is refused. An empty list means
    /// there is nothing to do (an idempotent repeat): append nothing, answer success.
    fn decide(
        state: &Self::State,
        command: Self::Command,
        ctx: &Context,
    ) -> Result<Vec<Self::Event>, Self::Error>;

    /// Applies one recorded event. Must not fail: the event already happened.
    fn evolve(state: &mut Self::State, event: &Self::Event);

    /// The state after `events`, in stream order.
    fn fold<I>(events: I) -> Self::State
    where
        I: IntoIterator,
        I::Item: Borrow<Self::Event>,
    {
        let mut state = Self::State::default();
        for event in events {
            Self::evolve(&mut state, event.borrow());
        }
        state
    }

    /// The name of the stream of the instance `id`: `{CATEGORY}-{id}`.
    fn stream_name(id: impl Display) -> String {
        format!("{}-{}", Self::CATEGORY, id)
    }
}

/// Splits a stream name into category and id at the first `-` (`order-1b2c…`).
pub fn split_stream_name(stream: &str) -> Option<(&str, &str)> {
    stream
        .split_once('-')
        .filter(|(category, id)| !category.is_empty() && !id.is_empty())
}

/// JSON bytes of a payload struct.
pub(crate) fn encode_payload<P: Serialize>(payload: &P) -> Vec<u8> {
    // Payloads are structs of strings, numbers and UUIDs with string keys: serde_json
    // cannot fail on them, so the empty fallback is unreachable.
    serde_json::to_vec(payload).unwrap_or_default()
}

/// The payload struct in `data`, recorded as `event_type`.
pub(crate) fn decode_payload<P: DeserializeOwned>(
    event_type: &str,
    data: &[u8],
) -> Result<P, DecodeError> {
    serde_json::from_slice(data).map_err(|e| DecodeError::BadPayload {
        event_type: event_type.to_owned(),
        reason: e.to_string(),
    })
}

/// Implements [`DomainEvent`] for an enum whose variants are named like their payload
/// structs (`TicketEvent::TicketCreated(TicketCreated)`): the variant name is the stable
/// type name, so renaming a variant is a breaking change to the event contract.
macro_rules! domain_event {
    ($enum:ident { $($variant:ident),+ $(,)? }) => {
        impl $crate::aggregate::DomainEvent for $enum {
            const TYPES: &'static [&'static str] = &[$(stringify!($variant)),+];

            fn event_type(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => stringify!($variant),)+
                }
            }

            fn to_data(&self) -> Vec<u8> {
                match self {
                    $(Self::$variant(payload) => $crate::aggregate::encode_payload(payload),)+
                }
            }

            fn decode(
                event_type: &str,
                data: &[u8],
            ) -> Result<Self, $crate::aggregate::DecodeError> {
                match event_type {
                    $(stringify!($variant) => {
                        $crate::aggregate::decode_payload(event_type, data).map(Self::$variant)
                    })+
                    other => Err($crate::aggregate::DecodeError::UnknownType(other.to_owned())),
                }
            }
        }

        $(
            impl From<$variant> for $enum {
                fn from(payload: $variant) -> Self {
                    Self::$variant(payload)
                }
            }
        )+
    };
}

pub(crate) use domain_event;
