//! The bus: durable named consumers that fan the log's events out to the services that
//! react to them, with explicit acknowledgement, redelivery after the ack wait, delayed
//! retry on request, bounded attempts and then a dead letter operators can list and
//! re-drive. Replicas of one consumer share its work.
//!
//! The bus carries copies of log events; the log stays the only source of truth. Nothing
//! here decides business rules.
//!
//! # Layout
//! - `port`: the `Bus` trait, `ConsumerConfig`, `Consumer`, `Delivery`, state and dead letters.
//! - `error`: `BusError`.
//! - `embedded`: the in-process backend: a checkpointed tail of the log per consumer,
//!   its checkpoints and dead letters kept in sled.
//! - `jetstream`: the NATS JetStream backend (durable pull consumers, dead letters and
//!   advisories in streams) and the `Relay` that publishes a log's events to it.
//! - `any`: `AnyBus`, the backend chosen at start-up.
//! - `nats_server`: starting a local nats-server for tests and local runs.
//! - `conformance`: the tests every backend runs.

mod any;
pub mod conformance;
pub mod embedded;
mod error;
pub mod jetstream;
pub mod nats_server;
mod port;

pub use any::AnyBus;
pub use embedded::EmbeddedBus;
pub use error::BusError;
pub use jetstream::{
    CheckpointFile, JetStreamBus, JetStreamOptions, Relay, RelayHandle, RelayOptions,
};
pub use port::{Bus, Consumer, ConsumerConfig, ConsumerState, DeadLetter, Delivery};
