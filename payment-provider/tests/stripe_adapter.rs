//! What is particular to the Stripe adapter: the exact requests it sends and how it
//! maps Stripe's failures, against a local server that plays Stripe.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use payment_provider::{
    ChargeRequest, PaymentProvider, ProviderError, RefundRequest, StripeProvider, StripeSettings,
};
use support::FakeStripe;
use uuid::Uuid;

const KEY: &str = "sk_test_adapter";

fn charge_for(order_id: Uuid, token: &str) -> ChargeRequest {
    ChargeRequest {
        order_id,
        amount_cents: 2_050,
        currency: "usd".to_owned(),
        token: token.to_owned(),
    }
}

async fn stripe() -> (FakeStripe, StripeProvider) {
    let fake = FakeStripe::start(KEY).await;
    let provider = StripeProvider::new(KEY, fake.base_url.clone()).unwrap();
    (fake, provider)
}

#[tokio::test]
async fn a_charge_posts_cents_usd_the_token_and_the_order_id_as_idempotency_key() {
    let (fake, provider) = stripe().await;
    let order_id = Uuid::new_v4();
    provider
        .charge(charge_for(order_id, "tok_visa"))
        .await
        .unwrap();

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/charges")
    );
    assert_eq!(
        sent.authorization.as_deref(),
        Some("Bearer sk_test_adapter")
    );
    assert_eq!(sent.idempotency_key, Some(order_id.to_string()));
    assert_eq!(
        sent.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(sent.form["amount"], "2050");
    assert_eq!(sent.form["currency"], "usd");
    assert_eq!(sent.form["source"], "tok_visa");
    assert_eq!(sent.form["metadata[order_id]"], order_id.to_string());
    assert_eq!(sent.form["description"], format!("Order {order_id}"));
}

#[tokio::test]
async fn a_refund_posts_the_charge_keyed_by_the_charge_id_with_the_reason_as_metadata() {
    let (fake, provider) = stripe().await;
    let order_id = Uuid::new_v4();
    let charge = provider
        .charge(charge_for(order_id, "tok_visa"))
        .await
        .unwrap();
    let refund = RefundRequest {
        charge_id: charge.id.clone(),
        order_id,
        reason: "order was cancelled first".to_owned(),
    };
    provider.refund(refund).await.unwrap();

    let sent = fake.requests().pop().unwrap();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/refunds")
    );
    assert_eq!(
        sent.authorization.as_deref(),
        Some("Bearer sk_test_adapter")
    );
    assert_eq!(sent.idempotency_key, Some(format!("refund-{}", charge.id)));
    assert_eq!(sent.form["charge"], charge.id);
    assert_eq!(sent.form["metadata[order_id]"], order_id.to_string());
    assert_eq!(sent.form["metadata[reason]"], "order was cancelled first");
    assert!(
        !sent.form.contains_key("reason"),
        "Stripe's reason takes only fixed values"
    );
}

#[tokio::test]
async fn a_wrong_secret_key_is_a_misconfiguration() {
    let fake = FakeStripe::start(KEY).await;
    let provider = StripeProvider::new("sk_test_wrong", fake.base_url.clone()).unwrap();
    let outcome = provider
        .charge(charge_for(Uuid::new_v4(), "tok_visa"))
        .await;
    assert!(
        matches!(outcome, Err(ProviderError::Misconfigured { .. })),
        "{outcome:?}"
    );
    assert_eq!(fake.charges_captured(), 0);
}

