//! Reading streams and the global order.

use super::{CheckResult, event, events, stream_in, unique_category, unique_stream};
use crate::{CategoryFilter, Direction, EventLog, ExpectedRevision};

pub async fn reading_a_stream_respects_direction_from_and_max<L: EventLog>(log: &L) -> CheckResult {
    let stream = unique_stream();
    let appended = events(10);
    log.append(&stream, ExpectedRevision::NoStream, appended[..4].to_vec())
        .await?;
    log.append(&unique_stream(), ExpectedRevision::Any, events(1))
        .await?;
    log.append(&stream, ExpectedRevision::Exact(3), appended[4..].to_vec())
        .await?;
    let revisions =
        |events: Vec<crate::RecordedEvent>| events.iter().map(|e| e.revision).collect::<Vec<_>>();
    let read = log
        .read_stream(&stream, 0, Direction::Forwards, 100)
        .await?;
    let ids: Vec<_> = read.iter().map(|e| e.id).collect();
    let sent: Vec<_> = appended.iter().map(|e| e.id).collect();
    ensure_eq!(ids, sent, "all events forwards in order");
    let forwards = log.read_stream(&stream, 3, Direction::Forwards, 4).await?;
    ensure_eq!(
        revisions(forwards),
        vec![3, 4, 5, 6],
        "forwards from 3, at most 4"
    );
    let tail = log
        .read_stream(&stream, 8, Direction::Forwards, 100)
        .await?;
    ensure_eq!(revisions(tail), vec![8, 9], "forwards from 8 to the end");
    let past = log
        .read_stream(&stream, 10, Direction::Forwards, 100)
        .await?;
    ensure!(past.is_empty(), "forwards from past the end is empty");
    let backwards = log
        .read_stream(&stream, u64::MAX, Direction::Backwards, 3)
        .await?;
    ensure_eq!(
        revisions(backwards),
        vec![9, 8, 7],
        "backwards from the end, at most 3"
    );
    let backwards = log
        .read_stream(&stream, 2, Direction::Backwards, 100)
        .await?;
    ensure_eq!(revisions(backwards), vec![2, 1, 0], "backwards from 2");
    let none = log.read_stream(&stream, 0, Direction::Forwards, 0).await?;
    ensure!(none.is_empty(), "max 0 reads nothing");
    Ok(())
}

pub async fn a_missing_stream_reads_as_empty<L: EventLog>(log: &L) -> CheckResult {
    let stream = unique_stream();
    ensure!(
        log.read_stream(&stream, 0, Direction::Forwards, 10)
            .await?
            .is_empty(),
        "forwards"
    );
    ensure!(
        log.read_stream(&stream, u64::MAX, Direction::Backwards, 10)
            .await?
            .is_empty(),
        "backwards"
    );
    ensure_eq!(
        log.stream_revision(&stream).await?,
        None,
        "revision of a missing stream"
    );
    Ok(())
}

pub async fn recorded_events_keep_everything_that_was_appended<L: EventLog>(
    log: &L,
) -> CheckResult {
    let stream = unique_stream();
    let mut sent = event(42);
    sent.data = (0..=255u8).collect();
    sent.metadata = Vec::new();
    let outcome = log
        .append(&stream, ExpectedRevision::NoStream, vec![sent.clone()])
        .await?;
    let read = log.read_stream(&stream, 0, Direction::Forwards, 1).await?;
    let got = read
        .first()
        .ok_or_else(|| super::Failure("the event is missing".into()))?;
    ensure_eq!(got.id, sent.id, "id");
    ensure_eq!(got.stream, stream, "stream");
    ensure_eq!(got.event_type, sent.event_type, "event type");
    ensure_eq!(got.data, sent.data, "data (all byte values)");
    ensure_eq!(got.metadata, sent.metadata, "empty metadata");
    ensure_eq!(got.revision, 0, "revision");
    ensure_eq!(got.position, outcome.first_position, "position");
    ensure!(
        got.recorded_at_ms > 1_600_000_000_000,
        "recorded_at_ms is a time: {}",
        got.recorded_at_ms
    );
    Ok(())
}

pub async fn read_all_returns_global_order_from_an_inclusive_position<L: EventLog>(
    log: &L,
) -> CheckResult {
    let category = unique_category();
    let (a, b) = (stream_in(&category), stream_in(&category));
    let mut order = Vec::new();
    for (i, stream) in [&a, &b, &a, &b, &b, &a].into_iter().enumerate() {
        let call = vec![event(i)];
        order.push(call[0].id);
        log.append(stream, ExpectedRevision::Any, call).await?;
    }
    let filter = CategoryFilter::categories([category.as_str()]);
    let first = log.read_stream(&a, 0, Direction::Forwards, 1).await?;
    let from = first.first().map_or(0, |e| e.position);
    let read = log.read_all(from, 1000, &filter).await?;
    let ids: Vec<_> = read.iter().map(|e| e.id).collect();
    ensure_eq!(ids, order, "events in the order they were appended");
    ensure_eq!(read[0].position, from, "the from position is inclusive");
    ensure!(
        read.windows(2).all(|w| w[0].position < w[1].position),
        "positions strictly increase"
    );
    let later = log.read_all(read[3].position, 2, &filter).await?;
    let later_ids: Vec<_> = later.iter().map(|e| e.id).collect();
    ensure_eq!(
        later_ids,
        order[3..5].to_vec(),
        "from the fourth, at most two"
    );
    let everything = log.read_all(from, 1000, &CategoryFilter::All).await?;
    ensure!(
        everything.len() >= 6,
        "an unfiltered read sees at least ours"
    );
    ensure!(
        everything.windows(2).all(|w| w[0].position < w[1].position),
        "unfiltered positions strictly increase"
    );
    Ok(())
}

pub async fn read_all_with_a_category_filter_returns_only_those_categories<L: EventLog>(
    log: &L,
) -> CheckResult {
    let (wanted, other, third) = (unique_category(), unique_category(), unique_category());
    let mut expected = Vec::new();
    let mut start = None;
    for i in 0..9 {
        let category = [&wanted, &other, &third][i % 3];
        let outcome = log
            .append(
                &stream_in(category),
                ExpectedRevision::NoStream,
                vec![event(i)],
            )
            .await?;
        start.get_or_insert(outcome.first_position);
        if category != &other {
            expected.push(outcome.first_position);
        }
    }
    let filter = CategoryFilter::categories([wanted.as_str(), third.as_str()]);
    let read = log.read_all(start.unwrap_or(0), 1000, &filter).await?;
    let positions: Vec<_> = read.iter().map(|e| e.position).collect();
    ensure_eq!(
        positions,
        expected,
        "only the two wanted categories, in order"
    );
    ensure!(
        read.iter().all(|e| e.category() != other),
        "no event of the other category"
    );
    Ok(())
}

pub async fn head_position_moves_past_appended_events<L: EventLog>(log: &L) -> CheckResult {
    let before = log.head_position().await?;
    let outcome = log
        .append(&unique_stream(), ExpectedRevision::Any, events(3))
        .await?;
    ensure!(
        outcome.first_position >= before,
        "appended at or after the old head"
    );
    let after = log.head_position().await?;
    ensure!(
        after > outcome.last_position,
        "head {after} is past the last appended {}",
        outcome.last_position
    );
    Ok(())
}
