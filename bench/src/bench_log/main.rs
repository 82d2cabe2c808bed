//! `bench-log`: durable single-event appends of the embedded file log against its peers
//! (the raw write+fdatasync ceiling, sled, PostgreSQL), side by side in one run.
//!
//! Run: `cargo run --release -p bench --bin bench-log -- [--json] [--seconds N]
//! [--writers 1,16,256] [--systems filelog,raw,sled,postgres] [--pg-url URL]`.
//! The human report goes to stdout; with `--json` stdout holds one JSON object and
//! everything else goes to stderr.
//!
//! # Layout
//! - `driver`: the writer tasks and the measured window, over the `Target` trait.
//! - `event`: the ~200-byte event every system appends.
//! - `batcher`: the group-commit writer thread shared by `raw` and `sled_log`.
//! - `filelog`, `raw`, `sled_log`, `postgres`: one peer each.
//! - `system`: the list of peers and how one cell of each is run.
//! - `stats`, `targets`, `report`: numbers, target checks and their rendering.
//! - `machine`: machine facts and the choice of a data directory on a real disk.

mod batcher;
mod driver;
mod event;
mod filelog;
mod machine;
mod postgres;
mod raw;
mod report;
mod sled_log;
mod stats;
mod system;
mod targets;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::driver::Phases;
use crate::machine::{Machine, choose_data_dir};
use crate::postgres::PgBench;
use crate::stats::{CellResult, median_round};
use crate::system::{RunContext, System, run_system};

/// Where the PostgreSQL peer is expected when neither --pg-url nor PG_URL says otherwise.
pub const DEFAULT_PG_URL: &str = "host=127.0.0.1 port=5432 user=postgres dbname=postgres";

#[derive(Debug, Parser)]
#[command(about = "Durable event appends: file log vs raw fdatasync vs sled vs PostgreSQL")]
struct Args {
    /// Print one JSON object on stdout (everything else on stderr).
    #[arg(long)]
    json: bool,
    /// Measured seconds per cell (after the warm-up).
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Warm-up seconds per cell, not measured.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Runs of every cell, interleaved across systems; the median-throughput round is
    /// reported (use 3 on a noisy machine).
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Concurrent writers per cell, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16,256")]
    writers: Vec<usize>,
    /// Systems to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "filelog,raw,sled,postgres", value_parser = System::parse)]
    systems: Vec<System>,
    /// PostgreSQL connection string (libpq key=value or URL).
    #[arg(long, env = "PG_URL", default_value = DEFAULT_PG_URL)]
    pg_url: String,
    /// Most PostgreSQL connections to open (one per writer up to this).
    #[arg(long, default_value_t = 64)]
    pg_pool: usize,
    /// Directory on a real disk for the file-backed peers (default: $TMPDIR unless it is
    /// tmpfs, else ./bench-data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.seconds > 0.0 && args.warmup >= 0.0,
        "--seconds must be > 0"
    );
    anyhow::ensure!(!args.writers.contains(&0), "--writers must be >= 1");
    anyhow::ensure!(args.rounds >= 1, "--rounds must be >= 1");
    let data_dir = choose_data_dir(args.data_dir.clone())?;
    let machine = Machine::describe(data_dir.clone());
    let phases = Phases {
        warmup: Duration::from_secs_f64(args.warmup),
        measure: Duration::from_secs_f64(args.seconds),
    };
    let mut notes = Vec::new();
    let postgres = connect_postgres(&args, &mut notes).await;
    let ctx = RunContext {
        data_dir,
        phases,
        postgres,
    };
    let mut results = Vec::new();
    for &writers in &args.writers {
        let mut rounds = vec![Vec::new(); args.systems.len()];
        for round in 1..=args.rounds {
            // Interleaved, so a burst of noise from other processes hits every system.
            for (&system, outcomes) in args.systems.iter().zip(&mut rounds) {
                eprintln!(
                    "round {round}: {} with {writers} writers ...",
                    system.name()
                );
                let outcome = run_system(system, writers, &ctx).await;
                eprintln!("  {outcome:?}");
                outcomes.push(outcome);
            }
        }
        for (&system, outcomes) in args.systems.iter().zip(rounds) {
            if let Some(outcome) = median_round(outcomes) {
                results.push(CellResult {
                    system,
                    writers,
                    outcome,
                });
            }
        }
    }
    if let Ok(pg) = &ctx.postgres
        && let Err(e) = pg.drop_table().await
    {
        eprintln!("warning: {e:#}");
    }
    let targets = targets::evaluate(&results, &args.writers);
    let run = report::Run {
        machine: &machine,
        seconds: args.seconds,
        rounds: args.rounds,
        writer_counts: &args.writers,
        systems: &args.systems,
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

/// Connects the PostgreSQL peer if it is selected; an unreachable server only skips it.
async fn connect_postgres(args: &Args, notes: &mut Vec<String>) -> Result<PgBench, String> {
    if !args.systems.contains(&System::Postgres) {
        return Err("not selected".to_string());
    }
    let wanted = args
        .writers
        .iter()
        .copied()
        .max()
        .unwrap_or(1)
        .min(args.pg_pool);
    match PgBench::connect(&args.pg_url, wanted).await {
        Ok(pg) => {
            let d = &pg.durability;
            notes.push(format!(
                "postgres {}: synchronous_commit={}, fsync={}, {} connections, table {} (dropped at the end)",
                d.version,
                d.synchronous_commit,
                d.fsync,
                pg.pool_size(),
                pg.table()
            ));
            if !d.is_durable() {
                notes.push("WARNING: postgres does not fsync before acknowledging: its numbers are NOT durable".into());
            }
            Ok(pg)
        }
        Err(e) => {
            let reason = format!("PostgreSQL unreachable at {:?}: {e:#}", args.pg_url);
            eprintln!("note: {reason}; its rows are marked skipped");
            notes.push(reason.clone());
            Err(reason)
        }
    }
}
