//! The port's conformance suite against the embedded sandbox.

use payment_provider::conformance::{self, TestTokens};
use payment_provider::{
    AnyProvider, ChargeRequest, PaymentProvider, ProviderConfig, SandboxProvider,
};
use uuid::Uuid;

fn tokens() -> TestTokens {
    TestTokens::stripe()
}

#[tokio::test]
async fn a_good_card_is_charged_the_full_amount() {
    conformance::a_good_card_is_charged_the_full_amount(&SandboxProvider::new(), &tokens()).await;
}

#[tokio::test]
async fn a_declined_card_is_reported_as_declined_with_a_message_for_the_buyer() {
    conformance::a_declined_card_is_reported_as_declined_with_a_message_for_the_buyer(
        &SandboxProvider::new(),
        &tokens(),
    )
    .await;
}

#[tokio::test]
async fn an_unknown_token_is_an_invalid_request() {
    conformance::an_unknown_token_is_an_invalid_request(&SandboxProvider::new(), &tokens()).await;
}

#[tokio::test]
async fn a_zero_amount_is_an_invalid_request() {
    conformance::a_zero_amount_is_an_invalid_request(&SandboxProvider::new(), &tokens()).await;
}

#[tokio::test]
async fn a_retried_charge_for_the_same_order_returns_the_same_charge() {
    conformance::a_retried_charge_for_the_same_order_returns_the_same_charge(
        &SandboxProvider::new(),
        &tokens(),
    )
    .await;
}

#[tokio::test]
async fn a_charge_can_be_refunded_and_a_retried_refund_returns_the_same_refund() {
    conformance::a_charge_can_be_refunded_and_a_retried_refund_returns_the_same_refund(
        &SandboxProvider::new(),
        &tokens(),
    )
    .await;
}

#[tokio::test]
async fn charges_for_different_orders_are_different_charges() {
    conformance::charges_for_different_orders_are_different_charges(
        &SandboxProvider::new(),
        &tokens(),
    )
    .await;
}

#[tokio::test]
async fn refunding_a_charge_that_does_not_exist_is_an_invalid_request() {
    conformance::refunding_a_charge_that_does_not_exist_is_an_invalid_request(
        &SandboxProvider::new(),
        &tokens(),
    )
    .await;
}

#[tokio::test]
async fn the_whole_suite_passes_through_any_provider_configured_as_sandbox() {
    let provider = AnyProvider::from_config(&ProviderConfig::default())
        .unwrap_or_else(|e| panic!("sandbox config refused: {e}"));
    conformance::run_all(&provider, tokens()).await;
}

#[tokio::test]
async fn a_charge_retried_by_a_restarted_sandbox_gets_the_same_id() {
    let request = ChargeRequest {
        order_id: Uuid::new_v4(),
        amount_cents: 4_200,
        currency: "usd".to_owned(),
        token: "tok_mastercard".to_owned(),
    };
    // Two instances stand for before and after a restart: no state is shared.
    let before = SandboxProvider::new().charge(request.clone()).await;
    let after = SandboxProvider::new().charge(request).await;
    assert_eq!(before, after);
    assert!(before.is_ok());
}
