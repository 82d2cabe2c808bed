//! `/api/payments` over real HTTP with the sandbox provider: the original app's cases,
//! plus double payments, declined cards, completion through the fan-out, and a payment
//! racing a cancellation. What the log recorded is read beside the running app through a
//! read-only view of its log.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use domain::{OrderId, PaymentId};
use eventlog::{Direction, EventLog as _, FileLog};
use serde_json::{Value, json};
use support::{TestApp, first_error};
use uuid::Uuid;

/// A ticket at 20.00 put up by a fresh seller, ordered by `buyer`; the order's id.
async fn order_by(app: &TestApp, buyer: &reqwest::Client) -> String {
    let seller = app
        .signed_up(&format!("seller-{}@test.com", Uuid::new_v4()))
        .await;
    let ticket = app.sell(&seller, "concert", json!(20)).await;
    let order = app.order(buyer, ticket["id"].as_str().unwrap()).await;
    order["id"].as_str().unwrap().to_owned()
}

async fn buyer(app: &TestApp) -> reqwest::Client {
    app.signed_up(&format!("buyer-{}@test.com", Uuid::new_v4()))
        .await
}

async fn pay(app: &TestApp, client: &reqwest::Client, order_id: &str, token: &str) -> (u16, Value) {
    app.post(
        client,
        "/api/payments",
        json!({"orderId": order_id, "token": token}),
    )
    .await
}

/// The event types and data recorded in `{stream}`, read beside the running app.
async fn recorded(app: &TestApp, stream: &str) -> Vec<(String, Value)> {
    let log = FileLog::open_read_only(app.data_dir.join("log")).unwrap();
    let events = log
        .read_stream(stream, 0, Direction::Forwards, 100)
        .await
        .unwrap();
    events
        .into_iter()
        .map(|e| (e.event_type, serde_json::from_slice(&e.data).unwrap()))
        .collect()
}

fn types(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(t, _)| t.as_str()).collect()
}

/// Polls the log until `stream` satisfies `done`.
async fn eventually_recorded(
    app: &TestApp,
    stream: &str,
    done: impl Fn(&[(String, Value)]) -> bool,
) -> Vec<(String, Value)> {
    let mut last = Vec::new();
    for _ in 0..400 {
        last = recorded(app, stream).await;
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{stream} never got there; recorded {:?}", types(&last));
}

async fn eventually_status(app: &TestApp, client: &reqwest::Client, order_id: &str, status: &str) {
    app.eventually(
        client,
        &format!("/api/orders/{order_id}"),
        &format!("order {order_id} becoming {status}"),
        |code, body| code == 200 && body["status"] == status,
    )
    .await;
}

#[tokio::test]
async fn paying_needs_a_session_then_a_token_and_an_order_id() {
    let app = TestApp::spawn().await;
    let (status, _) = pay(&app, &app.client(), &Uuid::new_v4().to_string(), "tok_visa").await;
    assert_eq!(status, 401);

    let client = buyer(&app).await;
    let (status, body) = app.post(&client, "/api/payments", json!({})).await;
    assert_eq!(status, 400);
    let fields: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("token", "Token must be provided"),
            ("orderId", "OrderId must be provided")
        ]
    );
    let (status, body) = app
        .post(
            &client,
            "/api/payments",
            json!({"token": "", "orderId": "x"}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].clone()),
        (400, json!("token"))
    );
    app.stop().await;
}

