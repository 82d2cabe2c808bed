//! The numbers one cell produces, reduced from what the handlers and writers saw.

use anyhow::Context;
use hdrhistogram::Histogram;

use crate::cpu::Usage;
use crate::handler::HandlerStats;
use crate::load::Load;
use crate::topology::BusKind;

/// Microsecond histogram from 1 µs to 10 minutes at 3 significant digits.
pub fn new_histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 600_000_000, 3).context("creating a latency histogram")
}

/// Throughput and end-to-end latency of one measured cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Events sent in the measured window and applied.
    pub events: u64,
    /// `events` over the time from the window's start to the last of them applied.
    pub events_per_s: f64,
    /// Events the writers appended per second of the window (the load actually offered).
    pub appended_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Deliveries that came before their stream's previous revision was applied.
    pub early: u64,
    pub duplicates: u64,
    /// Per delivery, µs: waiting in `next`, applying (sled write + flush), settling.
    pub wait_us: f64,
    pub apply_us: f64,
    pub settle_us: f64,
    pub cpu: Usage,
}

impl Summary {
    /// `window_start_ns`, `window_s`: the measured window; `appended`: events the
    /// writers sent in it.
    pub fn of(
        stats: &HandlerStats,
        window_start_ns: u64,
        window_s: f64,
        appended: u64,
        cpu: Usage,
    ) -> Summary {
        let applying_s = stats.last_applied_ns.saturating_sub(window_start_ns) as f64 / 1e9;
        let per_delivery = |ns: u64| ns as f64 / 1e3 / stats.deliveries.max(1) as f64;
        let ms = |us: u64| us as f64 / 1e3;
        let latency = &stats.latency_us;
        Summary {
            events: stats.measured,
            events_per_s: stats.measured as f64 / applying_s.max(1e-9),
            appended_per_s: appended as f64 / window_s.max(1e-9),
            p50_ms: ms(latency.value_at_quantile(0.50)),
            p99_ms: ms(latency.value_at_quantile(0.99)),
            max_ms: ms(latency.max()),
            early: stats.early,
            duplicates: stats.duplicates,
            wait_us: per_delivery(stats.wait_ns),
            apply_us: per_delivery(stats.apply_ns),
            settle_us: per_delivery(stats.settle_ns),
            cpu,
        }
    }
}

/// What happened to one (bus, load) cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Measured(Summary),
    /// The bus could not be run here (e.g. no NATS server).
    Skipped(String),
    /// The cell ran and failed (an append or apply failed, events went missing).
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CellResult {
    pub bus: BusKind,
    pub load: Load,
    pub handlers: usize,
    pub outcome: Outcome,
}

impl CellResult {
    pub fn summary(&self) -> Option<&Summary> {
        match &self.outcome {
            Outcome::Measured(summary) => Some(summary),
            Outcome::Skipped(_) | Outcome::Failed(_) => None,
        }
    }
}

/// The measured summary of `bus` under `load`, if any.
pub fn find(results: &[CellResult], bus: BusKind, load: Load) -> Option<&Summary> {
    results
        .iter()
        .find(|r| r.bus == bus && r.load == load)
        .and_then(CellResult::summary)
}

/// Of several rounds of one cell, the median one: by p99 for an open-loop load (its
/// throughput is the offered rate), by throughput for the closed loop. A failure or
/// skip in any round wins, so it is seen.
pub fn median_round(load: Load, mut rounds: Vec<Outcome>) -> Option<Outcome> {
    if let Some(bad) = rounds
        .iter()
        .position(|o| !matches!(o, Outcome::Measured(_)))
    {
        return Some(rounds.swap_remove(bad));
    }
    let key = |o: &Outcome| match o {
        Outcome::Measured(s) if load.offered().is_some() => s.p99_ms,
        Outcome::Measured(s) => s.events_per_s,
        Outcome::Skipped(_) | Outcome::Failed(_) => 0.0,
    };
    rounds.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let middle = rounds.len().saturating_sub(1) / 2;
    rounds.into_iter().nth(middle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    pub fn summary(events_per_s: f64, p99_ms: f64) -> Summary {
        Summary {
            events: 1000,
            events_per_s,
            appended_per_s: events_per_s,
            p50_ms: 1.5,
            p99_ms,
            max_ms: 30.0,
            early: 0,
            duplicates: 0,
            wait_us: 10.0,
            apply_us: 100.0,
            settle_us: 5.0,
            cpu: Usage::default(),
        }
    }

    #[test]
    fn a_summary_reports_rate_over_the_applying_time_and_percentiles_in_ms() {
        let mut stats = HandlerStats::new().unwrap();
        for us in 1..=100 {
            stats.latency_us.record(us * 10).unwrap();
        }
        stats.measured = 100;
        stats.deliveries = 100;
        stats.apply_ns = 100 * 50_000;
        // Window from 1 s; the last event applied at 1.5 s.
        stats.last_applied_ns = 1_500_000_000;
        let s = Summary::of(&stats, 1_000_000_000, 0.4, 80, Usage::default());
        assert_eq!(s.events_per_s, 200.0);
        assert_eq!(s.appended_per_s, 200.0);
        assert_eq!(s.p50_ms, 0.5);
        assert_eq!(s.p99_ms, 0.99);
        assert_eq!(s.max_ms, 1.0);
        assert_eq!(s.apply_us, 50.0);
    }

    #[test]
    fn the_median_round_is_by_p99_for_fixed_rates_and_by_rate_for_max() {
        let m = |rate, p99| Outcome::Measured(summary(rate, p99));
        let rounds = || vec![m(900.0, 5.0), m(1000.0, 3.0), m(950.0, 9.0)];
        let open = Load::Open {
            per_s: 1000,
            writers: 10,
        };
        assert_eq!(median_round(open, rounds()), Some(m(900.0, 5.0)));
        let max = Load::Max { writers: 64 };
        assert_eq!(median_round(max, rounds()), Some(m(950.0, 9.0)));
        let failed = vec![m(1.0, 1.0), Outcome::Failed("lost".into())];
        assert_eq!(
            median_round(max, failed),
            Some(Outcome::Failed("lost".into()))
        );
    }
}
