//! Dead letters as messages of the dead-letter stream: subject `{prefix}-dead.{consumer}`,
//! the event's headers and payload (so the letter carries its event), plus the
//! `DeadLetter` as JSON in a header. Re-driving publishes the event to
//! `{prefix}-redrive.{consumer}`, which only that consumer's companion durable reads; the
//! letter is deleted once the re-driven copy is settled.

use std::time::{SystemTime, UNIX_EPOCH};

use async_nats::jetstream::consumer::{self, pull};
use async_nats::jetstream::message::PublishMessage;
use eventlog::RecordedEvent;
use futures::{StreamExt, TryStreamExt};
use uuid::Uuid;

use super::codec;
use super::{Shared, backend, is_not_found};
use crate::{BusError, DeadLetter};

/// The `DeadLetter` JSON on a dead-letter message.
const LETTER: &str = "Ticketing-Dead-Letter";
/// On a re-driven copy: the sequence of the dead letter it re-drives.
pub(crate) const REDRIVES: &str = "Ticketing-Redrives";
/// Errors are kept short enough for a header.
const MAX_ERROR_LEN: usize = 4096;

/// A dead letter and its place in the dead-letter stream.
#[derive(Debug, Clone)]
pub(crate) struct StoredLetter {
    pub letter: DeadLetter,
    pub sequence: u64,
}

/// Where a delivery came from: it decides the dead letter's id and what a settle cleans up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The event stream, at this sequence.
    Events { sequence: u64 },
    /// A re-driven copy at `sequence` in the dead-letter stream, re-driving `dead_letter`.
    Redrive { sequence: u64, dead_letter: u64 },
}

impl Origin {
    /// The same for the handler's give-up and the advisory of the same delivery, so the
    /// stream's duplicate window keeps one letter when both fire.
    fn letter_id(self, consumer: &str) -> String {
        match self {
            Origin::Events { sequence } => format!("dead:{consumer}:{sequence}"),
            Origin::Redrive { sequence, .. } => format!("dead:{consumer}:redrive:{sequence}"),
        }
    }
}

/// Stores a dead letter for `event` and, for a re-driven copy, removes the letter it
/// re-drove. Returns once the server has stored it.
pub(crate) async fn write(
    shared: &Shared,
    consumer: &str,
    event: &RecordedEvent,
    origin: Origin,
    attempts: u32,
    mut error: String,
) -> Result<(), BusError> {
    if error.len() > MAX_ERROR_LEN {
        let mut cut = MAX_ERROR_LEN;
        while !error.is_char_boundary(cut) {
            cut -= 1;
        }
        error.truncate(cut);
    }
    let letter = DeadLetter {
        consumer: consumer.to_owned(),
        event_id: event.id,
        stream: event.stream.clone(),
        revision: event.revision,
        position: event.position,
        event_type: event.event_type.clone(),
        attempts,
        error,
        dead_at_ms: now_ms(),
    };
    let (mut headers, payload) = codec::encode(event)?;
    let json = serde_json::to_string(&letter).map_err(|e| backend("encoding a dead letter", e))?;
    codec::put(&mut headers, LETTER, &json)?;
    let publish = PublishMessage::build()
        .headers(headers)
        .payload(payload)
        .message_id(origin.letter_id(consumer));
    shared
        .js
        .send_publish(shared.names.dead_letter_subject(consumer), publish)
        .await
        .map_err(|e| backend("publishing a dead letter", e))?
        .await
        .map_err(|e| backend("storing a dead letter", e))?;
    tracing::warn!(consumer, event_id = %letter.event_id, event_type = %letter.event_type, error = %letter.error, "event moved to the dead letters");
    if let Origin::Redrive { dead_letter, .. } = origin
        && dead_letter > 0
    {
        remove(shared, dead_letter).await?;
    }
    Ok(())
}

/// Deletes the dead letter at `sequence` (gone already is fine).
pub(crate) async fn remove(shared: &Shared, sequence: u64) -> Result<(), BusError> {
    let stream = shared
        .js
        .get_stream_no_info(shared.names.dead_letter_stream())
        .await
        .map_err(|e| backend("opening the dead-letter stream", e))?;
    match stream.delete_message(sequence).await {
        Ok(_) => Ok(()),
        Err(error) if is_not_found(&error) => Ok(()),
        Err(error) => Err(backend("deleting a dead letter", error)),
    }
}

