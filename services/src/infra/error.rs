//! Errors of service operations, each saying what the caller (a gateway or a reaction
//! loop) should do.

use eventlog::LogError;

/// A command that ran the load → decide → append loop.
#[derive(Debug, thiserror::Error)]
pub enum CommandError<E> {
    /// The domain refused: answer with the rule that was broken (its `ErrorKind`).
    #[error(transparent)]
    Rejected(E),
    /// Conflicting writers kept winning after the bounded retries: 409, the caller may retry.
    #[error("the stream kept changing; gave up after {attempts} attempts")]
    Conflict { attempts: u32 },
    /// Anything else: 500 for a request; retry later for a reaction.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl<E> From<LogError> for CommandError<E> {
    fn from(error: LogError) -> Self {
        CommandError::Service(ServiceError::Log(error))
    }
}

/// Failures of the machinery, not of business rules.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The log failed: 500 for a request; retry later for a reaction.
    #[error("event log: {0}")]
    Log(#[from] LogError),
    /// An event in the log could not be decoded: a bug or corruption; never skipped.
    #[error("undecodable event in {stream} at revision {revision}: {reason}")]
    Corrupt {
        stream: String,
        revision: u64,
        reason: String,
    },
    /// A read model failed: 500; the runner's error is in the log.
    #[error("read model: {0}")]
    ReadModel(#[from] projections::ProjectionError),
    /// The service's own read model did not reach the write in time: 503, the write stands.
    #[error("read model not caught up: {0}")]
    NotCaughtUp(#[from] projections::ProgressWaitError),
    /// The bus failed: the reaction stops; restart once it is healthy.
    #[error("bus: {0}")]
    Bus(#[from] bus::BusError),
    /// A local store (sled tree outside projections) failed: 500 / retry later.
    #[error("store: {0}")]
    Store(String),
    /// The payment provider failed in a way the buyer cannot fix: 500 / retry later.
    #[error("payment provider: {0}")]
    Provider(String),
}

impl From<sled::Error> for ServiceError {
    fn from(error: sled::Error) -> Self {
        ServiceError::Store(error.to_string())
    }
}
