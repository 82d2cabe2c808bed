//! What travels with every event besides its payload, the decision context, and the
//! derivation of event ids for reactions.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::DecodeError;
use crate::ids::UserId;
use crate::time::Timestamp;

/// The metadata recorded with every event (spec section 3).
///
/// JSON: `{"correlationId": .., "causationId": .., "userId": .. | null}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventMetadata {
    /// The request (or timer) that started the whole chain; shared by every event it caused.
    pub correlation_id: Uuid,
    /// The request id or event id that directly caused this event.
    pub causation_id: Uuid,
    /// The acting user; `None` for the system (expiry, reactions without a user).
    #[serde(default)]
    pub user_id: Option<UserId>,
}

impl EventMetadata {
    /// Metadata of events appended for a request or timer `origin_id`: it starts a chain.
    pub fn for_command(origin_id: Uuid, user_id: Option<UserId>) -> Self {
        Self {
            correlation_id: origin_id,
            causation_id: origin_id,
            user_id,
        }
    }

    /// Metadata of events appended in reaction to the event `trigger_id` that carried
    /// `trigger`: same correlation and user, caused by the trigger.
    pub fn reacting_to(trigger_id: Uuid, trigger: &EventMetadata) -> Self {
        Self {
            correlation_id: trigger.correlation_id,
            causation_id: trigger_id,
            user_id: trigger.user_id,
        }
    }

    /// JSON bytes, as stored in the log next to the data.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        // Three plain fields: serde_json cannot fail on them.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads metadata written by [`EventMetadata::to_json_bytes`].
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        serde_json::from_slice(bytes).map_err(|e| DecodeError::BadPayload {
            event_type: "metadata".to_owned(),
            reason: e.to_string(),
        })
    }
}

/// Fixed namespace of derived event ids. Never change it: ids already in logs depend on it.
const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x2b8e_51f0_7d3c_4a69_b1e4_90c2_6a5d_f317);

/// The id of an event appended in reaction to the event `trigger_event_id`.
///
/// UUID v5 of the trigger id and `discriminator` (say `"tickets/reserve/0"`): a redelivered
/// trigger yields the same ids, so the log recognises the retried append as a duplicate.
/// Use a distinct discriminator per reacting service and per event of one reaction.
pub fn derived_event_id(trigger_event_id: Uuid, discriminator: &str) -> Uuid {
    let mut name = Vec::with_capacity(16 + discriminator.len());
    name.extend_from_slice(trigger_event_id.as_bytes());
    name.extend_from_slice(discriminator.as_bytes());
    Uuid::new_v5(&EVENT_ID_NAMESPACE, &name)
}

/// `count` derived ids for the events of one reaction: `{discriminator}/{index}`.
pub fn derived_event_ids(trigger_event_id: Uuid, discriminator: &str, count: usize) -> Vec<Uuid> {
    (0..count)
        .map(|i| derived_event_id(trigger_event_id, &format!("{discriminator}/{i}")))
        .collect()
}

/// What a decision may know about the world besides its state and command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// The current time, read by the caller.
    pub now: Timestamp,
}

impl Context {
    /// A context at `now`.
    pub const fn at(now: Timestamp) -> Self {
        Self { now }
    }
}
