//! The port's conformance suite against the Stripe adapter, talking HTTP to a local
//! server that plays Stripe.

mod support;

use payment_provider::conformance::{self, TestTokens};
use payment_provider::{AnyProvider, ProviderConfig, ProviderKind, StripeProvider};
use support::FakeStripe;

const KEY: &str = "sk_test_conformance";

async fn stripe() -> (FakeStripe, StripeProvider) {
    let fake = FakeStripe::start(KEY).await;
    let provider = StripeProvider::new(KEY, fake.base_url.clone())
        .unwrap_or_else(|e| panic!("provider refused: {e}"));
    (fake, provider)
}

#[tokio::test]
async fn a_good_card_is_charged_the_full_amount() {
    let (fake, provider) = stripe().await;
    conformance::a_good_card_is_charged_the_full_amount(&provider, &TestTokens::stripe()).await;
    assert_eq!(fake.charges_captured(), 1);
}

#[tokio::test]
async fn a_declined_card_is_reported_as_declined_with_a_message_for_the_buyer() {
    let (fake, provider) = stripe().await;
    conformance::a_declined_card_is_reported_as_declined_with_a_message_for_the_buyer(
        &provider,
        &TestTokens::stripe(),
    )
    .await;
    assert_eq!(fake.charges_captured(), 0);
}

#[tokio::test]
async fn an_unknown_token_is_an_invalid_request() {
    let (_fake, provider) = stripe().await;
    conformance::an_unknown_token_is_an_invalid_request(&provider, &TestTokens::stripe()).await;
}

#[tokio::test]
async fn a_zero_amount_is_an_invalid_request() {
    let (_fake, provider) = stripe().await;
    conformance::a_zero_amount_is_an_invalid_request(&provider, &TestTokens::stripe()).await;
}

#[tokio::test]
async fn a_retried_charge_for_the_same_order_returns_the_same_charge_and_captures_once() {
    let (fake, provider) = stripe().await;
    conformance::a_retried_charge_for_the_same_order_returns_the_same_charge(
        &provider,
        &TestTokens::stripe(),
    )
    .await;
    assert_eq!(
        fake.charges_captured(),
        1,
        "Stripe captured a second charge"
    );
}

#[tokio::test]
async fn a_charge_can_be_refunded_and_a_retried_refund_returns_the_same_refund() {
    let (fake, provider) = stripe().await;
    conformance::a_charge_can_be_refunded_and_a_retried_refund_returns_the_same_refund(
        &provider,
        &TestTokens::stripe(),
    )
    .await;
    assert_eq!(fake.refunds_made(), 1, "Stripe made a second refund");
}

#[tokio::test]
async fn charges_for_different_orders_are_different_charges() {
    let (fake, provider) = stripe().await;
    conformance::charges_for_different_orders_are_different_charges(
        &provider,
        &TestTokens::stripe(),
    )
    .await;
    assert_eq!(fake.charges_captured(), 2);
}

#[tokio::test]
async fn refunding_a_charge_that_does_not_exist_is_an_invalid_request() {
    let (_fake, provider) = stripe().await;
    conformance::refunding_a_charge_that_does_not_exist_is_an_invalid_request(
        &provider,
        &TestTokens::stripe(),
    )
    .await;
}

#[tokio::test]
async fn the_whole_suite_passes_through_any_provider_configured_as_stripe() {
    let fake = FakeStripe::start(KEY).await;
    let config = ProviderConfig {
        kind: ProviderKind::Stripe,
        stripe_key: Some(KEY.to_owned()),
        stripe_base_url: Some(fake.base_url.clone()),
    };
    let provider =
        AnyProvider::from_config(&config).unwrap_or_else(|e| panic!("config refused: {e}"));
    conformance::run_all(&provider, TestTokens::stripe()).await;
    // run_all captures one charge per successful order: full amount, retry (once),
    // two different orders, and the refunded one.
    assert_eq!(fake.charges_captured(), 5);
}