#[tokio::test]
async fn a_server_fault_is_transient() {
    let (fake, provider) = stripe().await;
    fake.answer_every_request_with(500);
    let outcome = provider
        .charge(charge_for(Uuid::new_v4(), "tok_visa"))
        .await;
    assert!(
        matches!(outcome, Err(ProviderError::Transient { .. })),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_rate_limit_is_transient() {
    let (fake, provider) = stripe().await;
    fake.answer_every_request_with(429);
    let outcome = provider
        .charge(charge_for(Uuid::new_v4(), "tok_visa"))
        .await;
    assert!(outcome.unwrap_err().is_retryable());
}

#[tokio::test]
async fn an_unreachable_stripe_is_transient() {
    // A port that was just free and is now closed refuses the connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let provider = StripeProvider::new(KEY, format!("http://{address}")).unwrap();
    let outcome = provider
        .charge(charge_for(Uuid::new_v4(), "tok_visa"))
        .await;
    assert!(
        matches!(outcome, Err(ProviderError::Transient { .. })),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_stripe_that_answers_too_slowly_is_transient_and_the_retry_gets_the_same_charge() {
    let fake = FakeStripe::start(KEY).await;
    let mut settings = StripeSettings::new(KEY, fake.base_url.clone());
    settings.request_timeout = Duration::from_millis(200);
    let provider = StripeProvider::from_settings(settings).unwrap();
    let order_id = Uuid::new_v4();

    fake.delay_answers(Duration::from_millis(600));
    let timed_out = provider.charge(charge_for(order_id, "tok_visa")).await;
    assert!(
        matches!(timed_out, Err(ProviderError::Transient { .. })),
        "{timed_out:?}"
    );

    // The fake finished the first request after the client gave up: money moved.
    tokio::time::sleep(Duration::from_millis(600)).await;
    fake.delay_answers(Duration::ZERO);
    let retried = provider
        .charge(charge_for(order_id, "tok_visa"))
        .await
        .unwrap();
    assert_eq!(retried.amount_cents, 2_050);
    assert_eq!(
        fake.charges_captured(),
        1,
        "the retry charged the buyer again"
    );
}

#[tokio::test]
async fn insufficient_funds_is_a_decline_with_stripes_message() {
    let (_fake, provider) = stripe().await;
    let outcome = provider
        .charge(charge_for(
            Uuid::new_v4(),
            "tok_chargeDeclinedInsufficientFunds",
        ))
        .await;
    assert_eq!(
        outcome,
        Err(ProviderError::Declined {
            message: "Your card has insufficient funds.".to_owned()
        })
    );
}

#[tokio::test]
async fn another_card_for_an_order_whose_card_was_declined_is_refused_by_stripes_key() {
    // Stripe saves the 402 under the order's key; a second card for the same order
    // reuses the key with other parameters.
    let (fake, provider) = stripe().await;
    let order_id = Uuid::new_v4();
    let declined = provider
        .charge(charge_for(order_id, "tok_chargeDeclined"))
        .await;
    assert!(matches!(declined, Err(ProviderError::Declined { .. })));
    let second_card = provider
        .charge(charge_for(order_id, "tok_mastercard"))
        .await;
    assert!(
        matches!(second_card, Err(ProviderError::InvalidRequest { .. })),
        "{second_card:?}"
    );
    assert_eq!(fake.charges_captured(), 0);
}

#[tokio::test]
async fn a_refund_retried_after_stripe_forgot_its_key_returns_the_existing_refund() {
    let (fake, provider) = stripe().await;
    let order_id = Uuid::new_v4();
    let charge = provider
        .charge(charge_for(order_id, "tok_visa"))
        .await
        .unwrap();
    let request = RefundRequest {
        charge_id: charge.id,
        order_id,
        reason: "test".to_owned(),
    };
    let first = provider.refund(request.clone()).await.unwrap();

    fake.forget_idempotency_keys();
    let retried = provider.refund(request).await.unwrap();
    assert_eq!(first, retried);
    assert_eq!(fake.refunds_made(), 1);
}

#[test]
fn an_empty_key_or_a_base_url_without_scheme_is_a_misconfiguration() {
    assert!(matches!(
        StripeProvider::new("  ", "https://api.stripe.com"),
        Err(ProviderError::Misconfigured { .. })
    ));
    assert!(matches!(
        StripeProvider::new(KEY, "api.stripe.com"),
        Err(ProviderError::Misconfigured { .. })
    ));
    assert!(matches!(
        StripeProvider::new(KEY, "localhost:12111"),
        Err(ProviderError::Misconfigured { .. })
    ));
}
