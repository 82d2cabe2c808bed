//! The `Projection` trait: how one read model applies log events.

use eventlog::{CategoryFilter, RecordedEvent};

use crate::{ProjectionError, Tx};

/// One read model. `apply` must be deterministic: rebuilding from the log must give the
/// same content as building incrementally.
pub trait Projection: Send + Sync + 'static {
    /// Stable name: its sled trees and checkpoint derive from it. `[a-z0-9_]+`.
    fn name(&self) -> &'static str;

    /// The categories it reads. Other events only move the checkpoint.
    fn filter(&self) -> CategoryFilter;

    /// Applies one event through `tx`; an error stops the runner (never skipped).
    fn apply(&self, event: &RecordedEvent, tx: &mut Tx<'_>) -> Result<(), ProjectionError>;
}
