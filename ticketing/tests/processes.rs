//! The five services as five processes of the real binary, each with its own data
//! directory, file log and port, talking only through NATS JetStream: a purchase, a
//! cancellation and an expiry travel between them, and afterwards every durable consumer
//! has acknowledged everything. The same flows run against the shared local server
//! (Debian's 2.9) and the pinned current one (2.15, started by the test).
#![allow(clippy::unwrap_used)]

mod process_support;

use process_support::nats::{CONSUMERS, settled_consumers};
use process_support::process::Spec;
use process_support::shop::{
    WITHIN, create_ticket, for_sale, id, place_order, wait_held_by, wait_order, wait_released,
};
use process_support::{Client, Cluster, Nats};
use serde_json::json;

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
    let (tickets, orders) = (cluster.url("tickets", ""), cluster.url("orders", ""));
    let ticket = create_ticket(seller, &tickets, "concert", json!(20)).await;
    let order = place_order(buyer, &orders, &ticket).await;
    assert_eq!(order["ticket"]["title"], "concert", "orders' copy: {order}");
    let order = id(&order);
    wait_held_by(buyer, &tickets, &ticket, &order).await;
    assert!(
        !for_sale(buyer, &tickets).await.contains(&ticket),
        "a held ticket is not for sale"
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
    wait_order(buyer, &orders, &order, "complete", |o| {
        o["status"] == "complete"
    })
    .await;
}

/// A cancelled order releases its ticket at the tickets process.
async fn cancellation(cluster: &Cluster, seller: &Client, buyer: &Client) {
    let (tickets, orders) = (cluster.url("tickets", ""), cluster.url("orders", ""));
    let ticket = create_ticket(seller, &tickets, "play", json!("12.50")).await;
    let order = id(&place_order(buyer, &orders, &ticket).await);
    wait_held_by(buyer, &tickets, &ticket, &order).await;
    let (status, body) = buyer.delete(&format!("{orders}/api/orders/{order}")).await;
    assert_eq!(status, 204, "{body}");
    wait_order(buyer, &orders, &order, "cancelled", |o| {
        o["status"] == "cancelled"
    })
    .await;
    wait_released(buyer, &tickets, &ticket).await;
    assert!(
        for_sale(buyer, &tickets).await.contains(&ticket),
        "a released ticket is for sale again"
    );
}

/// An unpaid order expires (expiration process), is cancelled (orders), and the ticket is
/// released (tickets) and can be edited again.
async fn expiry(cluster: &Cluster, seller: &Client, buyer: &Client) {
    let (tickets, orders) = (cluster.url("tickets", ""), cluster.url("orders", ""));
    let ticket = create_ticket(seller, &tickets, "match", json!(35)).await;
    let order = id(&place_order(buyer, &orders, &ticket).await);
    wait_order(buyer, &orders, &order, "expired", |o| {
        o["status"] == "cancelled"
    })
    .await;
    wait_released(buyer, &tickets, &ticket).await;
    let (status, edited) = seller
        .put(
            &format!("{tickets}/api/tickets/{ticket}"),
            json!({"title": "match (rescheduled)", "price": 40}),
        )
        .await;
    assert_eq!(status, 200, "a released ticket is editable: {edited}");
    assert_eq!(edited["title"], "match (rescheduled)");
}
