//! The event log: the port every backend implements, the embedded file log, and the
//! conformance suite that every backend must pass.
//!
//! The log stores bytes: domain types never reach this crate.
//!
//! # Layout
//! - `port`: the `EventLog` trait and its value types.
//! - `error`: `LogError`, each variant saying what the caller should do.
//! - `conformance`: the tests every backend runs (`conformance::run_all`).

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
