//! Runs one benchmark cell: N writer tasks, each appending one event per call to its own
//! stream with the exact expected revision, for a warm-up and then a measured window.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use eventlog::NewEvent;
use hdrhistogram::Histogram;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::event::make_event;

/// A system under test, seen as "append one event durably".
pub trait Target: Send + Sync + 'static {
    /// Appends `event` to `stream` if the stream's last revision is `expected` (`None`:
    /// the stream must not exist). Returns only once the event is durable.
    /// `writer` is the index of the calling writer (peers with a connection pool use it).
    fn append(
        &self,
        writer: usize,
        stream: &str,
        expected: Option<u64>,
        event: NewEvent,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// How long a cell warms up and how long it is measured.
#[derive(Debug, Clone, Copy)]
pub struct Phases {
    pub warmup: Duration,
    pub measure: Duration,
}

/// What a cell measured: appends that started inside the measured window.
pub struct Measurement {
    pub events: u64,
    /// From the start of the window to the completion of the last counted append.
    pub elapsed: Duration,
    /// Latency of each counted append, in microseconds.
    pub latency_us: Histogram<u64>,
}

/// Runs `writers` concurrent writers against `target` and merges what they measured.
pub async fn run_cell<T: Target>(
    target: Arc<T>,
    writers: usize,
    phases: Phases,
) -> anyhow::Result<Measurement> {
    let start = Instant::now();
    let window_start = start + phases.warmup;
    let end = window_start + phases.measure;
    let mut tasks = JoinSet::new();
    for writer in 0..writers {
        let target = target.clone();
        tasks.spawn(async move { run_writer(&*target, writer, window_start, end).await });
    }
    let mut merged = new_histogram()?;
    let mut events = 0;
    let mut last_done = window_start;
    while let Some(joined) = tasks.join_next().await {
        let writer = joined.context("a writer task panicked")??;
        merged.add(&writer.latency_us)?;
        events += writer.events;
        last_done = last_done.max(writer.last_done);
    }
    if events == 0 {
        anyhow::bail!("no append completed inside the measured window");
    }
    Ok(Measurement {
        events,
        elapsed: last_done - window_start,
        latency_us: merged,
    })
}

struct WriterResult {
    events: u64,
    last_done: Instant,
    latency_us: Histogram<u64>,
}

async fn run_writer<T: Target>(
    target: &T,
    writer: usize,
    window_start: Instant,
    end: Instant,
) -> anyhow::Result<WriterResult> {
    let stream = format!("bench-{}", Uuid::new_v4().simple());
    let mut latency_us = new_histogram()?;
    let mut events = 0;
    let mut last_done = window_start;
    let mut expected: Option<u64> = None;
    while Instant::now() < end {
        let revision = expected.map_or(0, |r| r + 1);
        let event = make_event(writer, revision);
        let began = Instant::now();
        target
            .append(writer, &stream, expected, event)
            .await
            .with_context(|| format!("writer {writer}: append at revision {revision}"))?;
        let done = Instant::now();
        if began >= window_start {
            latency_us.saturating_record((done - began).as_micros().max(1) as u64);
            events += 1;
            last_done = done;
        }
        expected = Some(revision);
    }
    Ok(WriterResult {
        events,
        last_done,
        latency_us,
    })
}

/// Microsecond histogram from 1 µs to 10 minutes at 3 significant digits.
pub fn new_histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 600_000_000, 3).context("creating a latency histogram")
}
