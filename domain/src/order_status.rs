//! The order statuses of the HTTP contract, shared by orders and the other services'
//! copies of an order.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The statuses of the HTTP contract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    /// Placed, ticket held, not paid yet.
    #[default]
    #[serde(rename = "created")]
    Created,
    /// Cancelled by the buyer or expired.
    #[serde(rename = "cancelled")]
    Cancelled,
    /// Kept for compatibility with the original's contract; no event leads to it (the
    /// payment is captured synchronously, so an order goes from created to complete).
    #[serde(rename = "awaiting:payment")]
    AwaitingPayment,
    /// Paid.
    #[serde(rename = "complete")]
    Complete,
}

impl OrderStatus {
    /// The contract's spelling: `created`, `cancelled`, `awaiting:payment`, `complete`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Cancelled => "cancelled",
            Self::AwaitingPayment => "awaiting:payment",
            Self::Complete => "complete",
        }
    }

    /// Whether the order still holds its ticket waiting for payment.
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Created | Self::AwaitingPayment)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
