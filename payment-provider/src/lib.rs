//! The payment provider port of the ticketing system, and its backends.
//!
//! The payments service charges a buyer's card for an order and refunds a charge
//! when the order turned out cancelled. It does so through [`PaymentProvider`], which
//! takes plain values (amounts as `u64` cents, ids as `Uuid`/`String`) so this crate
//! depends on no domain types. Both operations are idempotent: a charge is keyed by
//! its order id and a refund by its charge id, so retries never move money twice.
//!
//! What must not live here: business rules (whether an order may be paid, what it
//! costs), events, HTTP routes of the product, or retry loops (the caller owns those
//! and retries on [`ProviderError::Transient`]).
//!
//! # Layout
//! - `port.rs`: the [`PaymentProvider`] trait and its request/response types.
//! - `error.rs`: [`ProviderError`], each variant saying what the caller should do.
//! - `sandbox.rs`: [`SandboxProvider`], the embedded default; Stripe's test tokens,
//!   no network, no state (ids derived from the order id).
//! - `stripe/`: [`StripeProvider`], HTTPS calls to Stripe (`mod.rs`), and the reading
//!   of Stripe's answers and error codes (`wire.rs`).
//! - `any.rs`: [`AnyProvider`], the backend chosen at start-up from [`ProviderConfig`].
//! - `conformance.rs`: the suite every backend must pass (`tests/` runs it against the
//!   sandbox and against the Stripe adapter talking to a local fake of Stripe).

mod any;
pub mod conformance;
mod error;
mod port;
mod sandbox;
mod stripe;

pub use any::{AnyProvider, ProviderConfig, ProviderKind};
pub use error::ProviderError;
pub use port::{Charge, ChargeRequest, PaymentProvider, Refund, RefundRequest};
pub use sandbox::SandboxProvider;
pub use stripe::{DEFAULT_STRIPE_BASE_URL, StripeProvider, StripeSettings};
