//! The file log's performance targets, checked against the peers of the same run.

use crate::stats::{CellResult, find};
use crate::system::System;

/// One target and whether this run met it (`None`: a needed cell was not measured).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCheck {
    pub target: String,
    pub passed: Option<bool>,
    pub detail: String,
}

/// At 256 writers ≥ 100,000 events/s and ≥ 50% of raw; at 1 writer p50 within 2x of
/// raw's (one fdatasync); ≥ 5x PostgreSQL's throughput at every measured concurrency.
pub fn evaluate(results: &[CellResult], writer_counts: &[usize]) -> Vec<TargetCheck> {
    let file = |w| find(results, System::FileLog, w);
    let peer = |s, w| find(results, s, w);
    let mut checks = Vec::new();

    let target = "256 writers: filelog >= 100,000 durable events/s".to_string();
    checks.push(match file(256) {
        Some(f) => check(
            target,
            f.events_per_s >= 100_000.0,
            format!("{:.0} events/s", f.events_per_s),
        ),
        None => missing(target),
    });

    let target = "256 writers: filelog >= 50% of raw".to_string();
    checks.push(match (file(256), peer(System::Raw, 256)) {
        (Some(f), Some(r)) => {
            let share = f.events_per_s / r.events_per_s;
            check(
                target,
                share >= 0.5,
                format!("{:.0}% of raw", share * 100.0),
            )
        }
        _ => missing(target),
    });

    let target = "1 writer: filelog p50 <= 2x raw p50 (one fdatasync)".to_string();
    checks.push(match (file(1), peer(System::Raw, 1)) {
        (Some(f), Some(r)) => check(
            target,
            f.p50_us <= 2 * r.p50_us,
            format!(
                "{} µs vs {} µs ({:.2}x)",
                f.p50_us,
                r.p50_us,
                f.p50_us as f64 / r.p50_us.max(1) as f64
            ),
        ),
        _ => missing(target),
    });

    for &writers in writer_counts {
        let target = format!("{writers} writers: filelog >= 5x postgres");
        checks.push(match (file(writers), peer(System::Postgres, writers)) {
            (Some(f), Some(p)) => {
                let ratio = f.events_per_s / p.events_per_s;
                check(target, ratio >= 5.0, format!("{ratio:.1}x"))
            }
            _ => missing(target),
        });
    }
    checks
}

fn check(target: String, passed: bool, detail: String) -> TargetCheck {
    TargetCheck {
        target,
        passed: Some(passed),
        detail,
    }
}

fn missing(target: String) -> TargetCheck {
    TargetCheck {
        target,
        passed: None,
        detail: "not measured in this run".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Outcome, Summary};

    fn cell(system: System, writers: usize, events_per_s: f64, p50_us: u64) -> CellResult {
        CellResult {
            system,
            writers,
            outcome: Outcome::Measured(Summary {
                events: 1,
                events_per_s,
                p50_us,
                p99_us: p50_us,
                max_us: p50_us,
                detail: None,
            }),
        }
    }

    #[test]
    fn targets_pass_and_fail_against_the_peers_of_the_same_run() {
        let results = vec![
            cell(System::FileLog, 1, 3_000.0, 300),
            cell(System::Raw, 1, 3_500.0, 250),
            cell(System::Postgres, 1, 1_000.0, 900),
            cell(System::FileLog, 256, 90_000.0, 2_000),
            cell(System::Raw, 256, 150_000.0, 1_500),
        ];
        let checks = evaluate(&results, &[1, 256]);
        let passed: Vec<_> = checks.iter().map(|c| c.passed).collect();
        // 90k < 100k; 60% of raw; 300 <= 500 µs; 3x postgres at 1; no postgres at 256.
        assert_eq!(
            passed,
            vec![Some(false), Some(true), Some(true), Some(false), None]
        );
    }
}
