//! Errors of the bus, each saying what the caller should do.

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// Reading the log failed: the consumer stops; restart it once the log is healthy.
    #[error("log error: {0}")]
    Log(#[from] eventlog::LogError),
    /// The bus's own state store failed: the consumer stops; check the disk.
    #[error("bus state store error: {0}")]
    Store(String),
    /// The consumer configuration is not acceptable: fix it.
    #[error("invalid consumer configuration: {0}")]
    InvalidConfig(String),
    /// No such consumer or dead letter: check the name or id.
    #[error("not found: {0}")]
    NotFound(String),
    /// The bus was shut down: stop consuming.
    #[error("the bus is closed")]
    Closed,
    /// A network bus failed in a way not covered above: retry later.
    #[error("backend error: {0}")]
    Backend(String),
}

impl From<sled::Error> for BusError {
    fn from(error: sled::Error) -> Self {
        BusError::Store(error.to_string())
    }
}
