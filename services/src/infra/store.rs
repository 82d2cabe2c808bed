//! Typed access to the log: load an aggregate's state from its stream, append its events
//! with metadata and ids.

use std::fmt::Display;

use domain::{Aggregate, DomainEvent, EventMetadata};
use eventlog::{AppendOutcome, Direction, EventLog, ExpectedRevision, NewEvent, RecordedEvent};
use uuid::Uuid;

use super::{Log, ServiceError};

/// Events read per call while loading a stream.
const PAGE: usize = 1024;

/// An aggregate's state and the revision it was built from (`None`: no stream yet).
#[derive(Debug)]
pub struct Loaded<A: Aggregate> {
    pub state: A::State,
    pub revision: Option<u64>,
}

impl<A: Aggregate> Loaded<A> {
    /// The expected revision for appending decisions made on this state.
    pub fn expected(&self) -> ExpectedRevision {
        self.revision
            .map_or(ExpectedRevision::NoStream, ExpectedRevision::Exact)
    }
}

/// The id part of the event's stream name (`order-{id}` → the id), if it parses as `T`.
pub fn stream_id<T: std::str::FromStr>(event: &RecordedEvent) -> Option<T> {
    domain::split_stream_name(&event.stream).and_then(|(_, id)| id.parse().ok())
}

/// Decodes one recorded event of aggregate `A`.
pub fn decode<A: Aggregate>(event: &RecordedEvent) -> Result<A::Event, ServiceError> {
    A::Event::decode(&event.event_type, &event.data).map_err(|e| ServiceError::Corrupt {
        stream: event.stream.clone(),
        revision: event.revision,
        reason: e.to_string(),
    })
}

/// Loads the state of `{A::CATEGORY}-{id}` by folding its whole stream.
pub async fn load<A: Aggregate>(log: &Log, id: impl Display) -> Result<Loaded<A>, ServiceError> {
    let stream = A::stream_name(id);
    let mut state = A::State::default();
    let mut revision = None;
    let mut from = 0;
    loop {
        let events = log
            .read_stream(&stream, from, Direction::Forwards, PAGE)
            .await?;
        let count = events.len();
        for event in &events {
            A::evolve(&mut state, &decode::<A>(event)?);
            revision = Some(event.revision);
            from = event.revision + 1;
        }
        if count < PAGE {
            return Ok(Loaded { state, revision });
        }
    }
}

/// Encodes domain events for the log with their ids and metadata.
pub fn record<E: DomainEvent>(
    events: &[E],
    ids: &[Uuid],
    metadata: &EventMetadata,
) -> Vec<NewEvent> {
    let metadata = metadata.to_json_bytes();
    events
        .iter()
        .zip(ids)
        .map(|(event, id)| NewEvent {
            id: *id,
            event_type: event.event_type().to_owned(),
            data: event.to_data(),
            metadata: metadata.clone(),
        })
        .collect()
}

/// Appends `events` of aggregate `A` to `{A::CATEGORY}-{id}`.
pub async fn append_events<A: Aggregate>(
    log: &Log,
    id: impl Display,
    expected: ExpectedRevision,
    events: &[A::Event],
    ids: &[Uuid],
    metadata: &EventMetadata,
) -> Result<AppendOutcome, eventlog::LogError> {
    log.append(&A::stream_name(id), expected, record(events, ids, metadata))
        .await
}
