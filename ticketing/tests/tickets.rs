//! `/api/tickets` over real HTTP: the original app's cases, prices as money, versions,
//! and a ticket held by an order (hidden from the list, not editable, back on cancel).
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use support::{TestApp, first_error};

/// `seller` puts up a ticket: the 201 body.
async fn created(app: &TestApp, seller: &reqwest::Client, title: &str, price: Value) -> Value {
    app.sell(seller, title, price).await
}

fn fields(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn field(name: &str, message: &str) -> (String, String) {
    (name.to_owned(), message.to_owned())
}

#[tokio::test]
async fn creating_a_ticket_exists_as_a_route_and_needs_a_signed_in_user_first() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    // 401 even with an invalid body: sign-in is checked before validation.
    let (status, body) = app.post(&anonymous, "/api/tickets", json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(first_error(&body), "Not authorized");
    let seller = app.signed_up("seller@test.com").await;
    let (status, _) = app.post(&seller, "/api/tickets", json!({})).await;
    assert_ne!(status, 401);
    assert_ne!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn an_invalid_title_or_price_is_a_400_naming_every_wrong_field() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let post = |body: Value| app.post(&seller, "/api/tickets", body);

    for body in [json!({"title": "", "price": 10}), json!({"price": 10})] {
        let (status, answer) = post(body).await;
        assert_eq!(status, 400);
        assert_eq!(fields(&answer), vec![field("title", "Title is required")]);
    }
    for price in [json!(-10), json!(0), json!("0.00")] {
        let (status, answer) = post(json!({"title": "concert", "price": price})).await;
        assert_eq!(status, 400, "{price}");
        assert_eq!(
            fields(&answer),
            vec![field("price", "Price must be greater than 0")],
            "{price}"
        );
    }
    for price in [json!(null), json!("ten"), json!(true)] {
        let (status, answer) = post(json!({"title": "concert", "price": price})).await;
        assert_eq!(status, 400, "{price}");
        assert_eq!(fields(&answer)[0].0, "price", "{price}");
    }
    let (status, answer) = post(json!({"title": "concert"})).await;
    assert_eq!(status, 400);
    assert_eq!(fields(&answer)[0].0, "price");

    let (status, answer) = post(json!({"title": "  ", "price": -1})).await;
    assert_eq!(status, 400);
    let named: Vec<String> = fields(&answer).into_iter().map(|(f, _)| f).collect();
    assert_eq!(named, vec!["title", "price"]);
    app.stop().await;
}

#[tokio::test]
async fn a_valid_ticket_is_created_with_version_zero_and_appears_in_the_list() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let (_, me) = app.get(&seller, "/api/users/currentuser").await;
    let (_, before) = app.get(&seller, "/api/tickets").await;
    assert_eq!(before, json!([]));

    let ticket = created(&app, &seller, "  concert  ", json!(20)).await;
    assert!(uuid::Uuid::parse_str(ticket["id"].as_str().unwrap()).is_ok());
    assert_eq!(ticket["title"], "concert");
    assert_eq!(ticket["price"], json!(20));
    assert_eq!(ticket["userId"], me["currentUser"]["id"]);
    assert_eq!(ticket["version"], json!(0));
    assert!(ticket.get("orderId").is_none());

    let (status, list) = app.get(&app.client(), "/api/tickets").await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([ticket]));
    app.stop().await;
}

#[tokio::test]
async fn prices_are_money_given_as_numbers_or_decimal_strings_with_at_most_two_decimals() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    for (given, shown) in [
        (json!("25.00"), json!(25)),
        (json!("19.99"), json!(19.99)),
        (json!(19.99), json!(19.99)),
        (json!(0.5), json!(0.5)),
    ] {
        let ticket = created(&app, &seller, "concert", given.clone()).await;
        assert_eq!(ticket["price"], shown, "{given}");
    }
    for price in [json!(19.999), json!("19.999"), json!("1e30"), json!(1e30)] {
        let (status, answer) = app
            .post(
                &seller,
                "/api/tickets",
                json!({"title": "t", "price": price}),
            )
            .await;
        assert_eq!(status, 400, "{price}: {answer}");
        assert_eq!(fields(&answer)[0].0, "price", "{price}");
    }
    app.stop().await;
}

#[tokio::test]
async fn showing_a_ticket_answers_404_for_unknown_or_malformed_ids_and_200_otherwise() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let unknown = format!("/api/tickets/{}", uuid::Uuid::new_v4());
    let (status, body) = app.get(&client, &unknown).await;
    assert_eq!(status, 404);
    assert_eq!(first_error(&body), "Not Found");
    assert_eq!(app.get(&client, "/api/tickets/not-a-uuid").await.0, 404);

    let seller = app.signed_up("seller@test.com").await;
    let ticket = created(&app, &seller, "concert", json!(20)).await;
    let path = format!("/api/tickets/{}", ticket["id"].as_str().unwrap());
    let (status, shown) = app.get(&client, &path).await;
    assert_eq!(status, 200);
    assert_eq!(shown, ticket);
    app.stop().await;
}

#[tokio::test]
async fn the_list_shows_every_free_ticket_in_creation_order() {
    let app = TestApp::spawn().await;
    let alice = app.signed_up("alice@test.com").await;
    let bob = app.signed_up("bob@test.com").await;
    let one = created(&app, &alice, "one", json!(1)).await;
    let two = created(&app, &bob, "two", json!(2)).await;
    let three = created(&app, &alice, "three", json!(3)).await;
    let (status, list) = app.get(&app.client(), "/api/tickets").await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([one, two, three]));
    app.stop().await;
}

