//! The orders API over real HTTP: placing, listing, showing and cancelling orders, and
//! what an order does to its ticket through the other services.
#![allow(clippy::unwrap_used)]

mod support;

use domain::Timestamp;
use futures::future::join_all;
use serde_json::{Value, json};
use support::{TestApp, first_error};

/// A ticket for sale by `seller`: its id.
async fn ticket_for_sale(
    app: &TestApp,
    seller: &reqwest::Client,
    title: &str,
    price: Value,
) -> String {
    let ticket = app.sell(seller, title, price).await;
    ticket["id"].as_str().unwrap().to_owned()
}

/// `buyer` orders `ticket_id`: the 201 order.
async fn bought(app: &TestApp, buyer: &reqwest::Client, ticket_id: &str) -> Value {
    app.order(buyer, ticket_id).await
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test]
async fn only_a_signed_in_user_may_use_orders() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    let (status, body) = app.post(&anonymous, "/api/orders", json!({})).await;
    assert_eq!(
        (status, first_error(&body).as_str()),
        (401, "Not authorized")
    );
    assert_eq!(app.get(&anonymous, "/api/orders").await.0, 401);
    let some_order = "/api/orders/6a1f6f2e-52a4-4a56-9a3a-1c1d8f0f0b11";
    assert_eq!(app.get(&anonymous, some_order).await.0, 401);
    assert_eq!(app.delete(&anonymous, some_order).await.0, 401);
    app.stop().await;
}

