//! The `ticketing` binary's library: configuration, assembly of the services into one
//! process (`app`), and the operator commands. `main.rs` only parses the command line.
//!
//! # Layout
//! - `config`: settings from flags and environment variables.
//! - `app`: opens the log, bus and read models, starts the services, builds the router,
//!   and shuts everything down in order.
//! - `ops`: operator commands (streams, consumers, replay).

pub mod app;
pub mod config;
pub mod ops;
