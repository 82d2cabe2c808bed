//! The two renderings of a run: a human table with nats-vs-embedded ratios, and one
//! JSON object whose `results` rows are `{bus, offered_per_s, events_per_s, p50_ms,
//! p99_ms, ...}` (`offered_per_s` is `null` for the closed-loop max run).

use std::fmt::Write;

use serde_json::{Value, json};

use crate::event::EVENT_BYTES;
use crate::load::Load;
use crate::machine::Machine;
use crate::read_model::Flush;
use crate::stats::{CellResult, Outcome, Summary, find};
use crate::targets::TargetCheck;
use crate::topology::BusKind;

/// Everything a report shows.
pub struct Run<'a> {
    pub machine: &'a Machine,
    pub settings: Settings,
    pub buses: &'a [BusKind],
    pub loads: &'a [Load],
    pub results: &'a [CellResult],
    pub targets: &'a [TargetCheck],
    /// The NATS server used, durability remarks, skipped peers.
    pub notes: &'a [String],
}

/// The knobs of a run, echoed in both renderings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub warmup_s: f64,
    pub seconds: f64,
    pub rounds: usize,
    pub handlers: usize,
    pub early_retry_ms: u64,
    pub flush: Flush,
}

/// `1000/s` for an open-loop load, `max (64 w)` for the closed loop.
pub fn load_label(load: Load) -> String {
    match load {
        Load::Open { per_s, .. } => format!("{per_s}/s"),
        Load::Max { writers } => format!("max ({writers} w)"),
    }
}

