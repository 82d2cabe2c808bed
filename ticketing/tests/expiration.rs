//! Expiry over real HTTP: an unpaid order is cancelled when its window passes and its
//! ticket goes back on sale, also across a restart of the whole app.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::TestApp;

const WINDOW: Duration = Duration::from_secs(2);

/// `seller` offers a ticket and `buyer` orders it: (ticket id, order path).
async fn ordered(
    app: &TestApp,
    seller: &reqwest::Client,
    buyer: &reqwest::Client,
) -> (String, String) {
    let ticket = app.sell(seller, "concert", json!(20)).await;
    let ticket_id = ticket["id"].as_str().unwrap().to_owned();
    let order = app.order(buyer, &ticket_id).await;
    (
        ticket_id,
        format!("/api/orders/{}", order["id"].as_str().unwrap()),
    )
}

fn is_cancelled(status: u16, order: &Value) -> bool {
    status == 200 && order["status"] == "cancelled"
}

#[tokio::test]
async fn an_unpaid_order_expires_and_its_ticket_goes_back_on_sale() {
    let app = TestApp::spawn_with_window(WINDOW).await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let (ticket_id, order_path) = ordered(&app, &seller, &buyer).await;
    let ticket_path = format!("/api/tickets/{ticket_id}");
    app.eventually(&seller, &ticket_path, "ticket reserved", |_, t| {
        t.get("orderId").is_some()
    })
    .await;

    let expired = app
        .eventually(&buyer, &order_path, "order expired", is_cancelled)
        .await;
    assert_eq!(expired["version"], 1);
    app.eventually(&seller, &ticket_path, "ticket released", |_, t| {
        t.get("orderId").is_none()
    })
    .await;
    let (status, ticket) = app
        .put(
            &seller,
            &ticket_path,
            json!({"title": "changed", "price": 25}),
        )
        .await;
    assert_eq!((status, ticket["title"].as_str()), (200, Some("changed")));
    // And someone else may buy it now.
    let next = app.signed_up("next@test.com").await;
    let (status, _) = app
        .post(&next, "/api/orders", json!({"ticketId": ticket_id}))
        .await;
    assert_eq!(status, 201);
    app.stop().await;
}

#[tokio::test]
async fn an_order_cancelled_before_its_window_ends_is_left_as_it_was() {
    let app = TestApp::spawn_with_window(WINDOW).await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let (_, order_path) = ordered(&app, &seller, &buyer).await;
    assert_eq!(app.delete(&buyer, &order_path).await.0, 204);
    let (_, cancelled) = app.get(&buyer, &order_path).await;

    tokio::time::sleep(WINDOW + Duration::from_millis(750)).await;
    assert_eq!(app.get(&buyer, &order_path).await, (200, cancelled));
    app.stop().await;
}

#[tokio::test]
async fn a_pending_expiration_fires_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let window = Duration::from_secs(3);
    let app = TestApp::spawn_in(dir.path(), window).await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let (ticket_id, order_path) = ordered(&app, &seller, &buyer).await;
    // Stop well before the window ends: the expiry must come from the timer stored in
    // sled (or from the order event the bus redelivers), not from a task that slept.
    let (_, order) = app.get(&buyer, &order_path).await;
    assert_eq!(order["status"], "created");
    app.stop().await;

    let app = TestApp::spawn_in(dir.path(), window).await;
    app.eventually(
        &buyer,
        &order_path,
        "order expired after the restart",
        is_cancelled,
    )
    .await;
    app.eventually(
        &seller,
        &format!("/api/tickets/{ticket_id}"),
        "ticket released",
        |_, t| t.get("orderId").is_none(),
    )
    .await;
    app.stop().await;
}
