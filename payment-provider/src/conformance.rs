//! The conformance suite of the port: what every [`PaymentProvider`] must do, run
//! against every backend (the sandbox, and Stripe's adapter against a local server
//! that plays Stripe).
//!
//! Each case is a public async fn that panics with a message when the provider
//! breaks the contract, so a test file can run each as its own named test, or all of
//! them with [`run_all`]. Every case uses fresh order ids, so cases can share a
//! provider and run in any order.

use uuid::Uuid;

use crate::{ChargeRequest, PaymentProvider, ProviderError, RefundRequest};

/// Card tokens that make the provider under test succeed, decline, or not know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestTokens {
    /// A token whose charge succeeds.
    pub succeeding: String,
    /// A token whose charge is declined.
    pub declined: String,
    /// A token the provider does not know.
    pub unknown: String,
}

impl TestTokens {
    /// Stripe's documented test tokens, which the sandbox accepts too.
    pub fn stripe() -> Self {
        TestTokens {
            succeeding: "tok_visa".to_owned(),
            declined: "tok_chargeDeclined".to_owned(),
            unknown: "tok_thisTokenDoesNotExist".to_owned(),
        }
    }
}

impl Default for TestTokens {
    fn default() -> Self {
        Self::stripe()
    }
}

fn charge_request(order_id: Uuid, amount_cents: u64, token: &str) -> ChargeRequest {
    ChargeRequest {
        order_id,
        amount_cents,
        currency: "usd".to_owned(),
        token: token.to_owned(),
    }
}

/// Runs every case below.
pub async fn run_all(provider: &impl PaymentProvider, tokens: TestTokens) {
    a_good_card_is_charged_the_full_amount(provider, &tokens).await;
    a_declined_card_is_reported_as_declined_with_a_message_for_the_buyer(provider, &tokens).await;
    an_unknown_token_is_an_invalid_request(provider, &tokens).await;
    a_zero_amount_is_an_invalid_request(provider, &tokens).await;
    a_retried_charge_for_the_same_order_returns_the_same_charge(provider, &tokens).await;
    charges_for_different_orders_are_different_charges(provider, &tokens).await;
    a_charge_can_be_refunded_and_a_retried_refund_returns_the_same_refund(provider, &tokens).await;
    refunding_a_charge_that_does_not_exist_is_an_invalid_request(provider, &tokens).await;
}

/// A succeeding token is charged exactly the amount asked, and the charge has an id.
pub async fn a_good_card_is_charged_the_full_amount(
    provider: &impl PaymentProvider,
    tokens: &TestTokens,
) {
    let outcome = provider
        .charge(charge_request(Uuid::new_v4(), 2_599, &tokens.succeeding))
        .await;
    let charge = match outcome {
        Ok(charge) => charge,
        Err(error) => panic!("a charge with {} failed: {error}", tokens.succeeding),
    };
    assert!(!charge.id.is_empty(), "the charge has no id");
    assert_eq!(charge.amount_cents, 2_599, "the charged amount differs");
}

/// A declined card is [`ProviderError::Declined`] with a message to show the buyer.
pub async fn a_declined_card_is_reported_as_declined_with_a_message_for_the_buyer(
    provider: &impl PaymentProvider,
    tokens: &TestTokens,
) {
    let outcome = provider
        .charge(charge_request(Uuid::new_v4(), 2_000, &tokens.declined))
        .await;
    match outcome {
        Err(ProviderError::Declined { message }) => {
            assert!(
                !message.is_empty(),
                "the decline has no message for the buyer"
            );
        }
        other => panic!("expected Declined for {}, got {other:?}", tokens.declined),
    }
}

/// A token the provider does not know is [`ProviderError::InvalidRequest`].
pub async fn an_unknown_token_is_an_invalid_request(
    provider: &impl PaymentProvider,
    tokens: &TestTokens,
) {
    let outcome = provider
        .charge(charge_request(Uuid::new_v4(), 2_000, &tokens.unknown))
        .await;
    assert!(
        matches!(outcome, Err(ProviderError::InvalidRequest { .. })),
        "expected InvalidRequest for {}, got {outcome:?}",
        tokens.unknown
    );
}

/// Charging nothing is [`ProviderError::InvalidRequest`], not a zero charge.
pub async fn a_zero_amount_is_an_invalid_request(
    provider: &impl PaymentProvider,
    tokens: &TestTokens,
) {
    let outcome = provider
        .charge(charge_request(Uuid::new_v4(), 0, &tokens.succeeding))
        .await;
    assert!(
        matches!(outcome, Err(ProviderError::InvalidRequest { .. })),
        "expected InvalidRequest for a zero amount, got {outcome:?}"
    );
}

/// Charging the same order twice (a retry) returns the first charge, not a second.
pub async fn a_retried_charge_for_the_same_order_returns_the_same_charge(
    provider: &impl PaymentProvider,
    tokens: &TestTokens,
) {
    let request = charge_request(Uuid::new_v4(), 1_500, &tokens.succeeding);
    let first = provider.charge(request.clone()).await;
    let retried = provider.charge(request).await;
    match (first, retried) {
        (Ok(first), Ok(retried)) => assert_eq!(
            first, retried,
            "a retried charge for the same order made a different charge"
        ),
        (first, retried) => panic!("charging failed: first {first:?}, retried {retried:?}"),
    }
}

/// Two orders are two charges with different ids.
pub async fn charges_for_different_orders_are_different_charges(
    provider: &impl PaymentProvider,
    tokens: &TestTokens,
) {
    let one = provider
        .charge(charge_request(Uuid::new_v4(), 1_000, &tokens.succeeding))
        .await;
    let other = provider
        .charge(charge_request(Uuid::new_v4(), 1_000, &tokens.succeeding))
        .await;
    match (one, other) {
        (Ok(one), Ok(other)) => {
            assert_ne!(one.id, other.id, "two orders were given the same charge id")
        }
        (one, other) => panic!("charging failed: {one:?}, {other:?}"),
    }
}

/// A charge can be refunded; refunding it again returns the same refund.
pub async fn a_charge_can_be_refunded_and_a_retried_refund_returns_the_same_refund(
    provider: &impl PaymentProvider,
    tokens: &TestTokens,
) {
    let order_id = Uuid::new_v4();
    let charge = match provider
        .charge(charge_request(order_id, 3_000, &tokens.succeeding))
        .await
    {
        Ok(charge) => charge,
        Err(error) => panic!("charging before the refund failed: {error}"),
    };
    let request = RefundRequest {
        charge_id: charge.id,
        order_id,
        reason: "order cancelled before the payment was recorded".to_owned(),
    };
    let first = provider.refund(request.clone()).await;
    let retried = provider.refund(request).await;
    match (first, retried) {
        (Ok(first), Ok(retried)) => {
            assert!(!first.id.is_empty(), "the refund has no id");
            assert_eq!(first, retried, "a retried refund made a different refund");
        }
        (first, retried) => panic!("refunding failed: first {first:?}, retried {retried:?}"),
    }
}

/// Refunding a charge the provider never made is [`ProviderError::InvalidRequest`].
pub async fn refunding_a_charge_that_does_not_exist_is_an_invalid_request(
    provider: &impl PaymentProvider,
    _tokens: &TestTokens,
) {
    let outcome = provider
        .refund(RefundRequest {
            charge_id: "ch_doesNotExist".to_owned(),
            order_id: Uuid::new_v4(),
            reason: "conformance".to_owned(),
        })
        .await;
    assert!(
        matches!(outcome, Err(ProviderError::InvalidRequest { .. })),
        "expected InvalidRequest for an unknown charge, got {outcome:?}"
    );
}
