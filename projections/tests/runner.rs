//! The runner and rebuild against the real file log and real sled.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use eventlog::{
    CategoryFilter, EventLog, ExpectedRevision, FileLog, FileLogOptions, NewEvent, RecordedEvent,
};
use projections::{Projection, ProjectionError, ReadModels, Tx, catch_up, rebuild, run_projection};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Counts events per stream of category `thing` and remembers the last revision: applying
/// an event twice would show as a wrong count.
struct Counter;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Count {
    events: u64,
    last_revision: u64,
}

impl Projection for Counter {
    fn name(&self) -> &'static str {
        "counter"
    }
    fn filter(&self) -> CategoryFilter {
        CategoryFilter::categories(["thing"])
    }
    fn apply(&self, event: &RecordedEvent, tx: &mut Tx<'_>) -> Result<(), ProjectionError> {
        let key = event.stream.as_bytes().to_vec();
        let mut count: Count = tx.get_json(&key)?.unwrap_or(Count {
            events: 0,
            last_revision: 0,
        });
        count.events += 1;
        count.last_revision = event.revision;
        tx.insert_json(key, &count)
    }
}

async fn append(log: &FileLog, stream: &str, n: usize) -> u64 {
    let events = (0..n)
        .map(|_| NewEvent {
            id: Uuid::new_v4(),
            event_type: "Happened".into(),
            data: b"{}".to_vec(),
            metadata: b"{}".to_vec(),
        })
        .collect();
    log.append(stream, ExpectedRevision::Any, events)
        .await
        .unwrap()
        .last_position
}

#[tokio::test]
async fn a_command_can_wait_until_its_own_write_is_in_the_read_model() {
    let dir = tempfile::tempdir().unwrap();
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
    let models = ReadModels::open(dir.path().join("models")).unwrap();
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let (progress, task) = run_projection(log.clone(), Arc::new(Counter), &models, stop).unwrap();
    append(&log, "other-1", 3).await;
    let position = append(&log, "thing-1", 2).await;
    progress
        .wait_for(position, Duration::from_secs(5))
        .await
        .unwrap();
    let view = models.view("counter").unwrap();
    let count: Count = view.get_json(b"thing-1").unwrap().unwrap();
    assert_eq!(
        count,
        Count {
            events: 2,
            last_revision: 1
        }
    );
    assert!(view.get_json::<Count>(b"other-1").unwrap().is_none());
    assert_eq!(view.checkpoint().unwrap(), position + 1);
    stop_tx.send(true).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn waiting_for_a_position_never_reached_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
    let models = ReadModels::open(dir.path().join("models")).unwrap();
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let (progress, _task) = run_projection(log.clone(), Arc::new(Counter), &models, stop).unwrap();
    let waited = progress.wait_for(1_000, Duration::from_millis(100)).await;
    assert!(matches!(
        waited,
        Err(projections::ProgressWaitError::Timeout { .. })
    ));
}

#[tokio::test]
async fn a_restarted_runner_continues_from_its_checkpoint_without_applying_twice() {
    let dir = tempfile::tempdir().unwrap();
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
    {
        let models = ReadModels::open(dir.path().join("models")).unwrap();
        append(&log, "thing-a", 4).await;
        catch_up(&log, &Counter, &models.view("counter").unwrap())
            .await
            .unwrap();
        models.flush().unwrap();
    }
    let models = ReadModels::open(dir.path().join("models")).unwrap();
    let position = append(&log, "thing-a", 3).await;
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let (progress, task) = run_projection(log.clone(), Arc::new(Counter), &models, stop).unwrap();
    progress
        .wait_for(position, Duration::from_secs(5))
        .await
        .unwrap();
    let count: Count = models
        .view("counter")
        .unwrap()
        .get_json(b"thing-a")
        .unwrap()
        .unwrap();
    assert_eq!(
        count,
        Count {
            events: 7,
            last_revision: 6
        }
    );
    stop_tx.send(true).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_rebuild_is_swapped_in_and_the_running_runner_follows_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
    let models = ReadModels::open(dir.path().join("models")).unwrap();
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let (progress, task) = run_projection(log.clone(), Arc::new(Counter), &models, stop).unwrap();
    let position = append(&log, "thing-r", 5).await;
    progress
        .wait_for(position, Duration::from_secs(5))
        .await
        .unwrap();
    let view = models.view("counter").unwrap();
    let before = view.dump().unwrap();
    let mut calls = 0;
    rebuild(&log, &Counter, &models, |_, _| calls += 1)
        .await
        .unwrap();
    assert!(calls > 0, "progress is reported");
    assert_eq!(view.generation(), 1);
    assert_eq!(
        view.dump().unwrap(),
        before,
        "the rebuilt model equals the old one"
    );
    let position = append(&log, "thing-r", 1).await;
    progress
        .wait_for(position, Duration::from_secs(5))
        .await
        .unwrap();
    let count: Count = view.get_json(b"thing-r").unwrap().unwrap();
    assert_eq!(
        count.events, 6,
        "the runner continues on the new generation"
    );
    stop_tx.send(true).unwrap();
    task.await.unwrap().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    /// Rebuilding from the log gives exactly what building incrementally, with restarts
    /// in between, gave.
    #[test]
    fn rebuilding_gives_the_same_content_as_building_incrementally_with_restarts(
        steps in proptest::collection::vec((0usize..4, 1usize..4, any::<bool>()), 1..25)
    ) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
            let mut models = ReadModels::open(dir.path().join("inc")).unwrap();
            for (stream, n, restart) in steps {
                let category = if stream == 3 { "other" } else { "thing" };
                append(&log, &format!("{category}-{stream}"), n).await;
                catch_up(&log, &Counter, &models.view("counter").unwrap()).await.unwrap();
                if restart {
                    models.flush().unwrap();
                    drop(models);
                    models = ReadModels::open(dir.path().join("inc")).unwrap();
                }
            }
            let incremental = models.view("counter").unwrap().dump().unwrap();
            let rebuilt_models = ReadModels::open(dir.path().join("rebuilt")).unwrap();
            rebuild(&log, &Counter, &rebuilt_models, |_, _| {}).await.unwrap();
            let rebuilt = rebuilt_models.view("counter").unwrap().dump().unwrap();
            assert_eq!(incremental, rebuilt);
            log.close().await;
        });
    }
}
