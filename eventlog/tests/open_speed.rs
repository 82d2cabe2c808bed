//! Opening a big log reads the on-disk index, not the segments. The full-size check
//! (1,000,000 events, open under one second) runs in release builds:
//! `cargo test --release -p eventlog --test open_speed -- --nocapture`; debug builds use
//! a smaller log and a loose bound so the normal test run stays fast.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use eventlog::{EventLog, ExpectedRevision, FileLog, FileLogOptions, NewEvent};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_a_log_of_many_events_reads_its_index_quickly() {
    let (events, bound) = if cfg!(debug_assertions) {
        (50_000u64, Duration::from_secs(5))
    } else {
        (1_000_000u64, Duration::from_secs(1))
    };
    let dir = tempfile::tempdir().unwrap();
    let options = FileLogOptions {
        segment_size_bytes: 64 * 1024 * 1024,
    };
    let log = FileLog::open(dir.path(), options.clone()).unwrap();
    let per_call = 100u64;
    let tasks = 20u64;
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let log = log.clone();
            tokio::spawn(async move {
                for call in 0..events / per_call / tasks {
                    let batch: Vec<NewEvent> = (0..per_call)
                        .map(|_| NewEvent {
                            id: Uuid::new_v4(),
                            event_type: "Small".into(),
                            data: b"{\"n\":1}".to_vec(),
                            metadata: Vec::new(),
                        })
                        .collect();
                    let stream = format!("item-{t}x{}", call % 500);
                    log.append(&stream, ExpectedRevision::Any, batch)
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    log.close().await;
    let started = Instant::now();
    let log = FileLog::open(dir.path(), options).unwrap();
    let took = started.elapsed();
    eprintln!("opened a log of {events} events in {took:?}");
    assert_eq!(log.head_position().await.unwrap(), events);
    let streams_per_task = (events / per_call / tasks).min(500);
    assert_eq!(
        log.streams(None).await.unwrap().len(),
        (tasks * streams_per_task) as usize
    );
    assert!(took < bound, "opening took {took:?}");
    log.close().await;
}
