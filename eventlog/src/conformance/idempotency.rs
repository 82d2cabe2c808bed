//! Idempotent retries by event id.

use super::{CheckResult, Failure, event, events, unique_stream};
use crate::{AppendOutcome, Direction, EventLog, ExpectedRevision, LogError};

fn violation(result: Result<AppendOutcome, LogError>) -> CheckResult {
    match result {
        Err(LogError::IdempotencyViolation(_)) => Ok(()),
        other => Err(Failure(format!(
            "expected IdempotencyViolation, got {other:?}"
        ))),
    }
}

pub async fn a_retried_append_returns_the_first_outcome_and_appends_nothing<L: EventLog>(
    log: &L,
) -> CheckResult {
    let stream = unique_stream();
    let call = events(3);
    let first = log
        .append(&stream, ExpectedRevision::NoStream, call.clone())
        .await?;
    let head = log.head_position().await?;
    // The retry's expected revision is stale now: a duplicate wins over the check.
    let retry = log
        .append(&stream, ExpectedRevision::NoStream, call.clone())
        .await?;
    ensure_eq!(retry, first, "the retry reports the first outcome");
    let retry = log
        .append(&stream, ExpectedRevision::Exact(7), call)
        .await?;
    ensure_eq!(retry, first, "whatever the expected revision");
    ensure_eq!(
        log.head_position().await?,
        head,
        "the retries appended nothing"
    );
    let read = log
        .read_stream(&stream, 0, Direction::Forwards, 100)
        .await?;
    ensure_eq!(read.len(), 3, "events in the stream after two retries");
    Ok(())
}

pub async fn a_retry_after_other_appends_still_returns_the_first_outcome<L: EventLog>(
    log: &L,
) -> CheckResult {
    let stream = unique_stream();
    log.append(&stream, ExpectedRevision::NoStream, events(1))
        .await?;
    let call = events(2);
    let first = log
        .append(&stream, ExpectedRevision::Exact(0), call.clone())
        .await?;
    log.append(&stream, ExpectedRevision::Exact(2), events(2))
        .await?;
    log.append(&unique_stream(), ExpectedRevision::Any, events(1))
        .await?;
    let retry = log
        .append(&stream, ExpectedRevision::Exact(0), call)
        .await?;
    ensure_eq!(retry, first, "the retry of the middle call");
    ensure_eq!(
        log.stream_revision(&stream).await?,
        Some(4),
        "the stream did not grow"
    );
    Ok(())
}

pub async fn partly_appended_ids_are_an_idempotency_violation<L: EventLog>(log: &L) -> CheckResult {
    let stream = unique_stream();
    let call = events(3);
    log.append(&stream, ExpectedRevision::NoStream, call.clone())
        .await?;
    let head = log.head_position().await?;
    let overlapping = vec![call[2].clone(), event(9)];
    violation(
        log.append(&stream, ExpectedRevision::Any, overlapping)
            .await,
    )?;
    let mut longer = call.clone();
    longer.push(event(10));
    violation(log.append(&stream, ExpectedRevision::Any, longer).await)?;
    violation(
        log.append(&stream, ExpectedRevision::Any, call[..2].to_vec())
            .await,
    )?;
    let reordered = vec![call[1].clone(), call[0].clone(), call[2].clone()];
    violation(log.append(&stream, ExpectedRevision::Any, reordered).await)?;
    ensure_eq!(
        log.head_position().await?,
        head,
        "violations append nothing"
    );
    Ok(())
}

pub async fn ids_appended_to_another_stream_are_an_idempotency_violation<L: EventLog>(
    log: &L,
) -> CheckResult {
    let (stream, other) = (unique_stream(), unique_stream());
    let call = events(2);
    log.append(&stream, ExpectedRevision::NoStream, call.clone())
        .await?;
    violation(log.append(&other, ExpectedRevision::Any, call).await)?;
    ensure_eq!(
        log.stream_revision(&other).await?,
        None,
        "the other stream was not created"
    );
    Ok(())
}
