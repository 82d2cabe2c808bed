//! The two renderings of a run: a human table per writers-count, and one JSON object.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::event::EVENT_BYTES;
use crate::machine::Machine;
use crate::stats::{CellResult, Outcome, find};
use crate::system::System;
use crate::targets::TargetCheck;

/// Everything a report shows.
pub struct Run<'a> {
    pub machine: &'a Machine,
    pub seconds: f64,
    pub rounds: usize,
    pub writer_counts: &'a [usize],
    pub systems: &'a [System],
    pub results: &'a [CellResult],
    pub targets: &'a [TargetCheck],
    /// Extra facts about the peers (PostgreSQL version and settings, pool size).
    pub notes: &'a [String],
}

pub fn human(run: &Run) -> String {
    let m = run.machine;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "bench-log {} | {} cores ({}) | kernel {} | data dir {} ({})",
        m.date,
        m.cores,
        m.cpu_model,
        m.kernel,
        m.data_dir.display(),
        m.data_fs
    );
    let _ = writeln!(
        out,
        "one event per append, {EVENT_BYTES}-byte payload, each writer on its own stream with the exact expected revision, {:.1} s per cell, median of {} round(s)",
        run.seconds, run.rounds
    );
    let _ = writeln!(
        out,
        "durability is equal: every peer acknowledges only after fsync/fdatasync:"
    );
    for system in run.systems {
        let _ = writeln!(out, "  {:<9} {}", system.name(), system.durability());
    }
    for note in run.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    for &writers in run.writer_counts {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<9} | {:>7} | {:>10} | {:>8} | {:>8} | {:>8} | {:>10}",
            "system", "writers", "events/s", "p50 µs", "p99 µs", "max µs", "vs filelog"
        );
        let _ = writeln!(out, "{}", "-".repeat(84));
        let file = find(run.results, System::FileLog, writers);
        for result in run.results.iter().filter(|r| r.writers == writers) {
            let _ = writeln!(out, "{}", row(result, file.map(|f| f.events_per_s)));
        }
        let _ = writeln!(out, "{}", comparisons(run.results, writers));
        for result in run.results.iter().filter(|r| r.writers == writers) {
            if let Some(detail) = result.summary().and_then(|s| s.detail.as_ref()) {
                let _ = writeln!(out, "  {}: {detail}", result.system.name());
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "targets:");
    for check in run.targets {
        let verdict = match check.passed {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "n/a ",
        };
        let _ = writeln!(out, "  {verdict} {} — {}", check.target, check.detail);
    }
    out
}

fn row(result: &CellResult, file_rate: Option<f64>) -> String {
    let name = result.system.name();
    match &result.outcome {
        Outcome::Measured(s) => {
            let ratio =
                file_rate.map_or("-".to_string(), |f| format!("{:.2}x", s.events_per_s / f));
            format!(
                "{name:<9} | {:>7} | {:>10.0} | {:>8} | {:>8} | {:>8} | {:>10}",
                result.writers, s.events_per_s, s.p50_us, s.p99_us, s.max_us, ratio
            )
        }
        Outcome::Skipped(why) => format!("{name:<9} | {:>7} | skipped: {why}", result.writers),
        Outcome::Failed(why) => format!("{name:<9} | {:>7} | FAILED: {why}", result.writers),
    }
}

fn comparisons(results: &[CellResult], writers: usize) -> String {
    let Some(file) = find(results, System::FileLog, writers) else {
        return "filelog not measured at this concurrency".to_string();
    };
    let mut parts = Vec::new();
    if let Some(raw) = find(results, System::Raw, writers) {
        parts.push(format!(
            "filelog = {:.0}% of raw throughput, p50 {:.2}x raw",
            100.0 * file.events_per_s / raw.events_per_s,
            file.p50_us as f64 / raw.p50_us.max(1) as f64
        ));
    }
    if let Some(pg) = find(results, System::Postgres, writers) {
        parts.push(format!(
            "filelog = {:.1}x postgres",
            file.events_per_s / pg.events_per_s
        ));
    }
    if let Some(sled) = find(results, System::Sled, writers) {
        parts.push(format!(
            "{:.1}x sled",
            file.events_per_s / sled.events_per_s
        ));
    }
    parts.join("; ")
}

