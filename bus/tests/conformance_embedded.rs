//! The bus conformance suite against the embedded bus over the file log.
#![allow(clippy::unwrap_used)]

use bus::EmbeddedBus;
use eventlog::{FileLog, FileLogOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_bus_keeps_every_promise_of_the_bus_port() {
    let dir = tempfile::tempdir().unwrap();
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
    let bus_dir = dir.path().join("bus");
    bus::conformance::run_all(&log, || {
        let log = log.clone();
        let bus_dir = bus_dir.clone();
        async move { EmbeddedBus::open(log, bus_dir).unwrap() }
    })
    .await;
    log.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redrive_asked_for_while_the_consumer_is_stopped_is_delivered_when_it_starts() {
    use bus::{Bus, ConsumerConfig};
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
    let category = bus::conformance::unique_category();
    let ids = bus::conformance::append_events(&log, &category, "a", 1).await;
    let config = ConsumerConfig::new("stopped-redrive", category.as_str());
    {
        let bus = EmbeddedBus::open(log.clone(), dir.path().join("bus")).unwrap();
        let mut consumer = bus.consumer(config.clone()).await.unwrap();
        consumer.next().await.unwrap().reject("bug").await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        bus.close().await;
    }
    {
        // The operator's process: the consumer does not run here.
        let bus = EmbeddedBus::open(log.clone(), dir.path().join("bus")).unwrap();
        assert_eq!(bus.dead_letters("stopped-redrive").await.unwrap().len(), 1);
        bus.redrive("stopped-redrive", ids[0]).await.unwrap();
        bus.close().await;
    }
    let bus = EmbeddedBus::open(log.clone(), dir.path().join("bus")).unwrap();
    let mut consumer = bus.consumer(config).await.unwrap();
    let again = tokio::time::timeout(Duration::from_secs(10), consumer.next())
        .await
        .expect("the re-driven event is delivered at start")
        .unwrap();
    assert_eq!(again.event.id, ids[0]);
    again.ack().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        bus.dead_letters("stopped-redrive")
            .await
            .unwrap()
            .is_empty()
    );
    bus.close().await;
    log.close().await;
}
