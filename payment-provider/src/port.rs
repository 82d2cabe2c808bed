//! The port: what the payments service asks of any payment provider.

use std::future::Future;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ProviderError;

/// Take `amount_cents` from the card behind `token` for one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRequest {
    /// The order paid for; also the idempotency key of the charge.
    pub order_id: Uuid,
    /// Integer cents, never zero.
    pub amount_cents: u64,
    /// Lower-case ISO 4217 code; the product charges in `"usd"`.
    pub currency: String,
    /// The single-use card token from the checkout form (e.g. `tok_visa`).
    pub token: String,
}

/// A captured charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    /// The provider's charge id (`ch_...`); needed to refund it.
    pub id: String,
    /// What was actually captured, in cents.
    pub amount_cents: u64,
}

/// Give back the whole of a charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The charge to refund; the idempotency key derives from it.
    pub charge_id: String,
    /// The order the charge paid for, kept with the refund for operators.
    pub order_id: Uuid,
    /// Why, in words, kept with the refund for operators.
    pub reason: String,
}

/// A refund the provider accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// The provider's refund id (`re_...`).
    pub id: String,
}

/// A payment provider: charges cards and refunds charges.
///
/// Both operations are idempotent: a charge is keyed by its order id and a refund by
/// its charge id, so a retried call returns the first result and never moves money a
/// second time. Implementations do not retry by themselves: the caller owns the retry
/// policy and retries on [`ProviderError::Transient`].
pub trait PaymentProvider: Send + Sync {
    /// Charge a card for an order. Calling it again for the same order returns the
    /// same [`Charge`] rather than a second one.
    fn charge(
        &self,
        request: ChargeRequest,
    ) -> impl Future<Output = Result<Charge, ProviderError>> + Send;

    /// Refund a charge in full. Calling it again for the same charge returns the same
    /// [`Refund`].
    fn refund(
        &self,
        request: RefundRequest,
    ) -> impl Future<Output = Result<Refund, ProviderError>> + Send;
}