#[tokio::test]
async fn updating_checks_sign_in_then_fields_then_existence_then_ownership() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let other = app.signed_up("other@test.com").await;
    let ticket = created(&app, &seller, "concert", json!(20)).await;
    let path = format!("/api/tickets/{}", ticket["id"].as_str().unwrap());
    let valid = json!({"title": "new title", "price": 100});

    let (status, _) = app.put(&app.client(), &path, valid.clone()).await;
    assert_eq!(status, 401, "not signed in");
    let unknown = format!("/api/tickets/{}", uuid::Uuid::new_v4());
    let (status, _) = app.put(&seller, &unknown, valid.clone()).await;
    assert_eq!(status, 404, "unknown ticket");
    let (status, _) = app.put(&seller, "/api/tickets/nope", valid.clone()).await;
    assert_eq!(status, 404, "malformed id");
    let (status, body) = app.put(&other, &path, valid.clone()).await;
    assert_eq!(status, 401, "not the owner: {body}");
    for invalid in [
        json!({"title": "", "price": 10}),
        json!({"title": "t", "price": -10}),
        json!({"title": "t"}),
    ] {
        let (status, _) = app.put(&seller, &path, invalid.clone()).await;
        assert_eq!(status, 400, "{invalid}");
    }

    let (_, unchanged) = app.get(&seller, &path).await;
    assert_eq!(unchanged, ticket, "refused updates changed nothing");
    app.stop().await;
}

#[tokio::test]
async fn the_owner_updates_title_and_price_and_each_update_bumps_the_version() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let ticket = created(&app, &seller, "concert", json!(20)).await;
    let path = format!("/api/tickets/{}", ticket["id"].as_str().unwrap());

    let (status, updated) = app
        .put(
            &seller,
            &path,
            json!({"title": "new title", "price": "100.50"}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["title"], "new title");
    assert_eq!(updated["price"], json!(100.5));
    assert_eq!(updated["version"], json!(1));
    assert_eq!(updated["id"], ticket["id"]);
    assert_eq!(app.get(&seller, &path).await.1, updated);

    let (_, again) = app
        .put(&seller, &path, json!({"title": "third", "price": 5}))
        .await;
    assert_eq!(again["version"], json!(2));
    assert_eq!(app.get(&seller, "/api/tickets").await.1, json!([again]));
    app.stop().await;
}

#[tokio::test]
async fn a_held_ticket_is_hidden_from_the_list_cannot_be_edited_and_returns_when_cancelled() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let buyer = app.signed_up("buyer@test.com").await;
    let ticket = created(&app, &seller, "concert", json!(20)).await;
    let path = format!("/api/tickets/{}", ticket["id"].as_str().unwrap());

    let (status, order) = app
        .post(&buyer, "/api/orders", json!({"ticketId": ticket["id"]}))
        .await;
    assert_eq!(status, 201, "{order}");
    let held = app
        .eventually(&seller, &path, "the ticket is reserved", |_, t| {
            t["orderId"] == order["id"]
        })
        .await;
    assert_eq!(held["version"], json!(1));
    assert_eq!(app.get(&seller, "/api/tickets").await.1, json!([]));
    let (status, body) = app
        .put(&seller, &path, json!({"title": "new", "price": 30}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(first_error(&body), "Cannot edit a reserved ticket");

    let order_path = format!("/api/orders/{}", order["id"].as_str().unwrap());
    assert_eq!(app.delete(&buyer, &order_path).await.0, 204);
    let released = app
        .eventually(&seller, &path, "the ticket is released", |_, t| {
            t.get("orderId").is_none()
        })
        .await;
    assert_eq!(released["version"], json!(2));
    assert_eq!(app.get(&seller, "/api/tickets").await.1, json!([released]));
    let (status, _) = app
        .put(&seller, &path, json!({"title": "new", "price": 30}))
        .await;
    assert_eq!(status, 200);
    app.stop().await;
}

#[tokio::test]
async fn after_a_cancel_the_next_buyers_order_ends_up_holding_the_ticket() {
    let app = TestApp::spawn().await;
    let seller = app.signed_up("seller@test.com").await;
    let first = app.signed_up("first@test.com").await;
    let second = app.signed_up("second@test.com").await;
    let ticket = created(&app, &seller, "concert", json!(20)).await;
    let path = format!("/api/tickets/{}", ticket["id"].as_str().unwrap());

    // No waiting between the steps: the second order may reach tickets while the first
    // one's release is still on its way, and must then wait for it rather than be lost.
    let (_, a) = app
        .post(&first, "/api/orders", json!({"ticketId": ticket["id"]}))
        .await;
    let a_path = format!("/api/orders/{}", a["id"].as_str().unwrap());
    assert_eq!(app.delete(&first, &a_path).await.0, 204);
    let (status, b) = app
        .post(&second, "/api/orders", json!({"ticketId": ticket["id"]}))
        .await;
    assert_eq!(status, 201, "{b}");
    let held = app
        .eventually(
            &seller,
            &path,
            "the second order holds the ticket",
            |_, t| t["orderId"] == b["id"],
        )
        .await;
    // created, reserved by A, released, reserved by B.
    assert_eq!(held["version"], json!(3));
    app.stop().await;
}