#[tokio::test]
async fn paying_for_an_order_that_does_not_exist_is_not_found() {
    let app = TestApp::spawn().await;
    let client = buyer(&app).await;
    let (status, body) = pay(&app, &client, &Uuid::new_v4().to_string(), "tok_visa").await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = pay(&app, &client, "not-a-uuid", "tok_visa").await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn paying_for_someone_elses_order_is_not_authorized() {
    let app = TestApp::spawn().await;
    let owner = buyer(&app).await;
    let order_id = order_by(&app, &owner).await;
    let stranger = buyer(&app).await;
    let (status, body) = pay(&app, &stranger, &order_id, "tok_visa").await;
    assert_eq!(status, 401, "{body}");
    assert!(
        recorded(&app, &format!("payment-{order_id}"))
            .await
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_cancelled_order_cannot_be_paid() {
    let app = TestApp::spawn().await;
    let client = buyer(&app).await;
    let order_id = order_by(&app, &client).await;
    let (status, _) = app
        .delete(&client, &format!("/api/orders/{order_id}"))
        .await;
    assert_eq!(status, 204);

    let (status, body) = pay(&app, &client, &order_id, "tok_visa").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(first_error(&body), "Cannot pay for a cancelled order");
    assert!(
        recorded(&app, &format!("payment-{order_id}"))
            .await
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_valid_card_pays_the_price_once_and_the_order_becomes_complete() {
    let app = TestApp::spawn().await;
    let client = buyer(&app).await;
    let order_id = order_by(&app, &client).await;

    let (status, body) = pay(&app, &client, &order_id, "tok_visa").await;
    assert_eq!(status, 201, "{body}");
    let expected = PaymentId::for_order(order_id.parse::<OrderId>().unwrap());
    assert_eq!(body, json!({"id": expected.to_string()}));
    let payment = recorded(&app, &format!("payment-{order_id}")).await;
    assert_eq!(types(&payment), ["PaymentCaptured"]);
    assert_eq!(payment[0].1["amount"], 2000);
    assert_eq!(payment[0].1["orderId"], order_id.as_str());
    assert!(
        payment[0].1["chargeId"]
            .as_str()
            .unwrap()
            .starts_with("ch_")
    );

    eventually_status(&app, &client, &order_id, "complete").await;
    app.stop().await;
}

#[tokio::test]
async fn an_order_cannot_be_paid_twice() {
    let app = TestApp::spawn().await;
    let client = buyer(&app).await;
    let order_id = order_by(&app, &client).await;
    let (status, _) = pay(&app, &client, &order_id, "tok_visa").await;
    assert_eq!(status, 201);

    let (status, body) = pay(&app, &client, &order_id, "tok_mastercard").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(first_error(&body), "Order already paid");
    eventually_status(&app, &client, &order_id, "complete").await;
    let (status, body) = pay(&app, &client, &order_id, "tok_visa").await;
    assert_eq!(
        (status, first_error(&body).as_str()),
        (400, "Order already paid")
    );
    assert_eq!(
        recorded(&app, &format!("payment-{order_id}")).await.len(),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn a_declined_card_is_refused_with_the_providers_message_and_records_nothing() {
    let app = TestApp::spawn().await;
    let client = buyer(&app).await;
    let order_id = order_by(&app, &client).await;

    let (status, body) = pay(&app, &client, &order_id, "tok_chargeDeclined").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(first_error(&body), "Your card was declined.");
    assert!(
        recorded(&app, &format!("payment-{order_id}"))
            .await
            .is_empty()
    );
    let (status, order) = app.get(&client, &format!("/api/orders/{order_id}")).await;
    assert_eq!((status, order["status"].clone()), (200, json!("created")));
    app.stop().await;
}

#[tokio::test]
async fn a_completed_order_cannot_be_cancelled() {
    let app = TestApp::spawn().await;
    let client = buyer(&app).await;
    let order_id = order_by(&app, &client).await;
    let (status, _) = pay(&app, &client, &order_id, "tok_visa").await;
    assert_eq!(status, 201);
    eventually_status(&app, &client, &order_id, "complete").await;

    let (status, body) = app
        .delete(&client, &format!("/api/orders/{order_id}"))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(first_error(&body), "Cannot cancel a completed order");
    let (_, order) = app.get(&client, &format!("/api/orders/{order_id}")).await;
    assert_eq!(order["status"], "complete");
    app.stop().await;
}

#[tokio::test]
async fn a_payment_racing_a_cancellation_never_leaves_the_buyer_charged_for_nothing() {
    let app = TestApp::spawn().await;
    let client = buyer(&app).await;
    let mut outcomes = Vec::new();
    // Staggered starts, so that either side may win as well as both going through.
    for round in 0..6u64 {
        let order_id = order_by(&app, &client).await;
        let path = format!("/api/orders/{order_id}");
        let (pay_delay, cancel_delay) = match round % 3 {
            0 => (0, 0),
            1 => (0, 20),
            _ => (20, 0),
        };
        let ((paid, paid_body), (cancelled, cancel_body)) = tokio::join!(
            async {
                tokio::time::sleep(Duration::from_millis(pay_delay)).await;
                pay(&app, &client, &order_id, "tok_visa").await
            },
            async {
                tokio::time::sleep(Duration::from_millis(cancel_delay)).await;
                app.delete(&client, &path).await
            },
        );
        let payment = format!("payment-{order_id}");
        let order = format!("order-{order_id}");
        match (paid, cancelled) {
            // Paid first: the order completes and stays paid.
            (201, 400) => {
                assert_eq!(first_error(&cancel_body), "Cannot cancel a completed order");
                eventually_status(&app, &client, &order_id, "complete").await;
                assert_eq!(types(&recorded(&app, &payment).await), ["PaymentCaptured"]);
            }
            // Cancelled first and payments knew it: nothing charged.
            (400, 204) => {
                assert_eq!(first_error(&paid_body), "Cannot pay for a cancelled order");
                assert!(recorded(&app, &payment).await.is_empty());
            }
            // Both went through: orders refuses the payment and payments refunds it.
            (201, 204) => {
                let history = eventually_recorded(&app, &payment, |events| events.len() == 2).await;
                assert_eq!(types(&history), ["PaymentCaptured", "PaymentRefunded"]);
                let order_history = recorded(&app, &order).await;
                assert!(types(&order_history).contains(&"OrderPaymentRefused"));
                eventually_status(&app, &client, &order_id, "cancelled").await;
            }
            other => panic!("unexpected outcome {other:?}: {paid_body} / {cancel_body}"),
        }
        outcomes.push((paid, cancelled));
    }
    eprintln!("race outcomes (payment, cancellation): {outcomes:?}");
    app.stop().await;
}
