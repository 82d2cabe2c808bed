//! The targets, checked against a run: p99 under 20 ms at 1,000 events/s, and at
//! least 20,000 events/s sustained through NATS (the embedded bus is checked alongside,
//! for comparison).

use crate::stats::{CellResult, Outcome};
use crate::topology::BusKind;

pub const P99_LIMIT_MS: f64 = 20.0;
pub const P99_AT_RATE: u32 = 1_000;
pub const SUSTAINED_PER_S: f64 = 20_000.0;

/// One target and what the run says about it (`None`: not measured in this run).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCheck {
    pub target: String,
    pub passed: Option<bool>,
    pub detail: String,
}

pub fn evaluate(results: &[CellResult], buses: &[BusKind]) -> Vec<TargetCheck> {
    let mut checks = Vec::new();
    for &bus in buses {
        checks.push(p99_at_rate(results, bus));
    }
    for &bus in buses {
        checks.push(sustained(results, bus));
    }
    checks
}

fn p99_at_rate(results: &[CellResult], bus: BusKind) -> TargetCheck {
    let target = format!(
        "{}: p99 < {P99_LIMIT_MS} ms at {P99_AT_RATE} events/s",
        bus.name()
    );
    let cell = results
        .iter()
        .find(|r| r.bus == bus && r.load.offered() == Some(P99_AT_RATE));
    match cell.map(|c| &c.outcome) {
        Some(Outcome::Measured(s)) => TargetCheck {
            target,
            passed: Some(s.p99_ms < P99_LIMIT_MS),
            detail: format!(
                "p99 {:.2} ms (p50 {:.2} ms) at {:.0} events/s",
                s.p99_ms, s.p50_ms, s.events_per_s
            ),
        },
        Some(Outcome::Failed(why)) => TargetCheck {
            target,
            passed: Some(false),
            detail: format!("the cell failed: {why}"),
        },
        Some(Outcome::Skipped(why)) => not_measured(target, why),
        None => not_measured(target, "that rate was not run"),
    }
}

fn sustained(results: &[CellResult], bus: BusKind) -> TargetCheck {
    let target = format!("{}: sustained >= {SUSTAINED_PER_S:.0} events/s", bus.name());
    // The closed-loop run shows what the path sustains; an open-loop rate counts only
    // when it offered at least the target (a lower rate says nothing about the limit).
    let best = results
        .iter()
        .filter(|r| r.bus == bus)
        .filter(|r| {
            r.load
                .offered()
                .is_none_or(|per_s| f64::from(per_s) >= SUSTAINED_PER_S)
        })
        .filter_map(|r| r.summary().map(|s| (r, s)))
        .max_by(|(_, a), (_, b)| a.events_per_s.total_cmp(&b.events_per_s));
    match best {
        Some((cell, s)) => TargetCheck {
            target,
            passed: Some(s.events_per_s >= SUSTAINED_PER_S),
            detail: format!(
                "best {:.0} events/s ({}, {} handlers, p99 {:.2} ms)",
                s.events_per_s,
                crate::report::load_label(cell.load),
                cell.handlers,
                s.p99_ms
            ),
        },
        None => not_measured(
            target,
            "no max run (or rate >= the target) of this bus was measured",
        ),
    }
}

fn not_measured(target: String, why: &str) -> TargetCheck {
    TargetCheck {
        target,
        passed: None,
        detail: why.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Load;
    use crate::stats::tests::summary;

    fn cell(bus: BusKind, load: Load, rate: f64, p99: f64) -> CellResult {
        CellResult {
            bus,
            load,
            handlers: 16,
            outcome: Outcome::Measured(summary(rate, p99)),
        }
    }

    #[test]
    fn targets_pass_or_fail_on_the_measured_cells_and_say_when_not_measured() {
        let open = Load::Open {
            per_s: 1000,
            writers: 100,
        };
        let max = Load::Max { writers: 64 };
        let results = vec![
            cell(BusKind::Nats, open, 1000.0, 25.0),
            cell(BusKind::Nats, max, 21_000.0, 40.0),
            cell(BusKind::Embedded, max, 19_000.0, 4.0),
        ];
        let checks = evaluate(&results, &BusKind::ALL);
        let verdict = |bus: &str, what: &str| {
            checks
                .iter()
                .find(|c| c.target.starts_with(bus) && c.target.contains(what))
                .map(|c| c.passed)
        };
        assert_eq!(verdict("nats", "p99"), Some(Some(false)));
        assert_eq!(verdict("nats", "sustained"), Some(Some(true)));
        assert_eq!(verdict("embedded", "p99"), Some(None));
        assert_eq!(verdict("embedded", "sustained"), Some(Some(false)));
    }
}
