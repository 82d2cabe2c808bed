//! `bench-bus`: end-to-end propagation of an event from one service's file log through
//! the bus into another service's read model, for the embedded bus and for NATS
//! JetStream (relay + durable pull consumer), side by side in one run: open-loop at
//! fixed rates and a closed-loop max run.
//!
//! Run: `cargo run --release -p bench --bin bench-bus -- [--json] [--rates 1000,5000]
//! [--max-writers 64] [--handlers 16] [--buses embedded,nats] [--nats-url URL]`.
//! The human report goes to stdout; with `--json` stdout holds one JSON object and
//! everything else goes to stderr.
//!
//! # Layout
//! - `load`: the producing service's writers (open loop, closed loop).
//! - `stamp`: who sent an event and when, carried in its metadata.
//! - `read_model`, `handler`, `progress`: the consuming service: revision-checked copies
//!   in sled, the handler loop per consumer handle, per-writer applied counters.
//! - `topology`: the embedded bus, or relay + JetStream consumer, per cell.
//! - `server`: the pinned nats-server started for the run (or a given URL).
//! - `cell`: one (bus, load) cell from fresh directories to deleted streams.
//! - `cpu`, `stats`, `targets`, `report`: CPU use, numbers, target checks, rendering.
//! - `machine`, `event`: shared with bench-log (machine facts and data directory; the
//!   200-byte event).

mod cell;
mod cpu;
#[path = "../bench_log/event.rs"]
#[allow(dead_code)]
mod event;
mod handler;
mod load;
#[path = "../bench_log/machine.rs"]
mod machine;
mod progress;
mod read_model;
mod report;
mod server;
mod stamp;
mod stats;
mod targets;
mod topology;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::cell::RunContext;
use crate::load::Load;
use crate::machine::{Machine, choose_data_dir};
use crate::read_model::Flush;
use crate::stats::{CellResult, median_round};
use crate::topology::BusKind;

#[derive(Debug, Parser)]
#[command(about = "Event propagation log -> bus -> read model: embedded bus vs NATS JetStream")]
struct Args {
    /// Print one JSON object on stdout (everything else on stderr).
    #[arg(long)]
    json: bool,
    /// Measured seconds per cell (after the warm-up).
    #[arg(long, default_value_t = 4.0)]
    seconds: f64,
    /// Warm-up seconds per cell, not measured.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Runs of every cell, interleaved across buses; the median round is reported.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Open-loop offered rates in events/s, comma-separated; pass 0 to skip them.
    #[arg(long, value_delimiter = ',', default_value = "1000,5000")]
    rates: Vec<u32>,
    /// Streams (one writer each) an open-loop rate is spread over.
    #[arg(long, default_value_t = 100)]
    open_writers: usize,
    /// Closed-loop writers of the max run(s), comma-separated (each keeps one event in
    /// flight end to end); pass 0 to skip the max run.
    #[arg(long, value_delimiter = ',', default_value = "64")]
    max_writers: Vec<usize>,
    /// Consumer handles (tasks) sharing the durable in the consuming service.
    #[arg(long, default_value_t = 16)]
    handlers: usize,
    /// Buses to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "embedded,nats", value_parser = BusKind::parse)]
    buses: Vec<BusKind>,
    /// A NATS server with JetStream to use instead of starting the pinned one.
    #[arg(long, env = "NATS_URL")]
    nats_url: Option<String>,
    /// Delay before an event that arrived before its predecessor is delivered again
    /// (the services use 200 ms).
    #[arg(long, default_value_t = 200)]
    early_retry_ms: u64,
    /// How the read model flushes before the ack: `group` (what the services' copies do:
    /// one blocking flush shared by the handlers that stored meanwhile); `blocking`
    /// (Tree::flush on the blocking pool, one per apply); `async` (Tree::flush_async: a reproducer, it
    /// deadlocks sled 0.34.7's global I/O pool with ~7 concurrent flushes,
    /// spacejam/sled#1308, and the run hangs until interrupted); `none` leaves the
    /// flush out (a diagnostic of the bus alone, not durable).
    #[arg(long, default_value = "group", value_parser = Flush::parse)]
    flush: Flush,
    /// Directory on a real disk for the logs, read models and the started server's
    /// store (default: $TMPDIR unless it is tmpfs, else ./bench-data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

impl Args {
    fn loads(&self) -> Vec<Load> {
        let open = self
            .rates
            .iter()
            .filter(|&&r| r > 0)
            .map(|&per_s| Load::Open {
                per_s,
                writers: self.open_writers,
            });
        let max = self
            .max_writers
            .iter()
            .filter(|&&w| w > 0)
            .map(|&writers| Load::Max { writers });
        open.chain(max).collect()
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.seconds > 0.0 && args.warmup >= 0.0,
        "--seconds must be > 0"
    );
    anyhow::ensure!(
        args.open_writers >= 1 && args.handlers >= 1 && args.rounds >= 1,
        "--open-writers, --handlers and --rounds must be >= 1"
    );
    let data_dir = choose_data_dir(args.data_dir.clone())?;
    let machine = Machine::describe(data_dir.clone());
    let mut notes = Vec::new();
    let mut server = if args.buses.contains(&BusKind::Nats) {
        server::Nats::start(args.nats_url.clone(), &data_dir, &mut notes).await
    } else {
        server::Nats::none("not selected")
    };
    let ctx = RunContext {
        data_dir,
        warmup: Duration::from_secs_f64(args.warmup),
        measure: Duration::from_secs_f64(args.seconds),
        handlers: args.handlers,
        early_retry: Duration::from_millis(args.early_retry_ms),
        flush: args.flush,
        nats_url: server.url(),
        server_pid: server.pid(),
        run_id: uuid::Uuid::new_v4().simple().to_string()[..8].to_string(),
    };
    let loads = args.loads();
    let mut results = Vec::new();
    let mut index = 0;
    for &load in &loads {
        let mut rounds = vec![Vec::new(); args.buses.len()];
        for round in 1..=args.rounds {
            // Interleaved, so a burst of noise from other processes hits every bus.
            for (&bus, outcomes) in args.buses.iter().zip(&mut rounds) {
                eprintln!(
                    "round {round}: {} at {} ...",
                    bus.name(),
                    report::load_label(load)
                );
                let outcome = cell::run(&ctx, bus, load, index).await;
                index += 1;
                eprintln!("  {outcome:?}");
                outcomes.push(outcome);
            }
        }
        for (&bus, outcomes) in args.buses.iter().zip(rounds) {
            if let Some(outcome) = median_round(load, outcomes) {
                results.push(CellResult {
                    bus,
                    load,
                    handlers: args.handlers,
                    outcome,
                });
            }
        }
    }
    server.stop(&mut notes);
    let targets = targets::evaluate(&results, &args.buses);
    let run = report::Run {
        machine: &machine,
        settings: report::Settings {
            warmup_s: args.warmup,
            seconds: args.seconds,
            rounds: args.rounds,
            handlers: args.handlers,
            early_retry_ms: args.early_retry_ms,
            flush: args.flush,
        },
        buses: &args.buses,
        loads: &loads,
        results: &results,
        targets: &targets,
        notes: &notes,
    };
    if args.json {
        eprint!("{}", report::human(&run));
        let json = serde_json::to_string_pretty(&report::json(&run)).context("rendering JSON")?;
        println!("{json}");
    } else {
        print!("{}", report::human(&run));
    }
    Ok(())
}
