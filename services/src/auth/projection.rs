//! The `users` read model: who is registered (id → email, registration time). Sign-in
//! reads the streams themselves for strong consistency; this model gives auth its
//! readiness and a place to answer "who is this id" without folding streams.

use domain::{Aggregate, DomainEvent, User, UserEvent};
use eventlog::{CategoryFilter, RecordedEvent};
use projections::{Projection, ProjectionError, Tx};
use serde::{Deserialize, Serialize};

/// One registered user as the read model stores it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRow {
    /// The user's id.
    pub id: String,
    /// The normalised email.
    pub email: String,
    /// When the log recorded the registration (ms since the epoch).
    pub registered_at_ms: u64,
}

/// Builds `users` from the `user` category.
#[derive(Debug, Default)]
pub struct UsersProjection;

impl UsersProjection {
    /// The projection's name (its sled trees and checkpoint derive from it).
    pub const NAME: &'static str = "users";

    /// The key of a user's row.
    pub fn key(id: &str) -> Vec<u8> {
        format!("user/{id}").into_bytes()
    }
}

impl Projection for UsersProjection {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn filter(&self) -> CategoryFilter {
        CategoryFilter::categories([User::CATEGORY])
    }

    fn apply(&self, event: &RecordedEvent, tx: &mut Tx<'_>) -> Result<(), ProjectionError> {
        let decoded = UserEvent::decode(&event.event_type, &event.data).map_err(|e| {
            ProjectionError::Apply {
                position: event.position,
                event_type: event.event_type.clone(),
                reason: e.to_string(),
            }
        })?;
        let Some((_, id)) = domain::split_stream_name(&event.stream) else {
            return Err(ProjectionError::Apply {
                position: event.position,
                event_type: event.event_type.clone(),
                reason: format!("stream name {:?} has no id", event.stream),
            });
        };
        match decoded {
            UserEvent::UserRegistered(registered) => tx.insert_json(
                Self::key(id),
                &UserRow {
                    id: id.to_owned(),
                    email: registered.email.as_str().to_owned(),
                    registered_at_ms: event.recorded_at_ms,
                },
            ),
        }
    }
}
