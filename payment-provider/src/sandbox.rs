//! The embedded default provider: behaves like Stripe in test mode for Stripe's
//! documented test tokens, and moves no money.
//!
//! It keeps no state. Idempotency comes from deriving ids: the charge id is a UUID v5
//! of the order id and the refund id a UUID v5 of the charge id, so a retry, even after
//! a restart, gets the same id back. A refund is checked against the order it names:
//! only the charge id derived from that order is known.

use uuid::Uuid;

use crate::{Charge, ChargeRequest, PaymentProvider, ProviderError, Refund, RefundRequest};

/// Namespace of the derived ids; changing it would change every sandbox id.
const SANDBOX_NAMESPACE: Uuid = Uuid::from_u128(0x6d1f_3c2a_8b0e_4f5e_9a47_2c3e_1b8d_5f01);

const CHARGE_PREFIX: &str = "ch_sandbox_";
const REFUND_PREFIX: &str = "re_sandbox_";

/// Stripe's test tokens that succeed.
const SUCCEEDING_TOKENS: &[&str] = &[
    "tok_visa",
    "tok_visa_debit",
    "tok_mastercard",
    "tok_mastercard_debit",
    "tok_mastercard_prepaid",
    "tok_amex",
    "tok_discover",
    "tok_diners",
    "tok_jcb",
    "tok_unionpay",
    "tok_riskLevelElevated",
];

/// Stripe's test tokens whose charge is declined, with the message Stripe gives.
const DECLINING_TOKENS: &[(&str, &str)] = &[
    ("tok_chargeDeclined", "Your card was declined."),
    (
        "tok_chargeDeclinedInsufficientFunds",
        "Your card has insufficient funds.",
    ),
    ("tok_chargeDeclinedLostCard", "Your card was declined."),
    ("tok_chargeDeclinedStolenCard", "Your card was declined."),
    ("tok_chargeDeclinedFraudulent", "Your card was declined."),
    ("tok_chargeDeclinedExpiredCard", "Your card has expired."),
    (
        "tok_chargeDeclinedIncorrectCvc",
        "Your card's security code is incorrect.",
    ),
    (
        "tok_chargeDeclinedProcessingError",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
];

/// A provider that accepts Stripe's test tokens (`tok_visa` succeeds,
/// `tok_chargeDeclined` is declined, unknown tokens are invalid) without network or
/// state.
///
/// Unlike Stripe, it cannot tell a retry from a second attempt with another card for
/// the same order: both get the order's one charge id.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxProvider;

impl SandboxProvider {
    /// The sandbox provider.
    pub fn new() -> Self {
        SandboxProvider
    }

    /// The charge id the sandbox gives the charge of `order_id`.
    pub fn charge_id_for(order_id: Uuid) -> String {
        let derived = Uuid::new_v5(&SANDBOX_NAMESPACE, order_id.as_bytes());
        format!("{CHARGE_PREFIX}{}", derived.simple())
    }

    /// The refund id the sandbox gives the refund of `charge_id`.
    pub fn refund_id_for(charge_id: &str) -> String {
        let derived = Uuid::new_v5(&SANDBOX_NAMESPACE, charge_id.as_bytes());
        format!("{REFUND_PREFIX}{}", derived.simple())
    }

    fn decide_charge(request: &ChargeRequest) -> Result<Charge, ProviderError> {
        if request.amount_cents == 0 {
            return Err(ProviderError::InvalidRequest {
                message: "Invalid amount: the amount must be greater than zero.".to_owned(),
            });
        }
        let currency = &request.currency;
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(ProviderError::InvalidRequest {
                message: format!("Invalid currency: {currency}."),
            });
        }
        let token = request.token.as_str();
        if let Some((_, message)) = DECLINING_TOKENS.iter().find(|(t, _)| *t == token) {
            return Err(ProviderError::Declined {
                message: (*message).to_owned(),
            });
        }
        if !SUCCEEDING_TOKENS.contains(&token) {
            return Err(ProviderError::InvalidRequest {
                message: format!("No such token: '{token}'"),
            });
        }
        Ok(Charge {
            id: Self::charge_id_for(request.order_id),
            amount_cents: request.amount_cents,
        })
    }

    fn decide_refund(request: &RefundRequest) -> Result<Refund, ProviderError> {
        // Without state, the only charge known for an order is the one derived from it.
        if request.charge_id != Self::charge_id_for(request.order_id) {
            return Err(ProviderError::InvalidRequest {
                message: format!("No such charge: '{}'", request.charge_id),
            });
        }
        Ok(Refund {
            id: Self::refund_id_for(&request.charge_id),
        })
    }
}

impl PaymentProvider for SandboxProvider {
    async fn charge(&self, request: ChargeRequest) -> Result<Charge, ProviderError> {
        let outcome = Self::decide_charge(&request);
        tracing::debug!(order_id = %request.order_id, ok = outcome.is_ok(), "sandbox charge");
        outcome
    }

    async fn refund(&self, request: RefundRequest) -> Result<Refund, ProviderError> {
        let outcome = Self::decide_refund(&request);
        tracing::debug!(charge_id = %request.charge_id, ok = outcome.is_ok(), "sandbox refund");
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(token: &str) -> ChargeRequest {
        ChargeRequest {
            order_id: Uuid::from_u128(42),
            amount_cents: 2_000,
            currency: "usd".to_owned(),
            token: token.to_owned(),
        }
    }

    #[test]
    fn the_charge_id_is_the_same_for_the_same_order_across_instances() {
        let order = Uuid::from_u128(7);
        assert_eq!(
            SandboxProvider::charge_id_for(order),
            SandboxProvider::charge_id_for(order)
        );
        assert_ne!(
            SandboxProvider::charge_id_for(order),
            SandboxProvider::charge_id_for(Uuid::from_u128(8))
        );
        assert!(SandboxProvider::charge_id_for(order).starts_with("ch_sandbox_"));
    }

    #[test]
    fn every_documented_card_brand_token_succeeds() {
        for token in SUCCEEDING_TOKENS {
            assert!(
                SandboxProvider::decide_charge(&request(token)).is_ok(),
                "{token}"
            );
        }
    }

    #[test]
    fn insufficient_funds_is_a_decline_with_stripes_message() {
        let outcome =
            SandboxProvider::decide_charge(&request("tok_chargeDeclinedInsufficientFunds"));
        assert_eq!(
            outcome,
            Err(ProviderError::Declined {
                message: "Your card has insufficient funds.".to_owned()
            })
        );
    }

    #[test]
    fn an_unknown_token_names_the_token_like_stripe() {
        let outcome = SandboxProvider::decide_charge(&request("tok_nope"));
        assert_eq!(
            outcome,
            Err(ProviderError::InvalidRequest {
                message: "No such token: 'tok_nope'".to_owned()
            })
        );
    }

    #[test]
    fn a_malformed_currency_is_an_invalid_request() {
        let mut bad = request("tok_visa");
        bad.currency = "US dollars".to_owned();
        assert!(matches!(
            SandboxProvider::decide_charge(&bad),
            Err(ProviderError::InvalidRequest { .. })
        ));
    }

    #[test]
    fn a_refund_of_another_orders_charge_is_refused() {
        let refund = RefundRequest {
            charge_id: SandboxProvider::charge_id_for(Uuid::from_u128(1)),
            order_id: Uuid::from_u128(2),
            reason: "test".to_owned(),
        };
        assert!(matches!(
            SandboxProvider::decide_refund(&refund),
            Err(ProviderError::InvalidRequest { .. })
        ));
    }
}
