//! Concurrent appends: the expected-revision check is exact under races.

use futures::future::join_all;

use super::{CheckResult, Failure, event, unique_stream};
use crate::{CategoryFilter, Direction, EventLog, ExpectedRevision, LogError};

pub async fn racing_appends_on_one_exact_revision_have_exactly_one_winner<L: EventLog>(
    log: &L,
) -> CheckResult {
    let stream = unique_stream();
    log.append(&stream, ExpectedRevision::NoStream, vec![event(0)])
        .await?;
    let racers = (1..=20).map(|i| log.append(&stream, ExpectedRevision::Exact(0), vec![event(i)]));
    let results = join_all(racers).await;
    let mut winners = 0;
    for result in results {
        match result {
            Ok(outcome) => {
                winners += 1;
                ensure_eq!(outcome.next_expected_revision, 1, "the winner's revision");
            }
            Err(LogError::WrongExpectedRevision { actual, .. }) => {
                ensure_eq!(actual, Some(1), "losers see the winner's revision");
            }
            Err(e) => return Err(Failure(format!("a racer failed otherwise: {e}"))),
        }
    }
    ensure_eq!(winners, 1, "winners among 20 racers");
    ensure_eq!(
        log.stream_revision(&stream).await?,
        Some(1),
        "the stream has two events"
    );
    Ok(())
}

pub async fn concurrent_appends_to_one_stream_with_any_get_distinct_revisions<L: EventLog>(
    log: &L,
) -> CheckResult {
    let stream = unique_stream();
    let appends = (0..30).map(|i| {
        log.append(
            &stream,
            ExpectedRevision::Any,
            vec![event(i), event(i + 100)],
        )
    });
    let mut revisions = Vec::new();
    for result in join_all(appends).await {
        let outcome = result?;
        revisions.push(outcome.next_expected_revision);
    }
    revisions.sort_unstable();
    let expected: Vec<u64> = (0..30).map(|i| 2 * i + 1).collect();
    ensure_eq!(revisions, expected, "each call got its own two revisions");
    let read = log
        .read_stream(&stream, 0, Direction::Forwards, 100)
        .await?;
    let stored: Vec<u64> = read.iter().map(|e| e.revision).collect();
    ensure_eq!(
        stored,
        (0..60).collect::<Vec<u64>>(),
        "revisions 0..60 stored"
    );
    Ok(())
}

pub async fn concurrent_appends_to_many_streams_all_land_in_one_global_order<L: EventLog>(
    log: &L,
) -> CheckResult {
    let streams: Vec<String> = (0..50).map(|_| unique_stream()).collect();
    let appends = streams
        .iter()
        .enumerate()
        .map(|(i, s)| log.append(s, ExpectedRevision::NoStream, vec![event(i)]));
    let mut positions = Vec::new();
    for result in join_all(appends).await {
        positions.push(result?.first_position);
    }
    positions.sort_unstable();
    ensure!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "50 distinct positions"
    );
    let first = positions[0];
    let read = log.read_all(first, 100_000, &CategoryFilter::All).await?;
    let found = read.iter().filter(|e| streams.contains(&e.stream)).count();
    ensure_eq!(found, 50, "all 50 events readable in the global order");
    Ok(())
}
