//! Operator commands of the one binary: inspect the log (works while the service runs:
//! the log opens read-only beside its writer), inspect and re-drive consumers, rebuild
//! read models.
//!
//! # Layout
//! - `args`: where the data lives (shared flags).
//! - `streams`: categories, streams, one stream, one event, following, tracing a correlation id.
//! - `consumers`: consumer states, dead letters, re-drive, deleting a JetStream prefix.
//! - `replay`: rebuilding a service's read models from the log.
//! - `print`: rendering events for people and as JSON lines.

pub mod args;
pub mod consumers;
mod print;
pub mod replay;
pub mod streams;
