//! The relay from a file log to JetStream: exact copies, restarts from the checkpoint and
//! NATS outages, with consumers seeing every event exactly once.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use bus::conformance::{append_events, next_within};
use bus::{Bus, CheckpointFile, ConsumerConfig, JetStreamBus, Relay, RelayHandle};
use eventlog::{CategoryFilter, EventLog, ExpectedRevision, FileLog, FileLogOptions, NewEvent};
use uuid::Uuid;

const PATIENCE: Duration = Duration::from_secs(15);

fn open_log(dir: &tempfile::TempDir) -> FileLog {
    FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap()
}

fn start_relay(log: &FileLog, bus: &JetStreamBus, dir: &tempfile::TempDir) -> RelayHandle {
    Relay::new(
        log.clone(),
        bus,
        CheckpointFile::new(dir.path().join("relay.checkpoint")),
        CategoryFilter::All,
    )
    .spawn()
    .unwrap()
}

/// Receives exactly `ids` (in order) and then nothing more for a while.
async fn receive_exactly(consumer: &mut bus::Consumer, ids: &[Uuid]) {
    for (n, id) in ids.iter().enumerate() {
        let delivery = next_within(consumer, PATIENCE)
            .await
            .unwrap_or_else(|| panic!("event {n} of {} did not arrive", ids.len()));
        assert_eq!(&delivery.event.id, id, "event {n} arrives in log order");
        assert_eq!(delivery.attempt, 1, "event {n} is delivered once");
        delivery.ack().await.unwrap();
    }
    if let Some(extra) = next_within(consumer, Duration::from_millis(800)).await {
        panic!("a duplicate or extra delivery: {:?}", extra.event.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_event_arrives_byte_for_byte() {
    let url = support::local_url();
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(&dir);
    let prefix = support::unique_prefix();
    let bus = support::connect(&url, &prefix).await;
    let relay = start_relay(&log, &bus, &dir);
    let correlation = Uuid::new_v4();
    let odd = NewEvent {
        id: Uuid::new_v4(),
        event_type: "Odd Type.With*Dots".into(),
        data: vec![0, 1, 2, 255],
        metadata: format!("{{\n \"correlationId\": \"{correlation}\"\n}}\n").into_bytes(),
    };
    let plain = NewEvent {
        id: Uuid::new_v4(),
        event_type: "OrderCreated".into(),
        data: br#"{"orderId":"o-1","price":1250}"#.to_vec(),
        metadata: format!(r#"{{"correlationId":"{correlation}","causationId":"{correlation}"}}"#)
            .into_bytes(),
    };
    log.append("order-1", ExpectedRevision::NoStream, vec![odd, plain])
        .await
        .unwrap();
    let stored = log.read_all(0, 10, &CategoryFilter::All).await.unwrap();
    let mut consumer = bus
        .consumer(ConsumerConfig::new("exact", "order"))
        .await
        .unwrap();
    for original in &stored {
        let delivery = next_within(&mut consumer, PATIENCE).await.unwrap();
        assert_eq!(
            &delivery.event, original,
            "the consumer rebuilds the recorded event"
        );
        delivery.ack().await.unwrap();
    }
    relay.stop().await.unwrap();
    bus.delete_streams().await.unwrap();
    bus.close().await;
    log.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_relay_republishes_from_its_checkpoint_without_duplicates() {
    let url = support::local_url();
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(&dir);
    let prefix = support::unique_prefix();
    let bus = support::connect(&url, &prefix).await;
    let category = bus::conformance::unique_category();
    let ids = append_events(&log, &category, "a", 40).await;
    let relay = start_relay(&log, &bus, &dir);
    let head = log.head_position().await.unwrap();
    assert!(relay.wait_until_published(head, PATIENCE).await);
    relay.stop().await.unwrap();
    // A crash right after publishing, before the checkpoint moved: start over from 10.
    CheckpointFile::new(dir.path().join("relay.checkpoint"))
        .save(10)
        .unwrap();
    let mut more = append_events(&log, &category, "b", 10).await;
    let relay = start_relay(&log, &bus, &dir);
    let head = log.head_position().await.unwrap();
    assert!(relay.wait_until_published(head, PATIENCE).await);
    let mut consumer = bus
        .consumer(ConsumerConfig::new("after-restart", &category))
        .await
        .unwrap();
    let mut expected = ids;
    expected.append(&mut more);
    receive_exactly(&mut consumer, &expected).await;
    relay.stop().await.unwrap();
    assert_eq!(
        CheckpointFile::new(dir.path().join("relay.checkpoint"))
            .load()
            .unwrap(),
        head,
        "the checkpoint is saved on stop"
    );
    bus.delete_streams().await.unwrap();
    bus.close().await;
    log.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_rides_out_a_nats_outage_and_every_event_arrives_once() {
    let (mut server, _store) = support::start_pinned();
    let url = server.url();
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(&dir);
    let prefix = support::unique_prefix();
    let bus = support::connect(&url, &prefix).await;
    let category = bus::conformance::unique_category();
    let relay = start_relay(&log, &bus, &dir);
    let mut consumer = bus
        .consumer(ConsumerConfig::new("outage", &category))
        .await
        .unwrap();
    let before = append_events(&log, &category, "a", 20).await;
    receive_exactly(&mut consumer, &before).await;

    server.stop().unwrap();
    // Appends do not wait for the relay or NATS.
    let started = tokio::time::Instant::now();
    let mut during = Vec::new();
    for n in 0..6 {
        during.extend(append_events(&log, &category, &format!("b{n}"), 5).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "appends went on while NATS was down"
    );
    server.start_again().unwrap();

    receive_exactly(&mut consumer, &during).await;
    let head = log.head_position().await.unwrap();
    assert!(relay.wait_until_published(head, PATIENCE).await);
    let after = append_events(&log, &category, "c", 5).await;
    receive_exactly(&mut consumer, &after).await;
    let unique: HashSet<Uuid> = before
        .iter()
        .chain(&during)
        .chain(&after)
        .copied()
        .collect();
    assert_eq!(unique.len(), 55);
    relay.stop().await.unwrap();
    drop(consumer);
    bus.close().await;
    log.close().await;
    server.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_binding_one_durable_split_its_events() {
    let url = support::local_url();
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(&dir);
    let prefix = support::unique_prefix();
    // Two connections stand for two processes of one service.
    let one = support::connect(&url, &prefix).await;
    let two = support::connect(&url, &prefix).await;
    let relay = start_relay(&log, &one, &dir);
    let category = bus::conformance::unique_category();
    let ids = append_events(&log, &category, "a", 30).await;
    let config = ConsumerConfig::new("shared", &category);
    let mut first = one.consumer(config.clone()).await.unwrap();
    let mut second = two.consumer(config).await.unwrap();
    let mut seen = Vec::new();
    let (mut by_first, mut by_second) = (0, 0);
    while seen.len() < ids.len() {
        tokio::select! {
            Some(d) = next_within(&mut first, PATIENCE) => { by_first += 1; seen.push(d.event.id); d.ack().await.unwrap(); }
            Some(d) = next_within(&mut second, PATIENCE) => { by_second += 1; seen.push(d.event.id); d.ack().await.unwrap(); }
            else => panic!("stopped after {} events", seen.len()),
        }
    }
    let unique: HashSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no event is handled twice");
    assert!(by_first > 0 && by_second > 0, "both processes got work");
    relay.stop().await.unwrap();
    one.delete_streams().await.unwrap();
    one.close().await;
    two.close().await;
    log.close().await;
}
