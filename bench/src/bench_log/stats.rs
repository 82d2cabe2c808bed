//! The numbers one cell produces, reduced from the raw measurement.

use crate::driver::Measurement;
use crate::system::System;

/// Throughput and latency percentiles of one measured cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub events: u64,
    pub events_per_s: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    /// What the system itself saw during the cell (raw: syncs and their mean time).
    pub detail: Option<String>,
}

impl Summary {
    pub fn of(measurement: &Measurement) -> Self {
        let secs = measurement.elapsed.as_secs_f64().max(f64::MIN_POSITIVE);
        let latency = &measurement.latency_us;
        Summary {
            events: measurement.events,
            events_per_s: measurement.events as f64 / secs,
            p50_us: latency.value_at_quantile(0.50),
            p99_us: latency.value_at_quantile(0.99),
            max_us: latency.max(),
            detail: None,
        }
    }
}

/// What happened to one (system, writers) cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Measured(Summary),
    /// The system could not be run here (e.g. PostgreSQL unreachable).
    Skipped(String),
    /// The system ran and failed (an append returned an error).
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CellResult {
    pub system: System,
    pub writers: usize,
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

/// The measured summary of `system` at `writers`, if any.
pub fn find(results: &[CellResult], system: System, writers: usize) -> Option<&Summary> {
    results
        .iter()
        .find(|r| r.system == system && r.writers == writers)
        .and_then(CellResult::summary)
}

/// Of several rounds of one cell, the round with the median throughput (the lower
/// middle one for an even count); a failure or skip in any round wins, so it is seen.
pub fn median_round(mut rounds: Vec<Outcome>) -> Option<Outcome> {
    if let Some(bad) = rounds
        .iter()
        .position(|o| !matches!(o, Outcome::Measured(_)))
    {
        return Some(rounds.swap_remove(bad));
    }
    let rate = |o: &Outcome| match o {
        Outcome::Measured(s) => s.events_per_s,
        Outcome::Skipped(_) | Outcome::Failed(_) => 0.0,
    };
    rounds.sort_by(|a, b| rate(a).total_cmp(&rate(b)));
    let middle = rounds.len().saturating_sub(1) / 2;
    rounds.into_iter().nth(middle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::driver::new_histogram;
    use std::time::Duration;

    #[test]
    fn a_summary_reports_rate_and_percentiles_of_the_window() {
        let mut latency_us = new_histogram().unwrap();
        for us in 1..=100 {
            latency_us.record(us * 10).unwrap();
        }
        let summary = Summary::of(&Measurement {
            events: 100,
            elapsed: Duration::from_millis(500),
            latency_us,
        });
        assert_eq!(summary.events_per_s, 200.0);
        assert_eq!(summary.p50_us, 500);
        assert_eq!(summary.p99_us, 990);
        assert_eq!(summary.max_us, 1000);
    }

    fn rate(events_per_s: f64) -> Outcome {
        Outcome::Measured(Summary {
            events: 1,
            events_per_s,
            p50_us: 1,
            p99_us: 1,
            max_us: 1,
            detail: None,
        })
    }

    #[test]
    fn the_median_round_is_reported_unless_a_round_failed() {
        let three = vec![rate(30.0), rate(10.0), rate(20.0)];
        assert_eq!(median_round(three), Some(rate(20.0)));
        let failed = vec![rate(30.0), Outcome::Failed("disk full".into())];
        assert_eq!(
            median_round(failed),
            Some(Outcome::Failed("disk full".into()))
        );
        assert_eq!(median_round(Vec::new()), None);
    }
}
