//! Read models: per-service state in sled, built from the log by a runner that writes each
//! batch of applied events together with its checkpoint (the next log position to apply)
//! in one atomic sled batch. A read model that is missing or empty is rebuilt from the
//! log; a rebuild goes into a fresh generation and is swapped in only once complete.
//!
//! Projections decide what to store; this crate decides when and how atomically. No
//! business rules live here.
//!
//! # Layout
//! - `store`: `ReadModels`, the sled database of one service, with generations per projection.
//! - `tx`: `Tx`, the read-your-own-batch view a projection writes through.
//! - `projection`: the `Projection` trait.
//! - `runner`: `run_projection` follows the log; `Progress` lets a command wait for its own writes.
//! - `rebuild`: rebuilds a projection into a new generation and swaps it in.
//! - `error`: `ProjectionError`.
//! - `sled_open`: opening a sled directory whose previous handle is still letting go.

mod error;
mod projection;
mod rebuild;
mod runner;
mod sled_open;
mod store;
mod tx;

pub use error::ProjectionError;
pub use projection::Projection;
pub use rebuild::rebuild;
pub use runner::{Progress, ProgressWaitError, catch_up, run_projection};
pub use sled_open::{is_lock_held, open_with_patience};
pub use store::{KeyValue, ReadModels, View};
pub use tx::Tx;
