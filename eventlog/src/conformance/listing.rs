//! Listing categories and streams for operators.

use super::{CheckResult, events, stream_in, unique_category};
use crate::{EventLog, ExpectedRevision};

pub async fn categories_and_streams_list_what_was_appended_sorted<L: EventLog>(
    log: &L,
) -> CheckResult {
    let (first, second) = (unique_category(), unique_category());
    let mut mine = vec![stream_in(&first), stream_in(&first), stream_in(&first)];
    for (i, stream) in mine.iter().enumerate() {
        log.append(stream, ExpectedRevision::NoStream, events(i + 1))
            .await?;
    }
    log.append(&stream_in(&second), ExpectedRevision::NoStream, events(1))
        .await?;
    let categories = log.categories().await?;
    ensure!(
        categories.contains(&first) && categories.contains(&second),
        "both categories listed"
    );
    ensure!(
        categories.windows(2).all(|w| w[0] < w[1]),
        "categories sorted and distinct"
    );
    let streams = log.streams(Some(&first)).await?;
    mine.sort();
    let names: Vec<_> = streams.iter().map(|s| s.stream.clone()).collect();
    ensure_eq!(names, mine, "exactly the category's streams, sorted");
    for info in &streams {
        let revision = log.stream_revision(&info.stream).await?;
        ensure_eq!(
            Some(info.last_revision),
            revision,
            "last revision of {}",
            info.stream
        );
    }
    let all = log.streams(None).await?;
    ensure!(
        mine.iter().all(|s| all.iter().any(|i| &i.stream == s)),
        "all streams include ours"
    );
    ensure!(
        all.windows(2).all(|w| w[0].stream < w[1].stream),
        "all streams sorted"
    );
    Ok(())
}
