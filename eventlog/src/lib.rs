//! The event log: the port every backend implements, the embedded file log, and the
//! conformance suite that every backend must pass.
//!
//! The log stores bytes: domain types never reach this crate.
//!
//! # Layout
//! - `port`: the `EventLog` trait and its value types.
//! - `error`: `LogError`, each variant saying what the caller should do.
//! - `conformance`: the tests every backend runs (`conformance::run_all`), one file per
//!   promise (expected revisions, idempotency, reads, listing, subscriptions, concurrency).
//! - `file`: `FileLog`, the embedded backend. `format` (record bytes), `segment` (segment
//!   files), `index` (in-memory index), `index_file` (on-disk index), `recovery` and
//!   `scan` (opening, cutting torn tails), `admit` (expected revision and idempotency
//!   checks), `writer` + `sync` (pipelined group commit), `read`, `subscribe`,
//!   `shared` (state readers share with the writer), `event_log` (the trait impl).
//!
//! Domain types, serialization of payloads and network backends' servers do not belong
//! here; the file log's tests beyond the port live in `tests/`.

pub mod conformance;
mod error;
mod file;
mod port;

pub use error::LogError;
pub use file::{FileLog, FileLogOptions};
pub use port::{
    AppendOutcome, CategoryFilter, Direction, EventLog, ExpectedRevision, NewEvent, RecordedEvent,
    StreamInfo, Subscription, category_of,
};