#[tokio::test]
async fn an_order_needs_the_id_of_a_ticket() {
    let app = TestApp::spawn().await;
    let buyer = app.signed_up("buyer@test.com").await;
    for body in [
        json!({}),
        json!({"ticketId": ""}),
        json!({"ticketId": 7}),
        json!({"ticketId": "not-a-uuid"}),
    ] {
        let (status, answer) = app.post(&buyer, "/api/orders", body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            answer,
            json!({"errors": [{"message": "TicketId must be provided", "field": "ticketId"}]})
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn an_order_for_a_ticket_nobody_created_is_not_found() {
    let app = TestApp::spawn().await;
    let buyer = app.signed_up("buyer@test.com").await;
    let (status, body) = app
        .post(
            &buyer,
            "/api/orders",
            json!({"ticketId": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!((status, first_error(&body).as_str()), (404, "Not Found"));
    app.stop().await;
}

#[tokio::test]
async fn placing_an_order_answers_201_with_the_order_and_its_ticket() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let ticket_id = ticket_for_sale(&app, &seller, "concert", json!("19.99")).await;
    let before = Timestamp::from_millis(now_ms())
        .plus_seconds(900)
        .to_rfc3339();
    let order = bought(&app, &buyer, &ticket_id).await;
    let after = Timestamp::from_millis(now_ms())
        .plus_seconds(900)
        .to_rfc3339();

    let (_, me) = app.get(&buyer, "/api/users/currentuser").await;
    assert_eq!(order["userId"], me["currentUser"]["id"]);
    assert_eq!(order["status"], "created");
    assert_eq!(order["version"], 0);
    assert_eq!(
        order["ticket"],
        json!({"id": ticket_id, "title": "concert", "price": 19.99})
    );
    let expires_at = order["expiresAt"].as_str().unwrap();
    // Same fixed format (RFC 3339, UTC, milliseconds): text order is time order.
    assert!(
        before.as_str() <= expires_at && expires_at <= after.as_str(),
        "{expires_at}"
    );
    assert!(uuid::Uuid::parse_str(order["id"].as_str().unwrap()).is_ok());
    app.stop().await;
}

#[tokio::test]
async fn a_ticket_held_by_a_live_order_cannot_be_ordered_again() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let first = app.signed_up("first@test.com").await;
    let second = app.signed_up("second@test.com").await;
    let ticket_id = ticket_for_sale(&app, &seller, "concert", json!(20)).await;
    bought(&app, &first, &ticket_id).await;
    for buyer in [&second, &first] {
        let (status, body) = app
            .post(buyer, "/api/orders", json!({"ticketId": ticket_id}))
            .await;
        assert_eq!(
            (status, first_error(&body).as_str()),
            (400, "Ticket is already reserved")
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_list_holds_only_the_callers_orders_each_with_its_ticket() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let alice = app.signed_up("alice@test.com").await;
    let bob = app.signed_up("bob@test.com").await;
    let one = ticket_for_sale(&app, &seller, "one", json!(10)).await;
    let two = ticket_for_sale(&app, &seller, "two", json!(20)).await;
    let three = ticket_for_sale(&app, &seller, "three", json!(30)).await;
    let alice_one = bought(&app, &alice, &one).await;
    let bob_two = bought(&app, &bob, &two).await;
    let alice_three = bought(&app, &alice, &three).await;

    let (status, list) = app.get(&alice, "/api/orders").await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([alice_one, alice_three]));
    assert_eq!(
        list[1]["ticket"],
        json!({"id": three, "title": "three", "price": 30})
    );
    assert_eq!(app.get(&bob, "/api/orders").await.1, json!([bob_two]));
    assert_eq!(app.get(&seller, "/api/orders").await.1, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn an_order_is_shown_to_its_buyer_only() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let ticket_id = ticket_for_sale(&app, &seller, "concert", json!(20)).await;
    let order = bought(&app, &buyer, &ticket_id).await;
    let path = format!("/api/orders/{}", order["id"].as_str().unwrap());

    assert_eq!(app.get(&buyer, &path).await, (200, order));
    let (status, body) = app.get(&seller, &path).await;
    assert_eq!(
        (status, first_error(&body).as_str()),
        (401, "Not authorized")
    );
    let unknown = format!("/api/orders/{}", uuid::Uuid::new_v4());
    assert_eq!(app.get(&buyer, &unknown).await.0, 404);
    assert_eq!(app.get(&buyer, "/api/orders/not-a-uuid").await.0, 404);
    app.stop().await;
}

#[tokio::test]
async fn cancelling_an_order_answers_204_and_a_second_cancel_records_nothing() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let ticket_id = ticket_for_sale(&app, &seller, "concert", json!(20)).await;
    let order = bought(&app, &buyer, &ticket_id).await;
    let path = format!("/api/orders/{}", order["id"].as_str().unwrap());

    assert_eq!(app.delete(&seller, &path).await.0, 401);
    assert_eq!(app.delete(&buyer, &path).await, (204, Value::Null));
    let (_, cancelled) = app.get(&buyer, &path).await;
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["version"].as_u64()),
        (Some("cancelled"), Some(1))
    );

    assert_eq!(app.delete(&buyer, &path).await, (204, Value::Null));
    // The version is the order stream's revision: nothing new was recorded.
    assert_eq!(app.get(&buyer, &path).await.1, cancelled);
    let unknown = format!("/api/orders/{}", uuid::Uuid::new_v4());
    assert_eq!(app.delete(&buyer, &unknown).await.0, 404);
    app.stop().await;
}

#[tokio::test]
async fn a_bought_ticket_is_hidden_from_the_list_and_cannot_be_edited() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let ticket_id = ticket_for_sale(&app, &seller, "concert", json!(20)).await;
    let order = bought(&app, &buyer, &ticket_id).await;

    let ticket_path = format!("/api/tickets/{ticket_id}");
    let held = app
        .eventually(&seller, &ticket_path, "ticket reserved", |_, t| {
            t.get("orderId").is_some()
        })
        .await;
    assert_eq!(held["orderId"], order["id"]);
    let (_, list) = app.get(&seller, "/api/tickets").await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|t| t["id"] != ticket_id.as_str()),
        "{list}"
    );
    let (status, body) = app
        .put(
            &seller,
            &ticket_path,
            json!({"title": "changed", "price": 30}),
        )
        .await;
    assert_eq!(
        (status, first_error(&body).as_str()),
        (400, "Cannot edit a reserved ticket")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_cancelled_order_puts_its_ticket_back_on_sale() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let next = app.signed_up("next@test.com").await;
    let ticket_id = ticket_for_sale(&app, &seller, "concert", json!(20)).await;
    let order = bought(&app, &buyer, &ticket_id).await;
    let ticket_path = format!("/api/tickets/{ticket_id}");
    app.eventually(&seller, &ticket_path, "ticket reserved", |_, t| {
        t.get("orderId").is_some()
    })
    .await;

    let path = format!("/api/orders/{}", order["id"].as_str().unwrap());
    assert_eq!(app.delete(&buyer, &path).await.0, 204);
    // The hold is freed before the answer: the next buyer may order at once.
    bought(&app, &next, &ticket_id).await;
    app.stop().await;
}

#[tokio::test]
async fn a_cancelled_order_releases_its_ticket_for_listing_and_editing() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let ticket_id = ticket_for_sale(&app, &seller, "concert", json!(20)).await;
    let order = bought(&app, &buyer, &ticket_id).await;
    let ticket_path = format!("/api/tickets/{ticket_id}");
    app.eventually(&seller, &ticket_path, "ticket reserved", |_, t| {
        t.get("orderId").is_some()
    })
    .await;

    let path = format!("/api/orders/{}", order["id"].as_str().unwrap());
    assert_eq!(app.delete(&buyer, &path).await.0, 204);
    app.eventually(&seller, "/api/tickets", "ticket listed again", |_, list| {
        list.as_array()
            .is_some_and(|l| l.iter().any(|t| t["id"] == ticket_id.as_str()))
    })
    .await;
    let (status, ticket) = app
        .put(
            &seller,
            &ticket_path,
            json!({"title": "changed", "price": 30}),
        )
        .await;
    assert_eq!((status, ticket["title"].as_str()), (200, Some("changed")));
    app.stop().await;
}

#[tokio::test]
async fn of_fifty_concurrent_buyers_of_one_ticket_exactly_one_gets_it() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let ticket_id = ticket_for_sale(&app, &seller, "last seat", json!(99)).await;
    let buyers = join_all((0..50).map(|i| {
        let app = &app;
        async move { app.signed_up(&format!("buyer{i}@test.com")).await }
    }))
    .await;

    let answers = join_all(
        buyers
            .iter()
            .map(|buyer| app.post(buyer, "/api/orders", json!({"ticketId": ticket_id}))),
    )
    .await;
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_eq!(
            (*status, first_error(body).as_str()),
            (400, "Ticket is already reserved")
        );
    }
    app.stop().await;
}
