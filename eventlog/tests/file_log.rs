//! The file log's own promises beyond the port: reopening, locking, read-only followers,
//! segment roll-over, closing.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{everything, fill, open, tagged};
use eventlog::{
    CategoryFilter, Direction, EventLog, ExpectedRevision, FileLog, FileLogOptions, LogError,
};
use futures::StreamExt;

#[tokio::test]
async fn reopening_after_close_keeps_everything_and_continues_positions_and_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    let appended = fill(&log, 10, 2).await;
    log.close().await;
    let log = open(dir.path());
    let read = everything(&log).await;
    let ids: Vec<_> = read.iter().map(|e| e.id).collect();
    let sent: Vec<_> = appended.iter().flatten().map(|e| e.id).collect();
    assert_eq!(ids, sent);
    assert_eq!(log.head_position().await.unwrap(), 20);
    assert_eq!(log.stream_revision("thing-0").await.unwrap(), Some(7));
    let outcome = log
        .append("thing-0", ExpectedRevision::Exact(7), vec![tagged("more")])
        .await
        .unwrap();
    assert_eq!(
        (outcome.first_position, outcome.next_expected_revision),
        (20, 8)
    );
    // Idempotency survives the restart too.
    let retry = log
        .append("thing-0", ExpectedRevision::Any, appended[0].clone())
        .await
        .unwrap();
    assert_eq!(
        (
            retry.first_position,
            retry.last_position,
            retry.next_expected_revision
        ),
        (0, 1, 1)
    );
    log.close().await;
}

#[tokio::test]
async fn a_second_writer_gets_locked_naming_the_lock_file_until_the_first_closes() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    match FileLog::open(dir.path(), FileLogOptions::default()) {
        Err(LogError::Locked { path }) => assert!(path.starts_with(dir.path())),
        other => panic!("expected Locked, got {other:?}"),
    }
    log.close().await;
    open(dir.path()).close().await;
}

#[tokio::test]
async fn after_close_appends_and_reads_fail_with_closed_and_subscriptions_end() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    fill(&log, 2, 1).await;
    let mut subscription = log.subscribe(0, CategoryFilter::All);
    assert!(subscription.next().await.unwrap().is_ok());
    let clone = log.clone();
    log.close().await;
    let err = clone
        .append("thing-0", ExpectedRevision::Any, vec![tagged("late")])
        .await;
    assert!(matches!(err, Err(LogError::Closed)), "{err:?}");
    assert!(matches!(clone.head_position().await, Err(LogError::Closed)));
    // Committed events are still delivered, then the subscription ends.
    assert!(subscription.next().await.unwrap().is_ok());
    let end = tokio::time::timeout(Duration::from_secs(5), subscription.next())
        .await
        .unwrap();
    assert!(end.is_none());
}

#[tokio::test]
async fn segments_roll_over_and_reads_and_reopen_span_them() {
    let dir = tempfile::tempdir().unwrap();
    let options = FileLogOptions {
        segment_size_bytes: 1024,
    };
    let log = FileLog::open(dir.path(), options.clone()).unwrap();
    let appended = fill(&log, 40, 2).await;
    assert!(common::segments(dir.path()).len() > 5);
    log.close().await;
    let log = FileLog::open(dir.path(), options).unwrap();
    let read = everything(&log).await;
    assert_eq!(read.len(), 80);
    assert!(
        read.iter()
            .zip(appended.iter().flatten())
            .all(|(r, a)| r.id == a.id)
    );
    let backwards = log
        .read_stream("thing-1", u64::MAX, Direction::Backwards, 100)
        .await
        .unwrap();
    assert_eq!(backwards.len(), 26);
    log.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_log_follows_the_writers_new_events() {
    let dir = tempfile::tempdir().unwrap();
    let writer = open(dir.path());
    fill(&writer, 3, 1).await;
    let reader = FileLog::open_read_only(dir.path()).unwrap();
    assert_eq!(reader.head_position().await.unwrap(), 3);
    let refused = reader
        .append("thing-0", ExpectedRevision::Any, vec![tagged("no")])
        .await;
    assert!(matches!(refused, Err(LogError::ReadOnly)), "{refused:?}");
    let mut subscription = reader.subscribe(0, CategoryFilter::All);
    for _ in 0..3 {
        subscription.next().await.unwrap().unwrap();
    }
    let later = fill(&writer, 4, 2).await;
    assert_eq!(reader.head_position().await.unwrap(), 11);
    assert_eq!(reader.stream_revision("thing-0").await.unwrap(), Some(4));
    for sent in later.iter().flatten() {
        let got = tokio::time::timeout(Duration::from_secs(5), subscription.next())
            .await
            .unwrap();
        assert_eq!(got.unwrap().unwrap().id, sent.id);
    }
    writer.close().await;
    reader.close().await;
    assert!(subscription.next().await.is_none());
}

#[tokio::test]
async fn opening_read_only_a_directory_that_does_not_exist_fails() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    assert!(matches!(
        FileLog::open_read_only(&missing),
        Err(LogError::Io { .. })
    ));
    assert!(!missing.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_log_follows_the_writer_across_new_segments() {
    let dir = tempfile::tempdir().unwrap();
    let options = FileLogOptions {
        segment_size_bytes: 512,
    };
    let writer = FileLog::open(dir.path(), options).unwrap();
    let reader = FileLog::open_read_only(dir.path()).unwrap();
    let mut seen = 0;
    for round in 0..20 {
        fill(&writer, 3, 1).await;
        let head = reader.head_position().await.unwrap();
        assert_eq!(head, 3 * (round + 1));
        let read = reader
            .read_all(seen, usize::MAX, &CategoryFilter::All)
            .await
            .unwrap();
        seen += read.len() as u64;
    }
    assert_eq!(seen, 60);
    assert!(common::segments(dir.path()).len() > 10);
    writer.close().await;
}
