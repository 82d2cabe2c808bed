//! Harness of the multi-process tests: the real `ticketing` binary, one process per
//! service (or per replica), each with its own data directory, free port and file log,
//! talking through NATS JetStream under a prefix of its own.
//!
//! # Layout
//! - `nats`: which server a test runs against (the shared local 2.9, or the pinned 2.15
//!   started for the test), unique prefixes, deleting a prefix's streams, consumer states.
//! - `process`: one child process of the binary: spawn, its URL, SIGKILL, SIGTERM.
//! - `cluster`: the processes of one test, its server and prefix; cleans everything up
//!   when dropped, also when the test fails.
//! - `logs`: reading a stopped process's file log read-only.
//! - `shop`: the marketplace steps the tests repeat (sell, order, wait for an effect).
//! - `http`: a cookie-keeping client for every port of 127.0.0.1, and polling with deadlines.
#![allow(dead_code, clippy::unwrap_used)]

pub mod cluster;
pub mod http;
pub mod logs;
pub mod nats;
pub mod process;
pub mod shop;

pub use cluster::Cluster;
pub use http::Client;
pub use nats::Nats;
