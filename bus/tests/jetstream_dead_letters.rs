//! JetStream specifics of bounded attempts: a delivery nobody settles on its last attempt
//! (the handler crashed) still becomes a dead letter, through the server's advisory;
//! and a durable keeps its category.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use bus::conformance::{append_events, next_within};
use bus::{Bus, BusError, CheckpointFile, ConsumerConfig, JetStreamBus, Relay};
use eventlog::{CategoryFilter, EventLog, FileLog, FileLogOptions};

const PATIENCE: Duration = Duration::from_secs(15);

async fn crashed_handlers_leave_dead_letters(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
    let prefix = support::unique_prefix();
    let bus = support::connect(url, &prefix).await;
    let relay = Relay::new(
        log.clone(),
        &bus,
        CheckpointFile::new(dir.path().join("relay.checkpoint")),
        CategoryFilter::All,
    )
    .spawn()
    .unwrap();
    let category = bus::conformance::unique_category();
    let ids = append_events(&log, &category, "a", 1).await;
    let mut config = ConsumerConfig::new("crashing", &category);
    config.ack_wait = Duration::from_millis(500);
    config.max_deliver = 2;
    let mut consumer = bus.consumer(config).await.unwrap();
    for attempt in 1..=2 {
        let delivery = next_within(&mut consumer, PATIENCE).await.unwrap();
        assert_eq!(delivery.attempt, attempt);
        // The handler "crashes": the delivery is never settled.
        drop(delivery);
    }
    // Pulling again is what makes the server notice the attempts ran out.
    assert!(
        next_within(&mut consumer, Duration::from_secs(2))
            .await
            .is_none()
    );
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let letters = loop {
        let letters = bus.dead_letters("crashing").await.unwrap();
        if !letters.is_empty() || tokio::time::Instant::now() > deadline {
            break letters;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(letters.len(), 1, "one dead letter from the advisory");
    assert_eq!(letters[0].event_id, ids[0]);
    assert_eq!(letters[0].attempts, 2);
    assert!(
        letters[0].error.contains("not acknowledged"),
        "{}",
        letters[0].error
    );
    // It can be re-driven like any other.
    bus.redrive("crashing", ids[0]).await.unwrap();
    let again = next_within(&mut consumer, PATIENCE).await.unwrap();
    assert_eq!(again.event.id, ids[0]);
    assert_eq!(
        again.attempt, 1,
        "a re-driven event starts its attempts over"
    );
    again.ack().await.unwrap();
    assert!(bus.dead_letters("crashing").await.unwrap().is_empty());
    let head = log.head_position().await.unwrap();
    assert!(relay.wait_until_published(head, PATIENCE).await);
    relay.stop().await.unwrap();
    drop(consumer);
    bus.delete_streams().await.unwrap();
    bus.close().await;
    log.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_handler_on_the_last_attempt_leaves_a_dead_letter_on_the_local_server() {
    crashed_handlers_leave_dead_letters(&support::local_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_handler_on_the_last_attempt_leaves_a_dead_letter_on_a_current_server() {
    let server = support::current_server();
    crashed_handlers_leave_dead_letters(&server.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_durable_keeps_its_category_but_takes_new_settings() {
    let url = support::local_url();
    let prefix = support::unique_prefix();
    let bus: JetStreamBus = support::connect(&url, &prefix).await;
    let consumer = bus
        .consumer(ConsumerConfig::new("kept", "orders"))
        .await
        .unwrap();
    drop(consumer);
    // Settings other than the category may change between deployments.
    let mut changed = ConsumerConfig::new("kept", "orders");
    changed.ack_wait = Duration::from_secs(7);
    changed.max_deliver = 9;
    changed.max_ack_pending = 50;
    drop(bus.consumer(changed).await.unwrap());
    let refused = bus.consumer(ConsumerConfig::new("kept", "tickets")).await;
    assert!(
        matches!(refused, Err(BusError::InvalidConfig(_))),
        "{refused:?}"
    );
    let states = bus.consumer_states().await.unwrap();
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].category, "orders");
    bus.delete_streams().await.unwrap();
    bus.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefix_that_cannot_name_a_stream_is_refused() {
    let options = bus::JetStreamOptions {
        prefix: "a.b".into(),
        ..Default::default()
    };
    let refused = JetStreamBus::connect(&support::local_url(), options).await;
    assert!(matches!(refused, Err(BusError::InvalidConfig(_))));
}
