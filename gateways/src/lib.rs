//! HTTP gateways of the ticketing services: the shared pieces every API service uses
//! (error body, extractors, sessions, passwords, health, correlation ids, shutdown,
//! the common layer stack), and beside them one router per service.
//!
//! What must not live here: business rules (they belong to `domain`, pure and
//! synchronous), storage, or bus code. Routers translate HTTP to commands and queries
//! and results back to the HTTP contract of `spec/ticketing.md` section 2, nothing more.
//!
//! # Layout
//!
//! - `http/` — shared pieces, re-exported from [`http`]:
//!   - `error.rs` — [`http::ApiError`], the one error type; renders
//!     `{"errors":[{"message","field"?}]}` and logs (only logs) the cause of a 500.
//!   - `json.rs` — [`http::ApiJson`] and [`http::JsonObject`] body extractors
//!     (400 malformed, 415 content type, 413 too large).
//!   - `path.rs` — [`http::PathId`], the `{id}` segment as a UUID (malformed → 404).
//!   - `session/` — [`http::SessionConfig`], [`http::SessionKeys`] (HS256 JWT in the
//!     `session` cookie), extractors [`http::CurrentUser`] and [`http::RequireUser`].
//!   - `password.rs` — Argon2id [`http::hash_password`] / [`http::verify_password`]
//!     on the blocking pool.
//!   - `health.rs` — [`http::health_routes`] (`/healthz`, `/readyz`) and
//!     [`http::Readiness`] flags.
//!   - `correlation.rs` — [`http::CorrelationId`] and its middleware (span, log line,
//!     echoed header).
//!   - `limits.rs`, `fallback.rs`, `layers.rs` — body limits, JSON bodies for
//!     framework errors, 404/405 fallbacks, and [`http::api_layers`] applying them all.
//!   - `shutdown.rs` — [`http::shutdown_signal`] (SIGTERM/SIGINT).
//! - `service_errors.rs` — how command and service errors become [`http::ApiError`]s.
//! - `<service>.rs` — one router per service (auth, tickets, orders, payments).

pub mod auth;
pub mod http;
pub mod orders;
pub mod payments;
pub mod service_errors;
pub mod tickets;
