//! The five services as five processes of the real binary, each with its own data
//! directory, file log and port, talking only through NATS JetStream: a purchase, a
//! cancellation and an expiry travel between them, and afterwards every durable consumer
//! has acknowledged everything. The same flows run against the shared local server
//! (Debian's 2.9) and the pinned current one (2.15, started by the test).
#![allow(clippy::unwrap_used)]

mod process_support;

use std::time::Duration;

use process_support::http::held;
use process_support::nats::settled_consumers;
use process_support::process::Spec;
use process_support::{Client, Cluster, Nats, eventually};
use serde_json::{Value, json};

/// Bound on any effect that travels through the bus (generous: a loaded 2-core machine).
const WITHIN: Duration = Duration::from_secs(30);

/// Every durable consumer of the five services.
const CONSUMERS: [&str; 9] = [
    "expiration-orders",
    "orders-expiration",
    "orders-orders",
    "orders-payments",
    "orders-reservations",
    "orders-tickets",
    "payments-orders",
    "payments-refunds",
    "tickets-orders",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_processes_over_nats_2_9_sell_cancel_and_expire_and_leave_no_message_unacknowledged() {
    main_flows(Nats::Local).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_processes_over_nats_2_15_sell_cancel_and_expire_and_leave_no_message_unacknowledged()
{
    main_flows(Nats::Pinned).await;
}

async fn main_flows(nats: Nats) {
    let mut cluster = Cluster::new(nats);
    cluster
        .start(
            ["auth", "tickets", "orders", "expiration", "payments"]
                .map(|name| Spec::new(name, name))
                .to_vec(),
        )
        .await;
    let auth = cluster.url("auth", "");
    let seller = Client::signed_up(&auth, "seller@processes.test").await;
    let buyer = Client::signed_up(&auth, "buyer@processes.test").await;
    let (status, me) = buyer
        .get(&cluster.url("tickets", "/api/users/currentuser"))
        .await;
    assert_eq!(status, 404, "tickets does not serve auth's routes: {me}");

    purchase(&cluster, &seller, &buyer).await;
    cancellation(&cluster, &seller, &buyer).await;
    // The orders process decides the window: restart it with a short one, on the same
    // data directory (its log, read models and relay checkpoint carry on).
    cluster.terminate("orders");
    cluster
        .start_again("orders", &[("EXPIRATION_WINDOW_SECONDS", "2")])
        .await;
    expiry(&cluster, &seller, &buyer).await;

    let states = settled_consumers(&cluster.nats_url, &cluster.prefix, &CONSUMERS, WITHIN).await;
    for state in &states {
        assert!(
            state.acknowledged > 0 && state.delivered >= state.acknowledged,
            "every consumer saw and acknowledged the flows' events: {state:?}"
        );
    }
    cluster.terminate_all();
}

/// Signed up at auth, sells at tickets, orders at orders, pays at payments.
async fn purchase(cluster: &Cluster, seller: &Client, buyer: &Client) {
    let ticket = create_ticket(cluster, seller, "concert", json!(20)).await;
    let order = place_order(cluster, buyer, &ticket, "concert").await;
    wait_held_by(cluster, buyer, &ticket, &order).await;
    let (_, listed) = buyer.get(&cluster.url("tickets", "/api/tickets")).await;
    assert!(
        !ids(&listed).contains(&ticket),
        "a held ticket is not for sale: {listed}"
    );

    let (status, payment) = buyer
        .post_once_known(
            &cluster.url("payments", "/api/payments"),
            json!({"token": "tok_visa", "orderId": order}),
            WITHIN,
        )
        .await;
    assert_eq!(status, 201, "the payment is accepted: {payment}");
    assert!(payment["id"].is_string(), "{payment}");
    wait_order_status(cluster, buyer, &order, "complete").await;
}

/// A cancelled order releases its ticket at the tickets process.
async fn cancellation(cluster: &Cluster, seller: &Client, buyer: &Client) {
    let ticket = create_ticket(cluster, seller, "play", json!("12.50")).await;
    let order = place_order(cluster, buyer, &ticket, "play").await;
    wait_held_by(cluster, buyer, &ticket, &order).await;
    let (status, body) = buyer
        .delete(&cluster.url("orders", &format!("/api/orders/{order}")))
        .await;
    assert_eq!(status, 204, "{body}");
    wait_order_status(cluster, buyer, &order, "cancelled").await;
    wait_released(cluster, buyer, &ticket).await;
}

/// An unpaid order expires (expiration process), is cancelled (orders), and the ticket is
/// released (tickets) and can be edited again.
async fn expiry(cluster: &Cluster, seller: &Client, buyer: &Client) {
    let ticket = create_ticket(cluster, seller, "match", json!(35)).await;
    let order = place_order(cluster, buyer, &ticket, "match").await;
    wait_order_status(cluster, buyer, &order, "cancelled").await;
    wait_released(cluster, buyer, &ticket).await;
    let (status, edited) = seller
        .put(
            &cluster.url("tickets", &format!("/api/tickets/{ticket}")),
            json!({"title": "match (rescheduled)", "price": 40}),
        )
        .await;
    assert_eq!(status, 200, "a released ticket is editable: {edited}");
    assert_eq!(edited["title"], "match (rescheduled)");
}

async fn create_ticket(cluster: &Cluster, seller: &Client, title: &str, price: Value) -> String {
    let (status, ticket) = seller
        .post(
            &cluster.url("tickets", "/api/tickets"),
            json!({"title": title, "price": price}),
        )
        .await;
    assert_eq!(
        status, 201,
        "the session from auth's port works on tickets': {ticket}"
    );
    ticket["id"].as_str().unwrap().to_owned()
}

/// Places an order as soon as orders has its copy of the ticket; returns the order id.
async fn place_order(cluster: &Cluster, buyer: &Client, ticket: &str, title: &str) -> String {
    let (status, order) = buyer
        .post_once_known(
            &cluster.url("orders", "/api/orders"),
            json!({"ticketId": ticket}),
            WITHIN,
        )
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "created", "{order}");
    assert_eq!(
        order["ticket"]["title"], title,
        "orders' copy of the ticket: {order}"
    );
    order["id"].as_str().unwrap().to_owned()
}

async fn wait_held_by(cluster: &Cluster, client: &Client, ticket: &str, order: &str) {
    let url = cluster.url("tickets", &format!("/api/tickets/{ticket}"));
    eventually(
        "the tickets process shows the ticket held by the order",
        WITHIN,
        async || {
            let (status, body) = client.get(&url).await;
            if status == 200 && body["orderId"] == order {
                Ok(())
            } else {
                Err(format!("{status} {body}"))
            }
        },
    )
    .await;
}

async fn wait_released(cluster: &Cluster, client: &Client, ticket: &str) {
    let url = cluster.url("tickets", &format!("/api/tickets/{ticket}"));
    eventually(
        "the tickets process releases the ticket",
        WITHIN,
        async || {
            let (status, body) = client.get(&url).await;
            if status == 200 && !held(&body) {
                Ok(())
            } else {
                Err(format!("{status} {body}"))
            }
        },
    )
    .await;
    let (_, listed) = client.get(&cluster.url("tickets", "/api/tickets")).await;
    assert!(
        ids(&listed).contains(&ticket.to_owned()),
        "a released ticket is for sale again: {listed}"
    );
}

async fn wait_order_status(cluster: &Cluster, client: &Client, order: &str, status: &str) {
    let url = cluster.url("orders", &format!("/api/orders/{order}"));
    let what = format!("order {order} becomes {status}");
    eventually(&what, WITHIN, async || {
        let (code, body) = client.get(&url).await;
        if code == 200 && body["status"] == status {
            Ok(())
        } else {
            Err(format!("{code} {body}"))
        }
    })
    .await;
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|t| t["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