/// The dead letters of `consumer`, oldest first.
pub(crate) async fn list(shared: &Shared, consumer: &str) -> Result<Vec<StoredLetter>, BusError> {
    let subject = shared.names.dead_letter_subject(consumer);
    let stream = shared
        .js
        .get_stream_no_info(shared.names.dead_letter_stream())
        .await
        .map_err(|e| backend("opening the dead-letter stream", e))?;
    // Most consumers have none: one cheap request answers that.
    let counts: Vec<(String, usize)> = stream
        .info_with_subjects(&subject)
        .await
        .map_err(|e| backend("counting dead letters", e))?
        .try_collect()
        .await
        .map_err(|e| backend("counting dead letters", e))?;
    if counts.iter().all(|(_, count)| *count == 0) {
        return Ok(Vec::new());
    }
    let reader: consumer::PullConsumer = stream
        .create_consumer(pull::Config {
            filter_subject: subject,
            ack_policy: consumer::AckPolicy::None,
            deliver_policy: consumer::DeliverPolicy::All,
            inactive_threshold: std::time::Duration::from_secs(30),
            ..Default::default()
        })
        .await
        .map_err(|e| backend("reading dead letters", e))?;
    let mut letters = Vec::new();
    let outcome = read_all(&reader, &mut letters).await;
    let name = reader.cached_info().name.clone();
    if let Err(error) = stream.delete_consumer(&name).await {
        tracing::debug!(%error, "deleting a dead-letter reader failed; it expires by itself");
    }
    outcome?;
    Ok(letters)
}

async fn read_all(
    reader: &consumer::PullConsumer,
    letters: &mut Vec<StoredLetter>,
) -> Result<(), BusError> {
    loop {
        let mut batch = reader
            .fetch()
            .max_messages(256)
            .messages()
            .await
            .map_err(|e| backend("reading dead letters", e))?;
        let mut last_pending = None;
        while let Some(message) = batch.next().await {
            let message = message.map_err(|e| backend("reading dead letters", e))?;
            let info = message
                .info()
                .map_err(|e| backend("reading dead letters", e))?;
            let sequence = info.stream_sequence;
            last_pending = Some(info.pending);
            let letter = message
                .headers
                .as_ref()
                .and_then(|h| h.get(LETTER))
                .and_then(|json| serde_json::from_str::<DeadLetter>(json.as_str()).ok());
            match letter {
                Some(letter) => letters.push(StoredLetter { letter, sequence }),
                None => tracing::warn!(sequence, "skipping a malformed dead letter"),
            }
        }
        match last_pending {
            Some(0) | None => return Ok(()),
            Some(_) => {}
        }
    }
}

/// Publishes the event of `consumer`'s dead letter `event_id` for that consumer alone.
pub(crate) async fn redrive(
    shared: &Shared,
    consumer: &str,
    event_id: Uuid,
) -> Result<(), BusError> {
    let stored = list(shared, consumer)
        .await?
        .into_iter()
        .find(|stored| stored.letter.event_id == event_id)
        .ok_or_else(|| {
            BusError::NotFound(format!("no dead letter {event_id} for consumer {consumer}"))
        })?;
    let stream = shared
        .js
        .get_stream_no_info(shared.names.dead_letter_stream())
        .await
        .map_err(|e| backend("opening the dead-letter stream", e))?;
    let message = stream
        .get_raw_message(stored.sequence)
        .await
        .map_err(|e| backend("reading a dead letter", e))?;
    let event = codec::decode(Some(&message.headers), &message.payload)?;
    let (mut headers, payload) = codec::encode(&event)?;
    codec::put(&mut headers, REDRIVES, &stored.sequence.to_string())?;
    let publish = PublishMessage::build()
        .headers(headers)
        .payload(payload)
        .message_id(format!("redrive:{consumer}:{}", stored.sequence));
    shared
        .js
        .send_publish(shared.names.redrive_subject(consumer), publish)
        .await
        .map_err(|e| backend("publishing a re-driven event", e))?
        .await
        .map_err(|e| backend("storing a re-driven event", e))?;
    Ok(())
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