pub fn json(run: &Run) -> Value {
    let m = run.machine;
    let results: Vec<Value> = run
        .results
        .iter()
        .map(|r| {
            let mut row = json!({"system": r.system.name(), "writers": r.writers});
            match &r.outcome {
                Outcome::Measured(s) => {
                    row["events_per_s"] = json!(s.events_per_s.round());
                    row["p50_us"] = json!(s.p50_us);
                    row["p99_us"] = json!(s.p99_us);
                    row["max_us"] = json!(s.max_us);
                    row["events"] = json!(s.events);
                    if let Some(detail) = &s.detail {
                        row["detail"] = json!(detail);
                    }
                }
                Outcome::Skipped(why) => row["skipped"] = json!(why),
                Outcome::Failed(why) => row["failed"] = json!(why),
            }
            row
        })
        .collect();
    let durability: serde_json::Map<String, Value> = run
        .systems
        .iter()
        .map(|s| (s.name().to_string(), json!(s.durability())))
        .collect();
    let targets: Vec<Value> = run
        .targets
        .iter()
        .map(|c| json!({"target": c.target, "passed": c.passed, "detail": c.detail}))
        .collect();
    json!({
        "machine": {
            "cores": m.cores,
            "date": m.date,
            "cpu_model": m.cpu_model,
            "kernel": m.kernel,
            "data_dir": m.data_dir.display().to_string(),
            "data_fs": m.data_fs,
        },
        "event_bytes": EVENT_BYTES,
        "seconds_per_cell": run.seconds,
        "rounds": run.rounds,
        "durability": durability,
        "notes": run.notes,
        "results": results,
        "targets": targets,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::stats::Summary;
    use std::path::PathBuf;

    fn machine() -> Machine {
        Machine {
            cores: 2,
            date: "2026-01-01T00:00:00Z".into(),
            cpu_model: "test cpu".into(),
            kernel: "6.1".into(),
            data_dir: PathBuf::from("/work/bench-data"),
            data_fs: "ext4".into(),
        }
    }

    fn measured(system: System, writers: usize, events_per_s: f64) -> CellResult {
        CellResult {
            system,
            writers,
            outcome: Outcome::Measured(Summary {
                events: 10,
                events_per_s,
                p50_us: 250,
                p99_us: 900,
                max_us: 4000,
                detail: Some("1000 syncs".into()),
            }),
        }
    }

    fn results() -> Vec<CellResult> {
        vec![
            measured(System::FileLog, 16, 40_000.0),
            measured(System::Raw, 16, 80_000.0),
            CellResult {
                system: System::Postgres,
                writers: 16,
                outcome: Outcome::Skipped("PostgreSQL unreachable".into()),
            },
        ]
    }

    #[test]
    fn the_json_report_has_one_row_per_cell_with_the_agreed_keys() {
        let (machine, results) = (machine(), results());
        let run = Run {
            machine: &machine,
            seconds: 5.0,
            rounds: 1,
            writer_counts: &[16],
            systems: &System::ALL,
            results: &results,
            targets: &[],
            notes: &[],
        };
        let value = json(&run);
        assert_eq!(value["machine"]["cores"], 2);
        assert_eq!(value["event_bytes"], 200);
        let rows = value["results"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["system"], "filelog");
        assert_eq!(rows[0]["writers"], 16);
        assert_eq!(rows[0]["events_per_s"], 40_000.0);
        for key in ["p50_us", "p99_us", "max_us"] {
            assert!(rows[1][key].is_u64(), "{key}");
        }
        assert_eq!(rows[2]["skipped"], "PostgreSQL unreachable");
    }

    #[test]
    fn the_human_table_compares_every_peer_with_the_file_log() {
        let (machine, results) = (machine(), results());
        let run = Run {
            machine: &machine,
            seconds: 5.0,
            rounds: 1,
            writer_counts: &[16],
            systems: &System::ALL,
            results: &results,
            targets: &[],
            notes: &[],
        };
        let text = human(&run);
        assert!(text.contains("2 cores"));
        assert!(text.contains("2.00x"), "{text}");
        assert!(text.contains("filelog = 50% of raw throughput"), "{text}");
        assert!(text.contains("skipped: PostgreSQL unreachable"), "{text}");
        assert!(text.contains("filelog: 1000 syncs"), "{text}");
    }
}
