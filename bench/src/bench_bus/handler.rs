//! One consumer handle of the consuming service: pull a delivery, apply it to the read
//! model, acknowledge (or ask for a redelivery when an earlier revision is still on its
//! way), and record how long the event took from just before its append.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bus::Consumer;
use hdrhistogram::Histogram;
use tokio::sync::watch;

use crate::progress::Progress;
use crate::read_model::{Arrival, ReadModel};
use crate::stamp::Stamp;
use crate::stats::new_histogram;

/// What every handler of one cell shares.
pub struct Shared {
    pub model: ReadModel,
    pub progress: Progress,
    /// The clock's zero: stamps count from it.
    pub base: Instant,
    /// Events sent in `[window.0, window.1)` (ns from `base`) are measured.
    pub window: (u64, u64),
    /// Delay of the redelivery of an event that arrived before its predecessor.
    pub early_retry: Duration,
}

/// What one handler saw. Time totals are in nanoseconds.
pub struct HandlerStats {
    pub latency_us: Histogram<u64>,
    /// Measured events applied, and when the last of them was (ns from base).
    pub measured: u64,
    pub last_applied_ns: u64,
    pub deliveries: u64,
    pub early: u64,
    pub duplicates: u64,
    /// Time spent waiting in `next`, applying, and settling.
    pub wait_ns: u64,
    pub apply_ns: u64,
    pub settle_ns: u64,
}

impl HandlerStats {
    pub fn new() -> anyhow::Result<Self> {
        Ok(HandlerStats {
            latency_us: new_histogram()?,
            measured: 0,
            last_applied_ns: 0,
            deliveries: 0,
            early: 0,
            duplicates: 0,
            wait_ns: 0,
            apply_ns: 0,
            settle_ns: 0,
        })
    }

    pub fn merge(&mut self, other: &HandlerStats) -> anyhow::Result<()> {
        self.latency_us.add(&other.latency_us)?;
        self.measured += other.measured;
        self.last_applied_ns = self.last_applied_ns.max(other.last_applied_ns);
        self.deliveries += other.deliveries;
        self.early += other.early;
        self.duplicates += other.duplicates;
        self.wait_ns += other.wait_ns;
        self.apply_ns += other.apply_ns;
        self.settle_ns += other.settle_ns;
        Ok(())
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Handles deliveries until `stop` turns true; the delivery in hand is finished first.
pub async fn run(
    mut consumer: Consumer,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<HandlerStats> {
    let mut stats = HandlerStats::new()?;
    loop {
        let asked = Instant::now();
        let delivery = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => return Ok(stats),
            delivery = consumer.next() => delivery.context("pulling a delivery")?,
        };
        let got = Instant::now();
        stats.wait_ns += nanos(got - asked);
        stats.deliveries += 1;
        let event = &delivery.event;
        let Some(stamp) = Stamp::decode(&event.metadata) else {
            delivery
                .reject("not a benchmark event")
                .await
                .context("rejecting")?;
            continue;
        };
        let arrival = shared
            .model
            .apply(event)
            .await
            .with_context(|| format!("applying {} @ {}", event.stream, event.revision))?;
        let applied = Instant::now();
        stats.apply_ns += nanos(applied - got);
        let (writer, revision) = (stamp.writer as usize, event.revision);
        match arrival {
            Arrival::Next => {
                let done_ns = nanos(applied - shared.base);
                if (shared.window.0..shared.window.1).contains(&stamp.sent_ns) {
                    let micros = done_ns.saturating_sub(stamp.sent_ns) / 1_000;
                    stats.latency_us.saturating_record(micros.max(1));
                    stats.measured += 1;
                    stats.last_applied_ns = stats.last_applied_ns.max(done_ns);
                }
                delivery.ack().await.context("acknowledging")?;
            }
            Arrival::Duplicate => {
                stats.duplicates += 1;
                delivery.ack().await.context("acknowledging a duplicate")?;
            }
            Arrival::Early => {
                stats.early += 1;
                let reason = "an earlier revision of the stream is not applied yet";
                delivery
                    .retry(Some(shared.early_retry), reason)
                    .await
                    .context("asking for a redelivery")?;
            }
        }
        stats.settle_ns += nanos(applied.elapsed());
        if arrival != Arrival::Early {
            shared.progress.applied(writer, revision);
        }
    }
}
