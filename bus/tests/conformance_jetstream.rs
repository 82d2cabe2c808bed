//! The bus conformance suite against JetStream, fed by a relay from a file log: on the
//! local 2.9 server and on a current one.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use bus::{AnyBus, Bus, CheckpointFile, Relay};
use eventlog::{CategoryFilter, FileLog, FileLogOptions};

/// `through_any_bus` runs the suite through `AnyBus`, as the services hold the bus.
async fn keeps_every_promise(url: &str, through_any_bus: bool) {
    let dir = tempfile::tempdir().unwrap();
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
    let prefix = support::unique_prefix();
    // The relay has a connection of its own: the suite closes the buses it opens.
    let relay_bus = support::connect(url, &prefix).await;
    let relay = Relay::new(
        log.clone(),
        &relay_bus,
        CheckpointFile::new(dir.path().join("relay.checkpoint")),
        CategoryFilter::All,
    )
    .spawn()
    .unwrap();
    if through_any_bus {
        bus::conformance::run_all(&log, || async {
            AnyBus::<FileLog>::from(support::connect(url, &prefix).await)
        })
        .await;
    } else {
        bus::conformance::run_all(&log, || support::connect(url, &prefix)).await;
    }
    let head = eventlog::EventLog::head_position(&log).await.unwrap();
    assert!(
        relay
            .wait_until_published(head, Duration::from_secs(5))
            .await
    );
    relay.stop().await.unwrap();
    relay_bus.delete_streams().await.unwrap();
    relay_bus.close().await;
    log.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jetstream_bus_keeps_every_promise_on_the_local_server() {
    keeps_every_promise(&support::local_url(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jetstream_bus_keeps_every_promise_on_a_current_server() {
    let server = support::current_server();
    keeps_every_promise(&server.url, true).await;
}
