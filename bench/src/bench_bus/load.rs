//! The producing service: writers appending one event per call to their own stream of
//! the file log with the exact expected revision, either open-loop at a fixed total rate
//! or closed-loop (each writer appends its next event once its previous one was applied
//! in the consuming service's read model).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use eventlog::{EventLog, ExpectedRevision, FileLog};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::event::make_event;
use crate::handler::Shared;
use crate::stamp::Stamp;

/// The category of every benchmark stream (`bench-{uuid}`).
pub const CATEGORY: &str = "bench";

/// How events are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// `per_s` events per second in total, spread evenly over `writers` streams,
    /// regardless of how fast the bus delivers.
    Open { per_s: u32, writers: usize },
    /// `writers` writers, each with one event in flight end to end.
    Max { writers: usize },
}

impl Load {
    pub fn writers(self) -> usize {
        match self {
            Load::Open { writers, .. } | Load::Max { writers } => writers,
        }
    }

    /// The offered rate, `None` for the closed-loop run.
    pub fn offered(self) -> Option<u32> {
        match self {
            Load::Open { per_s, .. } => Some(per_s),
            Load::Max { .. } => None,
        }
    }
}

/// When writer `writer` of `writers` sends its `n`-th event at `per_s` events/s in
/// total, counted from the start: writers take turns, so the total is evenly spaced.
pub fn scheduled(per_s: u32, writers: usize, writer: usize, n: u64) -> Duration {
    let slot = n as f64 * writers as f64 + writer as f64;
    Duration::from_secs_f64(slot / f64::from(per_s.max(1)))
}

/// What the writers did: events appended per writer, and in the measured window.
pub struct Appended {
    pub per_writer: Vec<u64>,
    pub in_window: u64,
}

/// Runs the writers until `end` (from `shared.base`).
pub async fn run(
    load: Load,
    log: &FileLog,
    shared: &Arc<Shared>,
    end: Duration,
    wait_timeout: Duration,
) -> anyhow::Result<Appended> {
    let mut tasks = JoinSet::new();
    for writer in 0..load.writers() {
        let (log, shared) = (log.clone(), Arc::clone(shared));
        tasks.spawn(async move {
            let result = run_writer(load, writer, &log, &shared, end, wait_timeout).await;
            (writer, result)
        });
    }
    let mut per_writer = vec![0; load.writers()];
    let mut in_window = 0;
    while let Some(joined) = tasks.join_next().await {
        let (writer, result) = joined.context("a writer task panicked")?;
        let (appended, counted) = result?;
        per_writer[writer] = appended;
        in_window += counted;
    }
    Ok(Appended {
        per_writer,
        in_window,
    })
}

/// Returns (events appended, of which sent in the measured window).
async fn run_writer(
    load: Load,
    writer: usize,
    log: &FileLog,
    shared: &Shared,
    end: Duration,
    wait_timeout: Duration,
) -> anyhow::Result<(u64, u64)> {
    let stream = format!("{CATEGORY}-{}", Uuid::new_v4().simple());
    let mut counted = 0;
    let mut revision = 0u64;
    loop {
        if let Load::Open { per_s, writers } = load {
            let due = shared.base + scheduled(per_s, writers, writer, revision);
            tokio::time::sleep_until(due.into()).await;
        }
        let sent = shared.base.elapsed();
        if sent >= end {
            return Ok((revision, counted));
        }
        let sent_ns = u64::try_from(sent.as_nanos()).unwrap_or(u64::MAX);
        let mut event = make_event(writer, revision);
        event.metadata = Stamp {
            writer: u32::try_from(writer)?,
            sent_ns,
        }
        .encode();
        let expected = match revision {
            0 => ExpectedRevision::NoStream,
            r => ExpectedRevision::Exact(r - 1),
        };
        log.append(&stream, expected, vec![event])
            .await
            .with_context(|| format!("writer {writer}: append at revision {revision}"))?;
        if (shared.window.0..shared.window.1).contains(&sent_ns) {
            counted += 1;
        }
        revision += 1;
        if let Load::Max { .. } = load {
            let applied = shared.progress.wait(writer, revision, wait_timeout).await;
            anyhow::ensure!(
                applied,
                "writer {writer}: revision {} not applied within {wait_timeout:?}",
                revision - 1
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_loop_schedule_spaces_all_writers_evenly() {
        // 1,000/s over 4 writers: one event every millisecond, writers in turn.
        let times: Vec<Duration> = (0..2u64)
            .flat_map(|n| (0..4).map(move |w| scheduled(1000, 4, w, n)))
            .collect();
        let millis: Vec<u128> = times.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [0, 1, 2, 3, 4, 5, 6, 7]);
    }
}
