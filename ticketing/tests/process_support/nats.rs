//! The NATS servers the multi-process tests run against, and what a test asks the bus.
//!
//! - The local server (`NATS_URL`, default `nats://127.0.0.1:4222`): Debian's 2.9 here and
//!   in CI, shared by every test run, so each test uses a prefix of its own and deletes
//!   its streams when it ends, failed or not.
//! - The pinned current server (2.15, installed under `.tools/` by
//!   `scripts/nats-server.sh install`): started by the test on a free port with a store in
//!   the test's temporary directory, and killed when the test ends.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bus::nats_server::{self, NatsServer};
use bus::{Bus as _, ConsumerState, JetStreamBus, JetStreamOptions};
use uuid::Uuid;

/// Every durable consumer of the five services.
pub const CONSUMERS: [&str; 9] = [
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

/// Which server a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nats {
    /// The shared local server (2.9).
    Local,
    /// The pinned 2.15, started for this test alone.
    Pinned,
}

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The local server's URL; fails with the fix when nothing listens there.
pub fn local_url() -> String {
    let url = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned());
    assert!(
        nats_server::reachable(&url),
        "no NATS server at {url} (NATS_URL): start one with JetStream (`nats-server -js`) \
         or point NATS_URL at one"
    );
    url
}

/// The pinned server on a free port, storing in `store`.
pub fn start_pinned(store: &Path) -> NatsServer {
    let binary = NatsServer::pinned_binary(&workspace())
        .unwrap_or_else(|e| panic!("the pinned nats-server is not available: {e}"));
    NatsServer::start(&binary, 0, store)
        .unwrap_or_else(|e| panic!("starting the pinned nats-server failed: {e}"))
}

/// A prefix no other test run uses (it names the streams too).
pub fn unique_prefix() -> String {
    format!("e2e{}", &Uuid::new_v4().simple().to_string()[..10])
}

/// A bus with the processes' prefix, for looking at consumers.
pub async fn connect(url: &str, prefix: &str) -> JetStreamBus {
    let options = JetStreamOptions {
        prefix: prefix.to_owned(),
        ..JetStreamOptions::default()
    };
    JetStreamBus::connect(url, options)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"))
}

/// Deletes the prefix's streams from a thread with a runtime of its own, so that it can
/// run in `Drop`, inside or outside a tokio runtime, also while a test unwinds.
pub fn delete_streams_blocking(url: &str, prefix: &str) -> Result<(), String> {
    let (url, prefix) = (url.to_owned(), prefix.to_owned());
    let cleanup = std::thread::spawn(move || -> Result<(), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let work = async {
                let options = JetStreamOptions {
                    prefix: prefix.clone(),
                    ..JetStreamOptions::default()
                };
                let bus = JetStreamBus::connect(&url, options)
                    .await
                    .map_err(|e| e.to_string())?;
                let deleted = bus.delete_streams().await.map_err(|e| e.to_string());
                bus.close().await;
                deleted
            };
            tokio::time::timeout(Duration::from_secs(20), work)
                .await
                .map_err(|_| format!("deleting the streams of {prefix} timed out"))?
        })
    });
    cleanup
        .join()
        .map_err(|_| "the cleanup thread panicked".to_owned())?
}

/// Waits until every consumer of the prefix has nothing pending, nothing awaiting its
/// acknowledgement and no dead letter, and `expected` are all there; returns the states.
pub async fn settled_consumers(
    url: &str,
    prefix: &str,
    expected: &[&str],
    within: Duration,
) -> Vec<ConsumerState> {
    consumers_until(url, prefix, within, |states| {
        expected
            .iter()
            .all(|name| states.iter().any(|s| s.name == *name))
            && states
                .iter()
                .all(|s| s.pending == 0 && s.ack_pending == 0 && s.dead_letters == 0)
    })
    .await
}

/// Polls the consumer states of the prefix until `done` holds for them; fails at once
/// when a dead letter appears (it would never go away by itself).
pub async fn consumers_until(
    url: &str,
    prefix: &str,
    within: Duration,
    done: impl Fn(&[ConsumerState]) -> bool,
) -> Vec<ConsumerState> {
    let bus = connect(url, prefix).await;
    let deadline = Instant::now() + within;
    let states = loop {
        let states = bus.consumer_states().await;
        if let Ok(states) = &states {
            let dead: Vec<_> = states.iter().filter(|s| s.dead_letters > 0).collect();
            assert!(
                dead.is_empty(),
                "events went to the dead letters: {dead:#?}"
            );
            if done(states) {
                break states.clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "the consumers did not reach the expected state within {within:?}: {states:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    bus.close().await;
    states
}
