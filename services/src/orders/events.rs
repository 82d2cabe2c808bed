//! Small helpers for handling recorded events in orders' reactions: the id in a stream
//! name, decoding, the metadata of a reaction, and how a command's outcome settles a
//! delivery.

use std::fmt::Display;
use std::time::Duration;

use domain::{DomainEvent, EventMetadata};
use eventlog::RecordedEvent;

pub(crate) use crate::infra::stream_id;
use crate::infra::{CommandError, Handled, ServiceError};

/// How long a reaction whose command kept conflicting waits before it runs again.
const CONFLICT_DELAY: Duration = Duration::from_millis(100);

/// The event decoded as `E`, or the reason it never can be (a poison message).
pub(crate) fn decode<E: DomainEvent>(event: &RecordedEvent) -> Result<E, Handled> {
    E::decode(&event.event_type, &event.data).map_err(|error| {
        Handled::Poison(format!(
            "{} revision {}: {error}",
            event.stream, event.revision
        ))
    })
}

/// Metadata of events appended in reaction to `event`: same correlation and user,
/// caused by `event`. Metadata that does not parse starts a new chain at `event`.
pub(crate) fn reacting_to(event: &RecordedEvent) -> EventMetadata {
    EventMetadata::from_json_bytes(&event.metadata).map_or_else(
        |_| EventMetadata::for_command(event.id, None),
        |trigger| EventMetadata::reacting_to(event.id, &trigger),
    )
}

/// How a reaction's command outcome settles its delivery: a refusal can never succeed
/// (dead letter, for operators to look at), a conflict is retried soon, a fault is
/// retried with the consumer's back-off.
pub(crate) fn settle<T, E: Display>(
    outcome: Result<T, CommandError<E>>,
) -> Result<Handled, ServiceError> {
    match outcome {
        Ok(_) => Ok(Handled::Done),
        Err(CommandError::Rejected(refusal)) => Ok(Handled::Poison(format!("refused: {refusal}"))),
        Err(CommandError::Conflict { attempts }) => Ok(Handled::Later {
            delay: CONFLICT_DELAY,
            reason: format!("write conflict after {attempts} attempts"),
        }),
        Err(CommandError::Service(error)) => Err(error),
    }
}
