//! The marketplace steps the multi-process tests repeat, against the base URL of the
//! process that serves each service.

use std::time::Duration;

use serde_json::{Value, json};

use super::http::{Client, eventually, held};

/// Bound on any effect that travels through the bus (generous: a loaded 2-core machine).
pub const WITHIN: Duration = Duration::from_secs(30);

/// `POST /api/tickets` at `tickets`; returns the ticket's id.
pub async fn create_ticket(seller: &Client, tickets: &str, title: &str, price: Value) -> String {
    let (status, ticket) = seller
        .post(
            &format!("{tickets}/api/tickets"),
            json!({"title": title, "price": price}),
        )
        .await;
    assert_eq!(status, 201, "the ticket is created: {ticket}");
    ticket["id"].as_str().unwrap().to_owned()
}

/// `POST /api/orders` at `orders` as soon as orders has its copy of the ticket (404
/// before); returns the created order.
pub async fn place_order(buyer: &Client, orders: &str, ticket: &str) -> Value {
    let (status, order) = buyer
        .post_once_known(
            &format!("{orders}/api/orders"),
            json!({"ticketId": ticket}),
            WITHIN,
        )
        .await;
    assert_eq!(status, 201, "the order is placed: {order}");
    assert_eq!(order["status"], "created", "{order}");
    order
}

/// Polls `GET /api/orders/{order}` at `orders` until `done` holds; returns the order.
pub async fn wait_order(
    client: &Client,
    orders: &str,
    order: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let url = format!("{orders}/api/orders/{order}");
    let what = format!("order {order}: {what}");
    eventually(&what, WITHIN, async || {
        let (status, body) = client.get(&url).await;
        if status == 200 && done(&body) {
            Ok(body)
        } else {
            Err(format!("{status} {body}"))
        }
    })
    .await
}

/// Polls `GET /api/tickets/{ticket}` at `tickets` until `done` holds; returns the ticket.
pub async fn wait_ticket(
    client: &Client,
    tickets: &str,
    ticket: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let url = format!("{tickets}/api/tickets/{ticket}");
    let what = format!("ticket {ticket}: {what}");
    eventually(&what, WITHIN, async || {
        let (status, body) = client.get(&url).await;
        if status == 200 && done(&body) {
            Ok(body)
        } else {
            Err(format!("{status} {body}"))
        }
    })
    .await
}

/// Waits until the ticket is held by `order` at `tickets`.
pub async fn wait_held_by(client: &Client, tickets: &str, ticket: &str, order: &str) -> Value {
    wait_ticket(client, tickets, ticket, "held by the order", |t| {
        t["orderId"] == order
    })
    .await
}

/// Waits until the ticket is held by no order at `tickets`.
pub async fn wait_released(client: &Client, tickets: &str, ticket: &str) -> Value {
    wait_ticket(client, tickets, ticket, "released", |t| !held(t)).await
}

/// `GET /api/tickets` at `tickets`: the ids of the tickets for sale.
pub async fn for_sale(client: &Client, tickets: &str) -> Vec<String> {
    let (status, list) = client.get(&format!("{tickets}/api/tickets")).await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect()
}

/// The id of a created ticket, order or payment.
pub fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}
