//! The event log port: what every backend promises (see `conformance` for the tests).

use std::future::Future;
use std::pin::Pin;

use futures::Stream;
use uuid::Uuid;

use crate::LogError;

/// The revision a caller expects a stream to be at when it appends.
/// The revision of a stream is the revision of its last event; the first event has revision 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedRevision {
    /// No check at all.
    Any,
    /// The stream must not exist yet (no event was ever appended to it).
    NoStream,
    /// The stream must already have at least one event.
    StreamExists,
    /// The stream's last event must have exactly this revision.
    Exact(u64),
}

/// One event as the caller hands it to `append`. The log stores bytes; it never looks
/// inside `data` or `metadata`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Unique id; appending the same ids again to the same stream is an idempotent retry.
    pub id: Uuid,
    /// Stable type name, e.g. `TicketCreated`.
    pub event_type: String,
    pub data: Vec<u8>,
    pub metadata: Vec<u8>,
}

/// One event as stored, with the numbers the log gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub id: Uuid,
    /// `{category}-{id}`.
    pub stream: String,
    /// Revision in its stream (0-based): the aggregate's version.
    pub revision: u64,
    /// Position in the global order of the whole log (0-based, gap-free in the file log).
    pub position: u64,
    pub event_type: String,
    pub data: Vec<u8>,
    pub metadata: Vec<u8>,
    /// Milliseconds since the Unix epoch at which the log recorded the event.
    pub recorded_at_ms: u64,
}

impl RecordedEvent {
    /// The category of the event's stream: the part before the first `-`.
    pub fn category(&self) -> &str {
        category_of(&self.stream)
    }
}

/// The category of a stream name: the part before the first `-` (the whole name if none).
pub fn category_of(stream: &str) -> &str {
    stream
        .split_once('-')
        .map_or(stream, |(category, _)| category)
}

/// What a successful append reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    /// The stream's revision after the append (the revision of the last event appended).
    pub next_expected_revision: u64,
    /// Global position of the first event of this append.
    pub first_position: u64,
    /// Global position of the last event of this append.
    pub last_position: u64,
}

/// Direction of a stream read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forwards,
    Backwards,
}

/// Which events a global read or subscription returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CategoryFilter {
    #[default]
    All,
    /// Only events of streams in these categories.
    Categories(Vec<String>),
}

impl CategoryFilter {
    pub fn categories<I, S>(categories: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CategoryFilter::Categories(categories.into_iter().map(Into::into).collect())
    }

    pub fn matches(&self, stream: &str) -> bool {
        match self {
            CategoryFilter::All => true,
            CategoryFilter::Categories(categories) => {
                let category = category_of(stream);
                categories.iter().any(|c| c == category)
            }
        }
    }
}

/// Metadata of one stream, for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInfo {
    pub stream: String,
    /// Revision of the stream's last event.
    pub last_revision: u64,
}

/// A live subscription: catch-up from a position, then live, no gap and no duplicate
/// at the seam. Ends only with an error (or when the log is closed).
pub type Subscription = Pin<Box<dyn Stream<Item = Result<RecordedEvent, LogError>> + Send>>;

/// The event log port. Every backend passes `conformance`.
///
/// Futures are `Send` so handlers can run on any tokio worker.
pub trait EventLog: Send + Sync + 'static {
    /// Appends `events` to `stream` atomically (all or none) if the stream is at
    /// `expected`. A retry of an earlier call with the same event ids, in the same
    /// order, returns that call's outcome and appends nothing (whatever `expected` says).
    /// An empty `events` only checks `expected` and reports the stream's current state:
    /// its last revision and that event's position, or, for a stream that does not
    /// exist, `next_expected_revision = u64::MAX` (KurrentDB's -1) and the head position.
    fn append(
        &self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> impl Future<Output = Result<AppendOutcome, LogError>> + Send;

    /// Reads up to `max` events of `stream` starting at revision `from` (inclusive),
    /// forwards or backwards. `from = u64::MAX` backwards means "from the end".
    /// A stream that does not exist reads as empty.
    fn read_stream(
        &self,
        stream: &str,
        from: u64,
        direction: Direction,
        max: usize,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>, LogError>> + Send;

    /// Reads up to `max` events in global order with `position >= from` matching `filter`.
    fn read_all(
        &self,
        from: u64,
        max: usize,
        filter: &CategoryFilter,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>, LogError>> + Send;

    /// Follows the log: every event with `position >= from` matching `filter`, first the
    /// stored ones, then new ones as they are appended.
    fn subscribe(&self, from: u64, filter: CategoryFilter) -> Subscription;

    /// The position the next appended event will get (= number of events when gap-free).
    fn head_position(&self) -> impl Future<Output = Result<u64, LogError>> + Send;

    /// The revision of the last event of `stream`, `None` if it does not exist.
    fn stream_revision(
        &self,
        stream: &str,
    ) -> impl Future<Output = Result<Option<u64>, LogError>> + Send;

    /// All categories, sorted.
    fn categories(&self) -> impl Future<Output = Result<Vec<String>, LogError>> + Send;

    /// Streams (all, or of one category), sorted by name.
    fn streams(
        &self,
        category: Option<&str>,
    ) -> impl Future<Output = Result<Vec<StreamInfo>, LogError>> + Send;
}
