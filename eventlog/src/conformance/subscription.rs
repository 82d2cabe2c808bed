//! Following the log: catch-up, then live, with no gap and no duplicate at the seam.

use std::time::Duration;

use futures::StreamExt;
use uuid::Uuid;

use super::{CheckResult, Failure, event, stream_in, unique_category};
use crate::{CategoryFilter, EventLog, ExpectedRevision, RecordedEvent, Subscription};

const PATIENCE: Duration = Duration::from_secs(20);

/// The next `count` events of `subscription`, failing after `PATIENCE`.
async fn take(
    subscription: &mut Subscription,
    count: usize,
) -> Result<Vec<RecordedEvent>, Failure> {
    let mut got = Vec::with_capacity(count);
    let collect = async {
        while got.len() < count {
            match subscription.next().await {
                Some(Ok(event)) => got.push(event),
                Some(Err(e)) => return Err(Failure::from(e)),
                None => return Err(Failure("the subscription ended".into())),
            }
        }
        Ok(())
    };
    match tokio::time::timeout(PATIENCE, collect).await {
        Ok(result) => result.map(|()| got),
        Err(_) => Err(Failure(format!(
            "only {} of {count} events arrived in time",
            got.len()
        ))),
    }
}

pub async fn a_subscription_catches_up_then_follows_without_gap_or_duplicate<L: EventLog>(
    log: &L,
) -> CheckResult {
    let category = unique_category();
    let stream = stream_in(&category);
    let mut sent: Vec<Uuid> = Vec::new();
    let mut from = None;
    for i in 0..20 {
        let call = vec![event(i)];
        sent.push(call[0].id);
        let outcome = log.append(&stream, ExpectedRevision::Any, call).await?;
        from.get_or_insert(outcome.first_position);
    }
    let filter = CategoryFilter::categories([category.as_str()]);
    let mut subscription = log.subscribe(from.unwrap_or(0), filter);
    let live: Vec<_> = (20..120).map(event).collect();
    sent.extend(live.iter().map(|e| e.id));
    // Appends race with the catch-up so some land while it reads and some after.
    let produce = async {
        for (i, call) in live.chunks(3).enumerate() {
            let other = stream_in(&unique_category());
            log.append(&other, ExpectedRevision::Any, vec![event(i)])
                .await?;
            log.append(&stream, ExpectedRevision::Any, call.to_vec())
                .await?;
            if i % 5 == 0 {
                tokio::task::yield_now().await;
            }
        }
        Ok::<(), Failure>(())
    };
    let (produced, received) = tokio::join!(produce, take(&mut subscription, sent.len()));
    produced?;
    let received = received?;
    let ids: Vec<_> = received.iter().map(|e| e.id).collect();
    ensure_eq!(ids, sent, "every event once, in order");
    ensure!(
        received.windows(2).all(|w| w[0].position < w[1].position),
        "positions increase"
    );
    let more = vec![event(999)];
    log.append(&stream, ExpectedRevision::Any, more.clone())
        .await?;
    let next = take(&mut subscription, 1).await?;
    ensure_eq!(
        next[0].id,
        more[0].id,
        "an append after a quiet spell arrives live"
    );
    Ok(())
}

pub async fn a_subscription_starts_at_its_inclusive_position<L: EventLog>(log: &L) -> CheckResult {
    let category = unique_category();
    let stream = stream_in(&category);
    let outcome = log
        .append(
            &stream,
            ExpectedRevision::NoStream,
            (0..5).map(event).collect(),
        )
        .await?;
    let read = log
        .read_all(
            outcome.first_position,
            5,
            &CategoryFilter::categories([category.as_str()]),
        )
        .await?;
    let third = read
        .get(2)
        .ok_or_else(|| Failure("the third event is missing".into()))?;
    let filter = CategoryFilter::categories([category.as_str()]);
    let mut subscription = log.subscribe(third.position, filter);
    let got = take(&mut subscription, 3).await?;
    let revisions: Vec<_> = got.iter().map(|e| e.revision).collect();
    ensure_eq!(revisions, vec![2, 3, 4], "from the third event on");
    Ok(())
}

pub async fn a_filtered_subscription_sees_only_its_categories<L: EventLog>(log: &L) -> CheckResult {
    let (wanted, other) = (unique_category(), unique_category());
    let start = log.head_position().await?;
    let mut expected = Vec::new();
    for i in 0..10 {
        let category = if i % 2 == 0 { &wanted } else { &other };
        let call = vec![event(i)];
        if category == &wanted {
            expected.push(call[0].id);
        }
        log.append(&stream_in(category), ExpectedRevision::NoStream, call)
            .await?;
    }
    let marker = vec![event(100)];
    expected.push(marker[0].id);
    let mut subscription = log.subscribe(start, CategoryFilter::categories([wanted.as_str()]));
    log.append(&stream_in(&wanted), ExpectedRevision::NoStream, marker)
        .await?;
    let got = take(&mut subscription, expected.len()).await?;
    let ids: Vec<_> = got.iter().map(|e| e.id).collect();
    ensure_eq!(ids, expected, "only the wanted category, in order");
    Ok(())
}
