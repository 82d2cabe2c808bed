//! Errors of read models, each saying what the caller should do.

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// sled failed: the runner stops; check the disk, then restart (the checkpoint is consistent).
    #[error("read model store error: {0}")]
    Store(String),
    /// Reading the log failed: the runner stops; restart once the log is healthy.
    #[error("log error: {0}")]
    Log(#[from] eventlog::LogError),
    /// An event in the log could not be decoded or applied: a bug or a corrupt event;
    /// the runner stops rather than skip it. Fix the projection and restart.
    #[error("cannot apply event at position {position} ({event_type}): {reason}")]
    Apply {
        position: u64,
        event_type: String,
        reason: String,
    },
    /// Stored bytes are not what this version expects: rebuild the read model.
    #[error("corrupt read model value: {0}")]
    Corrupt(String),
}

impl From<sled::Error> for ProjectionError {
    fn from(error: sled::Error) -> Self {
        ProjectionError::Store(error.to_string())
    }
}

impl From<sled::transaction::TransactionError<ProjectionError>> for ProjectionError {
    fn from(error: sled::transaction::TransactionError<ProjectionError>) -> Self {
        match error {
            sled::transaction::TransactionError::Abort(inner) => inner,
            sled::transaction::TransactionError::Storage(e) => {
                ProjectionError::Store(e.to_string())
            }
        }
    }
}
