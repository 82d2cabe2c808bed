//! The five services on the log: each turns commands into events with the pure `domain`
//! (load → decide → append with the expected revision → on conflict reload and decide
//! again), keeps its read models in its own sled database, and reacts to other services'
//! events through durable bus consumers. HTTP lives in `gateways`; wiring of processes in
//! the `ticketing` binary.
//!
//! # Layout
//! - `infra`: what every service shares: the runtime (`Runtime`: log, bus, settings,
//!   shutdown, task tracking), typed load/append and the command loop (`execute`),
//!   reaction consumers (`run_reaction`), readiness, `ServiceError`.
//! - one module per service: `auth`, `tickets`, `orders`, `expiration`, `payments`, each
//!   with its commands, queries, read models (projections) and reactions.

pub mod auth;
pub mod expiration;
pub mod infra;
pub mod orders;
pub mod payments;
pub mod tickets;
