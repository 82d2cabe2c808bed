//! What can go wrong when money moves, sorted by what the caller should do about it.

/// A failed charge or refund.
///
/// Each variant says what the caller should do. Charges and refunds carry idempotency
/// keys, so retrying after [`ProviderError::Transient`] never moves money twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The card was refused (declined, insufficient funds, expired, wrong CVC...).
    ///
    /// ### Handling
    /// Nothing was charged. Show `message` to the buyer (it is written for them) and
    /// answer 400; the buyer may try another card.
    #[error("card declined: {message}")]
    Declined {
        /// Written for the buyer, e.g. "Your card was declined."
        message: String,
    },

    /// The request itself is wrong: unknown or used token, zero amount, unknown charge,
    /// or a retry of an order's charge with different details.
    ///
    /// ### Handling
    /// Nothing was charged. Answer 400 with `message`; retrying the same request fails
    /// the same way.
    #[error("invalid payment request: {message}")]
    InvalidRequest {
        /// What was wrong with the request.
        message: String,
    },

    /// The provider could not be reached or could not answer now: network error,
    /// timeout, rate limit (429), a concurrent request with the same key (409), or a
    /// server fault (5xx).
    ///
    /// ### Handling
    /// The outcome is unknown: money may or may not have moved. Retry the same request
    /// later (the idempotency key makes that safe); over HTTP answer 500 (or 503).
    #[error("payment provider unavailable, retry later: {message}")]
    Transient {
        /// What failed, for the log.
        message: String,
    },

    /// The adapter is set up wrong: missing, invalid or under-privileged secret key,
    /// bad base URL, unknown provider name.
    ///
    /// ### Handling
    /// An operator must fix the configuration; retrying does not help. Log it and
    /// answer 500 without detail.
    #[error("payment provider misconfigured: {message}")]
    Misconfigured {
        /// What is wrong, for the operator. Never contains the secret key.
        message: String,
    },

    /// The provider answered something this adapter does not understand.
    ///
    /// ### Handling
    /// Treat as a fault: log it and answer 500. Whether money moved is unknown; check
    /// the provider's dashboard before retrying by hand.
    #[error("unexpected answer from payment provider: {message}")]
    Unexpected {
        /// What was unexpected, for the log.
        message: String,
    },
}

impl ProviderError {
    /// Whether retrying the very same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ProviderError::Transient { .. })
    }

    /// Whether the buyer (rather than the system) must act: a declined card or a bad
    /// request, both answered with 400.
    pub fn is_buyer_facing(&self) -> bool {
        matches!(
            self,
            ProviderError::Declined { .. } | ProviderError::InvalidRequest { .. }
        )
    }
}
