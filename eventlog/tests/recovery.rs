//! Opening a damaged log: torn tails are cut whole-call, damage in the middle is
//! reported with its position, a lost or stale index is rebuilt from the segments.
#![allow(clippy::unwrap_used)]

mod common;

use common::{cut_file, everything, fill, flip_byte, locate, open, tagged};
use eventlog::{CategoryFilter, EventLog, ExpectedRevision, FileLog, FileLogOptions, LogError};

#[tokio::test]
async fn a_torn_tail_is_cut_and_the_log_continues_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    let appended = fill(&log, 5, 2).await;
    log.close().await;
    let (segment, _) = locate(dir.path(), &appended[4][1].data);
    let len = std::fs::metadata(&segment).unwrap().len();
    cut_file(&segment, len - 3);
    let log = open(dir.path());
    assert_eq!(
        log.head_position().await.unwrap(),
        8,
        "the whole torn call is gone"
    );
    let outcome = log
        .append("thing-1", ExpectedRevision::Any, vec![tagged("after")])
        .await
        .unwrap();
    assert_eq!(outcome.first_position, 8);
    assert_eq!(everything(&log).await.len(), 9);
    log.close().await;
    assert_eq!(everything(&open(dir.path())).await.len(), 9);
}

#[tokio::test]
async fn an_append_call_missing_its_last_record_is_cut_whole() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    let appended = fill(&log, 3, 4).await;
    log.close().await;
    // Cut right before the call's last record: its first three records are intact.
    let (segment, at) = locate(dir.path(), &appended[2][3].data);
    let (_, prev) = locate(dir.path(), &appended[2][2].data);
    cut_file(&segment, (prev + appended[2][2].data.len()) as u64);
    assert!(at > prev);
    let log = open(dir.path());
    let read = everything(&log).await;
    assert_eq!(read.len(), 8);
    assert!(
        read.iter()
            .all(|e| !appended[2].iter().any(|a| a.id == e.id))
    );
    log.close().await;
}

#[tokio::test]
async fn a_corrupt_record_in_the_middle_is_reported_with_its_position_on_read_and_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    let appended = fill(&log, 10, 1).await;
    log.close().await;
    let (segment, at) = locate(dir.path(), &appended[5][0].data);
    flip_byte(&segment, at + 3);
    let log = open(dir.path());
    match log.read_all(0, 100, &CategoryFilter::All).await {
        Err(LogError::Corrupt { position, .. }) => assert_eq!(position, 5),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let fine = log.read_all(6, 100, &CategoryFilter::All).await.unwrap();
    assert_eq!(fine.len(), 4);
    log.close().await;
    // Without the index the scan meets the damage, and valid records follow it.
    std::fs::remove_file(dir.path().join("index.dat")).unwrap();
    match FileLog::open(dir.path(), FileLogOptions::default()) {
        Err(LogError::Corrupt {
            position,
            segment: path,
            ..
        }) => {
            assert_eq!((position, path), (5, segment));
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[tokio::test]
async fn a_lost_index_is_rebuilt_from_the_segments() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    let appended = fill(&log, 20, 3).await;
    log.close().await;
    std::fs::remove_file(dir.path().join("index.dat")).unwrap();
    std::fs::remove_file(dir.path().join("streams.dat")).unwrap();
    let log = open(dir.path());
    let ids: Vec<_> = everything(&log).await.iter().map(|e| e.id).collect();
    let sent: Vec<_> = appended.iter().flatten().map(|e| e.id).collect();
    assert_eq!(ids, sent);
    log.close().await;
    let index_len = std::fs::metadata(dir.path().join("index.dat"))
        .unwrap()
        .len();
    assert_eq!(index_len, 60 * 48, "the index was written again on open");
}

#[tokio::test]
async fn a_damaged_or_stale_index_is_trimmed_to_what_the_log_holds() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    fill(&log, 10, 2).await;
    log.close().await;
    let index = dir.path().join("index.dat");
    // A torn entry in the middle of the index, as after a crash of the machine.
    flip_byte(&index, 7 * 48 + 10);
    let log = open(dir.path());
    assert_eq!(everything(&log).await.len(), 20);
    assert_eq!(log.stream_revision("thing-0").await.unwrap(), Some(7));
    log.close().await;
    // An index that claims more than the segments hold (log cut behind its back).
    let segment = common::segments(dir.path()).pop().unwrap();
    let (_, at) = locate(dir.path(), b"payload-8.0");
    cut_file(&segment, (at - 1) as u64);
    let log = open(dir.path());
    assert_eq!(log.head_position().await.unwrap(), 16);
    let outcome = log
        .append("thing-0", ExpectedRevision::Any, vec![tagged("x")])
        .await
        .unwrap();
    assert_eq!(outcome.first_position, 16);
    log.close().await;
}

#[tokio::test]
async fn garbage_after_the_last_record_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    fill(&log, 3, 1).await;
    log.close().await;
    let segment = common::segments(dir.path()).pop().unwrap();
    let mut bytes = std::fs::read(&segment).unwrap();
    let len = bytes.len();
    bytes.extend_from_slice(&[0u8; 100]);
    std::fs::write(&segment, bytes).unwrap();
    let log = open(dir.path());
    assert_eq!(everything(&log).await.len(), 3);
    log.close().await;
    assert_eq!(std::fs::metadata(&segment).unwrap().len(), len as u64);
}
