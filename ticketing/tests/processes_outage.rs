//! NATS goes away under load: the five services as five processes on the pinned server
//! (2.15, started by the test so it can stop it), the server stopped for several seconds
//! while a client keeps signing up, selling and ordering, then started again on the same
//! port and store. Writes keep succeeding (a command only appends to its process's log),
//! readiness reports the lost connection, and afterwards every event has reached every
//! consumer exactly once: the read models agree with each other and with the logs.
#![allow(clippy::unwrap_used)]

mod process_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use process_support::logs;
use process_support::nats::{CONSUMERS, consumers_until, settled_consumers};
use process_support::process::Spec;
use process_support::shop::{WITHIN, create_ticket, id, place_order, wait_held_by, wait_order};
use process_support::{Client, Cluster, Nats};
use serde_json::json;

const SERVICES: [&str; 5] = ["auth", "tickets", "orders", "expiration", "payments"];

/// Tickets sold before the outage, to be ordered during it.
const BEFORE: usize = 12;

/// How long NATS stays down at least.
const OUTAGE: Duration = Duration::from_secs(4);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_succeed_while_nats_is_down_and_every_event_arrives_once_after_it_returns() {
    let mut cluster = Cluster::new(Nats::Pinned);
    // The default ack wait (30 s): a delivery stranded by the reconnection would show as
    // a stall past the polling deadlines.
    let specs = SERVICES.map(|name| Spec::new(name, name));
    cluster.start(specs.to_vec()).await;
    let (auth, tickets, orders) = (
        cluster.url("auth", ""),
        cluster.url("tickets", ""),
        cluster.url("orders", ""),
    );
    let seller = Client::signed_up(&auth, "seller@outage.test").await;
    let buyer = Client::signed_up(&auth, "buyer@outage.test").await;
    let mut before = Vec::new();
    for i in 0..BEFORE {
        before.push(create_ticket(&seller, &tickets, &format!("before {i}"), json!(10)).await);
    }
    // Orders must know these tickets before the outage: its ticket consumer has
    // acknowledged all of them.
    consumers_until(&cluster.nats_url, &cluster.prefix, WITHIN, |states| {
        states
            .iter()
            .any(|s| s.name == "orders-tickets" && s.acknowledged >= BEFORE as u64)
    })
    .await;

    // (ticket, order) pairs, and the titles orders must show.
    let mut ordered: Vec<(String, String)> = Vec::new();
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    for (i, ticket) in before.iter().enumerate() {
        titles.insert(ticket.clone(), format!("before {i}"));
    }

    tokio::task::block_in_place(|| cluster.server().stop()).unwrap();
    let stopped = Instant::now();
    let mut during = Vec::new();
    let mut outage_reported = false;
    let mut late_buyer = None;
    while stopped.elapsed() < OUTAGE || !outage_reported {
        assert!(
            stopped.elapsed() < WITHIN,
            "no process reported the lost NATS connection on /readyz"
        );
        let title = format!("during {}", during.len());
        let ticket = create_ticket(&seller, &tickets, &title, json!(15)).await;
        titles.insert(ticket.clone(), title);
        during.push(ticket);
        if let Some(ticket) = before.get(ordered.len()) {
            let (status, order) = buyer
                .post(&format!("{orders}/api/orders"), json!({"ticketId": ticket}))
                .await;
            assert_eq!(
                status, 201,
                "orders takes orders while NATS is down: {order}"
            );
            ordered.push((ticket.clone(), id(&order)));
        }
        if late_buyer.is_none() {
            late_buyer = Some(Client::signed_up(&auth, "late@outage.test").await);
        }
        for name in SERVICES {
            if let Some((503, body)) = buyer.readiness(&cluster.url(name, "")).await
                && body.contains("NATS")
            {
                outage_reported = true;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !ordered.is_empty() && during.len() > 1,
        "the client kept working"
    );
    tokio::task::block_in_place(|| cluster.server().start_again()).unwrap();
    for name in SERVICES {
        cluster.wait_ready(name).await;
    }

    // Tickets sold during the outage reach orders (the relay caught up), and a buyer who
    // signed up during it orders and pays.
    let late_buyer = late_buyer.unwrap();
    for ticket in &during {
        let order = id(&place_order(&late_buyer, &orders, ticket).await);
        ordered.push((ticket.clone(), order));
    }
    let (paid_ticket, paid_order) = ordered[0].clone();
    let (status, payment) = buyer
        .post_once_known(
            &cluster.url("payments", "/api/payments"),
            json!({"token": "tok_visa", "orderId": paid_order}),
            WITHIN,
        )
        .await;
    assert_eq!(
        status, 201,
        "an order placed during the outage is paid: {payment}"
    );

    let mut ticket_versions = BTreeMap::new();
    let mut order_versions = BTreeMap::new();
    for (ticket, order) in &ordered {
        let shown = wait_held_by(&buyer, &tickets, ticket, order).await;
        ticket_versions.insert(
            format!("ticket-{ticket}"),
            shown["version"].as_u64().unwrap(),
        );
        let owner = if before.contains(ticket) {
            &buyer
        } else {
            &late_buyer
        };
        let done = |o: &serde_json::Value| {
            o["status"]
                == if *order == paid_order {
                    "complete"
                } else {
                    "created"
                }
        };
        let shown = wait_order(owner, &orders, order, "settled", done).await;
        assert_eq!(
            shown["ticket"]["title"], titles[ticket],
            "orders' copy: {shown}"
        );
        order_versions.insert(format!("order-{order}"), shown["version"].as_u64().unwrap());
    }
    settled_consumers(&cluster.nats_url, &cluster.prefix, &CONSUMERS, WITHIN).await;
    cluster.terminate_all();

    // Nothing doubled: every ticket was created and reserved once, every order created
    // once (and the paid one completed once), and the read models show the logs' revisions.
    let tickets_log = logs::open(&cluster.data_dir("tickets"));
    assert_eq!(
        logs::revisions(&tickets_log, "ticket").await,
        ticket_versions
    );
    for stream in ticket_versions.keys() {
        let types = logs::event_types(&tickets_log, stream).await;
        assert_eq!(types, ["TicketCreated", "TicketReserved"], "{stream}");
    }
    let orders_log = logs::open(&cluster.data_dir("orders"));
    assert_eq!(logs::revisions(&orders_log, "order").await, order_versions);
    let paid = format!("order-{paid_order}");
    assert_eq!(
        logs::event_types(&orders_log, &paid).await,
        ["OrderCreated", "OrderCompleted"],
        "{paid} (ticket {paid_ticket})"
    );
    let holds = logs::revisions(&orders_log, "reservation").await;
    assert_eq!(holds.len(), ordered.len(), "one hold per ticket: {holds:?}");
    assert!(holds.values().all(|revision| *revision == 0), "{holds:?}");
}
