//! Errors of the event log, each saying what the caller should do.

use std::path::PathBuf;

use crate::ExpectedRevision;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The stream is not at the expected revision: reload the stream, decide again, retry.
    #[error("wrong expected revision on {stream}: expected {expected:?}, stream is at {actual:?}")]
    WrongExpectedRevision {
        stream: String,
        expected: ExpectedRevision,
        /// `None` when the stream does not exist.
        actual: Option<u64>,
    },
    /// Some but not all event ids of the call were already appended, or they were
    /// appended to another stream / in another order: a caller bug, do not retry.
    #[error("event ids of this append were partly or differently appended before: {0}")]
    IdempotencyViolation(String),
    /// The stream name or an event is not acceptable (empty name, too large, ...): fix the input.
    #[error("invalid append: {0}")]
    Invalid(String),
    /// Another process holds the write lock on this log directory: stop the other one.
    #[error("the log at {path} is already open for writing by another process")]
    Locked { path: PathBuf },
    /// A record in the middle of the log is damaged: restore from a backup; never skipped.
    #[error("corrupt record at position {position} (segment {segment}, offset {offset}): {reason}")]
    Corrupt {
        position: u64,
        segment: PathBuf,
        offset: u64,
        reason: String,
    },
    /// The log was opened read-only: appends go to the process that owns it.
    #[error("the log is open read-only")]
    ReadOnly,
    /// The log has been closed (or its writer stopped after an I/O error): reopen it.
    #[error("the log is closed")]
    Closed,
    /// Disk or file system failure: the append was not acknowledged; retry later.
    #[error("i/o error on {context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A backend (network log) failed in a way not covered above: retry later.
    #[error("backend error: {0}")]
    Backend(String),
}

impl LogError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        LogError::Io {
            context: context.into(),
            source,
        }
    }

    /// True for `WrongExpectedRevision`: the caller should reload and decide again.
    pub fn is_conflict(&self) -> bool {
        matches!(self, LogError::WrongExpectedRevision { .. })
    }
}
