//! One cell: a fresh file log and read model, one bus topology, the handlers, the
//! writers for warm-up plus the measured window, a wait until every event is applied,
//! then everything stopped and the streams deleted, whatever happened.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use eventlog::{FileLog, FileLogOptions};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::cpu::Sample;
use crate::handler::{self, HandlerStats, Shared};
use crate::load::{self, Load};
use crate::progress::Progress;
use crate::read_model::{Flush, ReadModel};
use crate::stats::{Outcome, Summary};
use crate::topology::{BusKind, Topology};

/// What every cell of one run shares.
pub struct RunContext {
    pub data_dir: PathBuf,
    pub warmup: Duration,
    pub measure: Duration,
    pub handlers: usize,
    pub early_retry: Duration,
    pub flush: Flush,
    /// The NATS server's URL, or why there is none.
    pub nats_url: Result<String, String>,
    /// The local nats-server's pid, for its CPU use.
    pub server_pid: Option<u32>,
    /// Makes each cell's stream prefix unique on a shared server.
    pub run_id: String,
}

/// How long the end of a cell waits for the events still on their way, and how long a
/// closed-loop writer waits for its event.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the handlers get to finish the delivery in hand once stopped.
const HANDLER_STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs one cell; `index` makes its stream prefix unique within the run.
pub async fn run(ctx: &RunContext, bus: BusKind, load: Load, index: usize) -> Outcome {
    let url = match (&ctx.nats_url, bus) {
        (Err(why), BusKind::Nats) => return Outcome::Skipped(why.clone()),
        (Ok(url), BusKind::Nats) => Some(url.as_str()),
        (_, BusKind::Embedded) => None,
    };
    let prefix = format!("benchbus-{}-{index}", ctx.run_id);
    match run_cell(ctx, bus, load, url.map(|u| (u, prefix.as_str()))).await {
        Ok(summary) => Outcome::Measured(summary),
        Err(error) => Outcome::Failed(format!("{error:#}")),
    }
}

async fn run_cell(
    ctx: &RunContext,
    bus: BusKind,
    load: Load,
    nats: Option<(&str, &str)>,
) -> anyhow::Result<Summary> {
    let dir = tempfile::Builder::new()
        .prefix("bench-bus-")
        .tempdir_in(&ctx.data_dir)
        .with_context(|| format!("creating a cell directory in {}", ctx.data_dir.display()))?;
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default())
        .context("opening the file log")?;
    let models = sled::open(dir.path().join("read-model")).context("opening sled")?;
    let model = ReadModel::new(
        models.open_tree("copies").context("opening the tree")?,
        ctx.flush,
    );
    let topology = Topology::start(bus, &log, dir.path(), nats).await;
    let outcome = match topology {
        Ok(topology) => {
            let measured = measure(ctx, &topology, &log, model, load).await;
            let stopped = topology.stop().await;
            measured.and_then(|summary| stopped.map(|()| summary))
        }
        Err(error) => Err(error),
    };
    log.close().await;
    drop(models);
    outcome
}

async fn measure(
    ctx: &RunContext,
    topology: &Topology,
    log: &FileLog,
    model: ReadModel,
    load: Load,
) -> anyhow::Result<Summary> {
    let consumers = topology.consumers(ctx.handlers).await?;
    let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    let base = Instant::now();
    let shared = Arc::new(Shared {
        model,
        progress: Progress::new(load.writers()),
        base,
        window: (nanos(ctx.warmup), nanos(ctx.warmup + ctx.measure)),
        early_retry: ctx.early_retry,
    });
    let (stop, stopped) = watch::channel(false);
    let mut handlers = JoinSet::new();
    for consumer in consumers {
        handlers.spawn(handler::run(consumer, Arc::clone(&shared), stopped.clone()));
    }
    let mut cpu_before = None;
    let cpu_probe = async {
        tokio::time::sleep_until((base + ctx.warmup).into()).await;
        cpu_before = Some(Sample::take(ctx.server_pid));
    };
    let end = ctx.warmup + ctx.measure;
    let (appended, ()) = tokio::join!(load::run(load, log, &shared, end, DRAIN_TIMEOUT), cpu_probe);
    let cpu_after = Sample::take(ctx.server_pid);
    let missing = match &appended {
        Ok(appended) => {
            shared
                .progress
                .wait_all(&appended.per_writer, DRAIN_TIMEOUT)
                .await
        }
        Err(_) => 0,
    };
    stop.send_replace(true);
    let mut merged = HandlerStats::new()?;
    let mut handler_error = None;
    let joined_all = tokio::time::timeout(HANDLER_STOP_TIMEOUT, async {
        while let Some(joined) = handlers.join_next().await {
            match joined.context("a handler task panicked").and_then(|r| r) {
                Ok(stats) => merged.merge(&stats)?,
                Err(error) => {
                    if handler_error.is_none() {
                        handler_error = Some(error);
                    }
                }
            }
        }
        anyhow::Ok(())
    })
    .await;
    if joined_all.is_err() {
        handlers.abort_all();
        anyhow::bail!(
            "{} handler(s) still inside an apply {HANDLER_STOP_TIMEOUT:?} after the stop (a hung flush?)",
            handlers.len()
        );
    }
    joined_all??;
    let appended = appended?;
    if let Some(error) = handler_error {
        return Err(error.context("a handler failed"));
    }
    anyhow::ensure!(
        missing == 0,
        "{missing} appended events were not applied within {DRAIN_TIMEOUT:?} (relayed up to position {:?})",
        topology.relayed()
    );
    anyhow::ensure!(merged.measured > 0, "no event of the window was applied");
    let cpu = match cpu_before {
        Some(before) => cpu_after.usage_since(&before),
        None => Default::default(),
    };
    Ok(Summary::of(
        &merged,
        shared.window.0,
        ctx.measure.as_secs_f64(),
        appended.in_window,
        cpu,
    ))
}
