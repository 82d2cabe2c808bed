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
