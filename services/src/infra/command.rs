//! The command loop written once: load → decide → append expecting the loaded revision →
//! on conflict reload and decide again, a bounded number of times.

use std::fmt::Display;

use domain::{Aggregate, Context, EventMetadata, derived_event_ids};
use uuid::Uuid;

use super::store::{append_events, load};
use super::{CommandError, Log};

/// Attempts before a conflict is reported (each one reloads the stream).
const MAX_ATTEMPTS: u32 = 5;

/// Where the ids of appended events come from.
#[derive(Debug, Clone, Copy)]
pub enum EventIds<'a> {
    /// New random ids: a request from a user.
    Fresh,
    /// Derived from the triggering event (UUID v5): a redelivered trigger appends the same
    /// ids, which the log treats as the same append.
    DerivedFrom {
        trigger: Uuid,
        discriminator: &'a str,
    },
}

impl EventIds<'_> {
    fn make(&self, count: usize) -> Vec<Uuid> {
        match self {
            EventIds::Fresh => (0..count).map(|_| Uuid::new_v4()).collect(),
            EventIds::DerivedFrom {
                trigger,
                discriminator,
            } => derived_event_ids(*trigger, discriminator, count),
        }
    }
}

/// What a command did.
#[derive(Debug)]
pub struct Executed<A: Aggregate> {
    /// The state after the command.
    pub state: A::State,
    /// The stream's revision after the command (`None`: still no stream).
    pub revision: Option<u64>,
    /// The events appended (empty: nothing to do, an idempotent repeat).
    pub events: Vec<A::Event>,
    /// Global position of the last appended event, to wait for in read models.
    pub last_position: Option<u64>,
}

/// Runs one command against aggregate `{A::CATEGORY}-{id}`. `command` builds the command
/// from the freshly loaded state on every attempt.
pub async fn execute<A, F>(
    log: &Log,
    id: impl Display,
    ctx: &Context,
    metadata: &EventMetadata,
    ids: EventIds<'_>,
    mut command: F,
) -> Result<Executed<A>, CommandError<A::Error>>
where
    A: Aggregate,
    F: FnMut(&A::State) -> A::Command,
{
    let id = id.to_string();
    for _ in 0..MAX_ATTEMPTS {
        let loaded = load::<A>(log, &id).await?;
        let events = A::decide(&loaded.state, command(&loaded.state), ctx)
            .map_err(CommandError::Rejected)?;
        if events.is_empty() {
            return Ok(Executed {
                state: loaded.state,
                revision: loaded.revision,
                events,
                last_position: None,
            });
        }
        let event_ids = ids.make(events.len());
        match append_events::<A>(log, &id, loaded.expected(), &events, &event_ids, metadata).await {
            Ok(outcome) => {
                let mut state = loaded.state;
                for event in &events {
                    A::evolve(&mut state, event);
                }
                return Ok(Executed {
                    state,
                    revision: Some(outcome.next_expected_revision),
                    events,
                    last_position: Some(outcome.last_position),
                });
            }
            Err(error) if error.is_conflict() => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Err(CommandError::Conflict {
        attempts: MAX_ATTEMPTS,
    })
}
