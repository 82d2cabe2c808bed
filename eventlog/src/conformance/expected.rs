//! Expected-revision checks and the atomicity of one append call.

use super::{CheckResult, event, events, unique_stream};
use crate::{Direction, EventLog, ExpectedRevision, LogError};

/// Checks that `result` is a conflict reporting `actual`.
fn conflict<T: std::fmt::Debug>(result: Result<T, LogError>, actual: Option<u64>) -> CheckResult {
    match result {
        Err(LogError::WrongExpectedRevision { actual: got, .. }) => {
            ensure_eq!(got, actual, "the conflict reports the stream's revision");
            Ok(())
        }
        other => Err(super::Failure(format!(
            "expected WrongExpectedRevision with actual {actual:?}, got {other:?}"
        ))),
    }
}

pub async fn no_stream_accepts_a_new_stream_and_rejects_an_existing_one<L: EventLog>(
    log: &L,
) -> CheckResult {
    let stream = unique_stream();
    let outcome = log
        .append(&stream, ExpectedRevision::NoStream, events(2))
        .await?;
    ensure_eq!(
        outcome.next_expected_revision,
        1,
        "revision after two events"
    );
    let again = log
        .append(&stream, ExpectedRevision::NoStream, vec![event(3)])
        .await;
    conflict(again, Some(1))?;
    ensure_eq!(
        log.stream_revision(&stream).await?,
        Some(1),
        "the rejected append left the stream alone"
    );
    Ok(())
}

pub async fn stream_exists_rejects_a_missing_stream_and_accepts_an_existing_one<L: EventLog>(
    log: &L,
) -> CheckResult {
    let stream = unique_stream();
    let missing = log
        .append(&stream, ExpectedRevision::StreamExists, vec![event(0)])
        .await;
    conflict(missing, None)?;
    ensure_eq!(
        log.stream_revision(&stream).await?,
        None,
        "the stream was not created"
    );
    log.append(&stream, ExpectedRevision::NoStream, vec![event(1)])
        .await?;
    let outcome = log
        .append(&stream, ExpectedRevision::StreamExists, vec![event(2)])
        .await?;
    ensure_eq!(
        outcome.next_expected_revision,
        1,
        "revision after the second event"
    );
    Ok(())
}

pub async fn exact_accepts_only_the_current_revision<L: EventLog>(log: &L) -> CheckResult {
    let stream = unique_stream();
    let missing = log
        .append(&stream, ExpectedRevision::Exact(0), vec![event(0)])
        .await;
    conflict(missing, None)?;
    log.append(&stream, ExpectedRevision::NoStream, events(2))
        .await?;
    conflict(
        log.append(&stream, ExpectedRevision::Exact(0), vec![event(2)])
            .await,
        Some(1),
    )?;
    conflict(
        log.append(&stream, ExpectedRevision::Exact(2), vec![event(2)])
            .await,
        Some(1),
    )?;
    let outcome = log
        .append(&stream, ExpectedRevision::Exact(1), vec![event(2)])
        .await?;
    ensure_eq!(
        outcome.next_expected_revision,
        2,
        "revision after appending at 1"
    );
    let outcome = log
        .append(&stream, ExpectedRevision::Exact(2), events(2))
        .await?;
    ensure_eq!(outcome.next_expected_revision, 4, "revision after two more");
    Ok(())
}

pub async fn any_appends_whatever_the_stream_state<L: EventLog>(log: &L) -> CheckResult {
    let stream = unique_stream();
    let first = log
        .append(&stream, ExpectedRevision::Any, vec![event(0)])
        .await?;
    ensure_eq!(
        first.next_expected_revision,
        0,
        "the first event has revision 0"
    );
    let second = log
        .append(&stream, ExpectedRevision::Any, vec![event(1)])
        .await?;
    ensure_eq!(
        second.next_expected_revision,
        1,
        "the second event has revision 1"
    );
    ensure!(
        second.first_position > first.last_position,
        "positions grow: {first:?} then {second:?}"
    );
    Ok(())
}

pub async fn a_multi_event_append_gets_consecutive_revisions_and_positions<L: EventLog>(
    log: &L,
) -> CheckResult {
    let stream = unique_stream();
    let appended = events(5);
    let outcome = log
        .append(&stream, ExpectedRevision::NoStream, appended.clone())
        .await?;
    ensure_eq!(
        outcome.next_expected_revision,
        4,
        "revision of the last of five events"
    );
    ensure!(
        outcome.last_position > outcome.first_position,
        "positions of the call: {outcome:?}"
    );
    let read = log
        .read_stream(&stream, 0, Direction::Forwards, 100)
        .await?;
    ensure_eq!(read.len(), 5, "events in the stream");
    for (i, (got, sent)) in read.iter().zip(&appended).enumerate() {
        ensure_eq!(got.id, sent.id, "event {i} in the order of the call");
        ensure_eq!(got.revision, i as u64, "revision of event {i}");
    }
    ensure_eq!(read[0].position, outcome.first_position, "first position");
    ensure_eq!(read[4].position, outcome.last_position, "last position");
    ensure!(
        read.windows(2).all(|w| w[0].position < w[1].position),
        "positions increase within the call"
    );
    Ok(())
}

pub async fn a_rejected_multi_event_append_appends_nothing<L: EventLog>(log: &L) -> CheckResult {
    let stream = unique_stream();
    log.append(&stream, ExpectedRevision::NoStream, events(1))
        .await?;
    let rejected = events(4);
    let result = log
        .append(&stream, ExpectedRevision::Exact(5), rejected.clone())
        .await;
    conflict(result, Some(0))?;
    let read = log
        .read_stream(&stream, 0, Direction::Forwards, 100)
        .await?;
    ensure_eq!(read.len(), 1, "events after a rejected call of four");
    ensure!(
        !read.iter().any(|e| rejected.iter().any(|r| r.id == e.id)),
        "no rejected event was stored"
    );
    Ok(())
}

pub async fn an_empty_append_only_checks_the_expected_revision<L: EventLog>(
    log: &L,
) -> CheckResult {
    let stream = unique_stream();
    let appended = log
        .append(&stream, ExpectedRevision::NoStream, events(2))
        .await?;
    let checked = log
        .append(&stream, ExpectedRevision::Exact(1), Vec::new())
        .await?;
    ensure_eq!(
        checked.next_expected_revision,
        1,
        "an empty append reports the stream's revision"
    );
    ensure_eq!(
        checked.last_position,
        appended.last_position,
        "and the position of its last event"
    );
    conflict(
        log.append(&stream, ExpectedRevision::Exact(0), Vec::new())
            .await,
        Some(1),
    )?;
    conflict(
        log.append(&stream, ExpectedRevision::NoStream, Vec::new())
            .await,
        Some(1),
    )?;
    ensure_eq!(
        log.stream_revision(&stream).await?,
        Some(1),
        "empty appends add nothing"
    );
    Ok(())
}

pub async fn an_empty_stream_name_is_invalid<L: EventLog>(log: &L) -> CheckResult {
    match log.append("", ExpectedRevision::Any, events(1)).await {
        Err(LogError::Invalid(_)) => Ok(()),
        other => Err(super::Failure(format!("expected Invalid, got {other:?}"))),
    }
}