pub fn human(run: &Run) -> String {
    let (m, s) = (run.machine, run.settings);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "bench-bus {} | {} cores ({}) | kernel {} | data dir {} ({})",
        m.date,
        m.cores,
        m.cpu_model,
        m.kernel,
        m.data_dir.display(),
        m.data_fs
    );
    let _ = writeln!(
        out,
        "one event per append ({EVENT_BYTES}-byte payload), own stream per writer, exact expected revision; \
         latency from just before the append to just after the read-model apply (sled CAS, flush: {}); \
         {} handlers share the durable; early arrivals retried after {} ms; warm-up {:.1} s, measured {:.1} s, median of {} round(s)",
        s.flush.name(),
        s.handlers,
        s.early_retry_ms,
        s.warmup_s,
        s.seconds,
        s.rounds
    );
    for bus in run.buses {
        let _ = writeln!(out, "  {:<8} {}", bus.name(), bus.path());
    }
    for note in run.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<12} | {:<8} | {:>9} | {:>10} | {:>7} | {:>7} | {:>7} | {:>6} | {:>22} | {:>18} | vs embedded",
        "load",
        "bus",
        "events/s",
        "appended/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "early",
        "µs/delivery wait/apply/ack",
        "cpu busy/own/nats"
    );
    let _ = writeln!(out, "{}", "-".repeat(150));
    for &load in run.loads {
        let embedded = find(run.results, BusKind::Embedded, load);
        for result in run.results.iter().filter(|r| r.load == load) {
            let _ = writeln!(out, "{}", row(result, embedded));
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

fn row(result: &CellResult, embedded: Option<&Summary>) -> String {
    let head = format!("{:<12} | {:<8}", load_label(result.load), result.bus.name());
    let s = match &result.outcome {
        Outcome::Measured(s) => s,
        Outcome::Skipped(why) => return format!("{head} | skipped: {why}"),
        Outcome::Failed(why) => return format!("{head} | FAILED: {why}"),
    };
    let ratio = match embedded {
        Some(e) if result.bus != BusKind::Embedded => format!(
            "rate {:.2}x, p50 {:.1}x, p99 {:.1}x",
            s.events_per_s / e.events_per_s.max(1e-9),
            s.p50_ms / e.p50_ms.max(1e-9),
            s.p99_ms / e.p99_ms.max(1e-9)
        ),
        _ => "-".to_string(),
    };
    let server = s
        .cpu
        .server_cores
        .map_or("-".to_string(), |c| format!("{c:.2}"));
    let cpu = format!(
        "{:.0}%/{:.2}/{server}",
        100.0 * s.cpu.machine_busy,
        s.cpu.own_cores
    );
    let times = format!("{:.0}/{:.0}/{:.0}", s.wait_us, s.apply_us, s.settle_us);
    format!(
        "{head} | {:>9.0} | {:>10.0} | {:>7.2} | {:>7.2} | {:>7.2} | {:>6} | {times:>26} | {cpu:>18} | {ratio}",
        s.events_per_s, s.appended_per_s, s.p50_ms, s.p99_ms, s.max_ms, s.early
    )
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn result_json(r: &CellResult) -> Value {
    let (mode, writers) = match r.load {
        Load::Open { writers, .. } => ("open", writers),
        Load::Max { writers } => ("max", writers),
    };
    let mut row = json!({
        "bus": r.bus.name(),
        "offered_per_s": r.load.offered(),
        "mode": mode,
        "writers": writers,
        "handlers": r.handlers,
    });
    match &r.outcome {
        Outcome::Measured(s) => {
            row["events_per_s"] = json!(s.events_per_s.round());
            row["p50_ms"] = json!(round2(s.p50_ms));
            row["p99_ms"] = json!(round2(s.p99_ms));
            row["max_ms"] = json!(round2(s.max_ms));
            row["events"] = json!(s.events);
            row["appended_per_s"] = json!(s.appended_per_s.round());
            row["early_retries"] = json!(s.early);
            row["duplicates"] = json!(s.duplicates);
            row["us_per_delivery"] = json!({
                "wait": round2(s.wait_us), "apply": round2(s.apply_us), "settle": round2(s.settle_us),
            });
            row["cpu"] = json!({
                "machine_busy": round2(s.cpu.machine_busy),
                "own_cores": round2(s.cpu.own_cores),
                "nats_server_cores": s.cpu.server_cores.map(round2),
            });
        }
        Outcome::Skipped(why) => {
            row["events_per_s"] = Value::Null;
            row["p50_ms"] = Value::Null;
            row["p99_ms"] = Value::Null;
            row["skipped"] = json!(why);
        }
        Outcome::Failed(why) => {
            row["events_per_s"] = Value::Null;
            row["p50_ms"] = Value::Null;
            row["p99_ms"] = Value::Null;
            row["failed"] = json!(why);
        }
    }
    row
}

pub fn json(run: &Run) -> Value {
    let (m, s) = (run.machine, run.settings);
    let targets: Vec<Value> = run
        .targets
        .iter()
        .map(|c| json!({"target": c.target, "passed": c.passed, "detail": c.detail}))
        .collect();
    let paths: serde_json::Map<String, Value> = run
        .buses
        .iter()
        .map(|b| (b.name().to_string(), json!(b.path())))
        .collect();
    json!({
        "benchmark": "bench-bus",
        "machine": {
            "cores": m.cores,
            "date": m.date,
            "cpu_model": m.cpu_model,
            "kernel": m.kernel,
            "data_dir": m.data_dir.display().to_string(),
            "data_fs": m.data_fs,
        },
        "settings": {
            "event_bytes": EVENT_BYTES,
            "warmup_s": s.warmup_s,
            "seconds_per_cell": s.seconds,
            "rounds": s.rounds,
            "handlers": s.handlers,
            "early_retry_ms": s.early_retry_ms,
            "flush": s.flush.name(),
        },
        "paths": paths,
        "notes": run.notes,
        "results": run.results.iter().map(result_json).collect::<Vec<_>>(),
        "targets": targets,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::stats::tests::summary;
    use crate::targets::evaluate;
    use std::path::PathBuf;

    fn machine() -> Machine {
        Machine {
            cores: 2,
            date: "2026-01-01T00:00:00Z".into(),
            cpu_model: "test cpu".into(),
            kernel: "6.1".into(),
            data_dir: PathBuf::from("/tmp"),
            data_fs: "ext4".into(),
        }
    }

    const OPEN: Load = Load::Open {
        per_s: 1000,
        writers: 100,
    };
    const MAX: Load = Load::Max { writers: 64 };

    fn results() -> Vec<CellResult> {
        let cell = |bus, load, outcome| CellResult {
            bus,
            load,
            handlers: 16,
            outcome,
        };
        vec![
            cell(
                BusKind::Embedded,
                OPEN,
                Outcome::Measured(summary(1000.0, 2.0)),
            ),
            cell(BusKind::Nats, OPEN, Outcome::Measured(summary(1000.0, 6.0))),
            cell(
                BusKind::Embedded,
                MAX,
                Outcome::Measured(summary(16_000.0, 9.0)),
            ),
            cell(
                BusKind::Nats,
                MAX,
                Outcome::Skipped("no NATS server".into()),
            ),
        ]
    }

    fn render<T>(f: impl Fn(&Run) -> T) -> T {
        let (machine, results) = (machine(), results());
        let targets = evaluate(&results, &BusKind::ALL);
        let run = Run {
            machine: &machine,
            settings: Settings {
                warmup_s: 1.0,
                seconds: 4.0,
                rounds: 1,
                handlers: 16,
                early_retry_ms: 200,
                flush: Flush::Blocking,
            },
            buses: &BusKind::ALL,
            loads: &[OPEN, MAX],
            results: &results,
            targets: &targets,
            notes: &[],
        };
        f(&run)
    }

    #[test]
    fn the_json_report_is_one_object_with_a_row_per_cell_in_the_agreed_shape() {
        let value = render(json);
        assert_eq!(value["machine"]["cores"], 2);
        assert_eq!(value["machine"]["date"], "2026-01-01T00:00:00Z");
        let rows = value["results"].as_array().unwrap();
        assert_eq!(rows.len(), 4);
        for row in rows {
            for key in ["bus", "offered_per_s", "events_per_s", "p50_ms", "p99_ms"] {
                assert!(row.get(key).is_some(), "{key} missing in {row}");
            }
            assert!(["embedded", "nats"].contains(&row["bus"].as_str().unwrap()));
        }
        assert_eq!(rows[1]["bus"], "nats");
        assert_eq!(rows[1]["offered_per_s"], 1000);
        assert_eq!(rows[1]["events_per_s"], 1000.0);
        assert_eq!(rows[1]["p99_ms"], 6.0);
        assert!(
            rows[2]["offered_per_s"].is_null(),
            "the max run offers no rate"
        );
        assert_eq!(rows[2]["mode"], "max");
        assert!(rows[3]["p99_ms"].is_null());
        assert_eq!(rows[3]["skipped"], "no NATS server");
        // It parses back from the text that is printed.
        let text = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn the_human_table_compares_nats_with_embedded_and_lists_the_targets() {
        let text = render(human);
        assert!(text.contains("2 cores"), "{text}");
        assert!(text.contains("rate 1.00x, p50 1.0x, p99 3.0x"), "{text}");
        assert!(text.contains("max (64 w)"), "{text}");
        assert!(text.contains("skipped: no NATS server"), "{text}");
        assert!(text.contains("PASS nats: p99 < 20 ms"), "{text}");
        assert!(text.contains("n/a  nats: sustained"), "{text}");
    }
}
