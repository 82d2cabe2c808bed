//! The systems compared, and how one cell of each is set up, run and torn down.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use crate::driver::{Phases, Target, run_cell};
use crate::postgres::PgBench;
use crate::raw::RawLog;
use crate::sled_log::SledLog;
use crate::stats::{Outcome, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    FileLog,
    Raw,
    Sled,
    Postgres,
}

impl System {
    pub const ALL: [System; 4] = [System::FileLog, System::Raw, System::Sled, System::Postgres];

    /// The name used on the command line and in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            System::FileLog => "filelog",
            System::Raw => "raw",
            System::Sled => "sled",
            System::Postgres => "postgres",
        }
    }

    pub fn parse(name: &str) -> Result<System, String> {
        System::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| format!("unknown system {name:?} (filelog, raw, sled, postgres)"))
    }

    /// What makes an acknowledgement of this system durable.
    pub fn durability(self) -> &'static str {
        match self {
            System::FileLog => "ack after fdatasync of the group-committed batch",
            System::Raw => "ack after one write + fdatasync per drained batch (the ceiling)",
            System::Sled => {
                "ack after sled flush() + fdatasync of its data file (flush() alone is sync_file_range)"
            }
            System::Postgres => "ack after COMMIT with synchronous_commit=on (WAL fsync)",
        }
    }
}

/// What every cell of one run shares.
pub struct RunContext {
    pub data_dir: PathBuf,
    pub phases: Phases,
    /// The PostgreSQL peer, or why it is not available.
    pub postgres: Result<PgBench, String>,
}

/// Runs one cell; errors become a `Failed` outcome so the other cells still run.
pub async fn run_system(system: System, writers: usize, ctx: &RunContext) -> Outcome {
    if let (System::Postgres, Err(reason)) = (system, &ctx.postgres) {
        return Outcome::Skipped(reason.clone());
    }
    let run = async {
        match system {
            System::FileLog => crate::filelog::run(ctx, writers).await,
            System::Raw => {
                let dir = fresh_dir(ctx)?;
                let log = Arc::new(RawLog::open(dir.path())?);
                let mut summary = measure(log.clone(), writers, ctx.phases).await?;
                summary.detail = Some(log.sync_report());
                close_blocking(log, RawLog::close).await?;
                Ok(summary)
            }
            System::Sled => {
                let dir = fresh_dir(ctx)?;
                let log = Arc::new(SledLog::open(dir.path())?);
                let summary = measure(log.clone(), writers, ctx.phases).await?;
                close_blocking(log, SledLog::close).await?;
                Ok(summary)
            }
            System::Postgres => {
                let pg = ctx.postgres.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
                pg.truncate().await?;
                let target = Arc::new(pg.target(writers));
                measure(target, writers, ctx.phases).await
            }
        }
    };
    match run.await {
        Ok(summary) => Outcome::Measured(summary),
        Err(e) => Outcome::Failed(format!("{e:#}")),
    }
}

/// Runs the writers against `target` and reduces what they measured.
pub async fn measure<T: Target>(
    target: Arc<T>,
    writers: usize,
    phases: Phases,
) -> anyhow::Result<Summary> {
    let measurement = run_cell(target, writers, phases).await?;
    Ok(Summary::of(&measurement))
}

/// A new empty directory under the run's data dir, removed when dropped.
pub fn fresh_dir(ctx: &RunContext) -> anyhow::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("bench-log-")
        .tempdir_in(&ctx.data_dir)
        .with_context(|| format!("creating a directory in {}", ctx.data_dir.display()))
}

/// Closes a peer whose writer thread must be joined, off the async workers.
async fn close_blocking<T: Send + Sync + 'static>(
    log: Arc<T>,
    close: fn(T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let log = Arc::try_unwrap(log)
        .map_err(|_| anyhow::anyhow!("a writer still holds the log after the cell"))?;
    tokio::task::spawn_blocking(move || close(log))
        .await
        .context("closing the log panicked")?
}
