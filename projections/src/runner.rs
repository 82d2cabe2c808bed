//! The runner: follows the log from a projection's checkpoint and applies events in
//! batches, each committed atomically with its checkpoint. `Progress` tells commands how
//! far it got, so a handler can answer only once its own writes are visible.

use std::sync::Arc;
use std::time::Duration;

use eventlog::{CategoryFilter, EventLog, RecordedEvent};
use futures::{FutureExt, StreamExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{Projection, ProjectionError, ReadModels, Tx, View};

/// Events applied per sled batch at most.
const BATCH: usize = 512;

/// How far a projection has applied the log: every position below `applied()` is in it.
#[derive(Clone, Debug)]
pub struct Progress {
    name: &'static str,
    applied: watch::Receiver<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProgressWaitError {
    /// The read model did not reach the position in time: answer 503, the write stands.
    #[error("read model {name} has applied up to {applied}, not yet position {position}")]
    Timeout {
        name: &'static str,
        position: u64,
        applied: u64,
    },
    /// The runner stopped: the service is unhealthy.
    #[error("read model {name} stopped")]
    Stopped { name: &'static str },
}

impl Progress {
    /// The next position the projection will apply.
    pub fn applied(&self) -> u64 {
        *self.applied.borrow()
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Waits until the event at `position` is applied, at most `timeout`.
    pub async fn wait_for(
        &self,
        position: u64,
        timeout: Duration,
    ) -> Result<(), ProgressWaitError> {
        let mut applied = self.applied.clone();
        let reached = tokio::time::timeout(timeout, applied.wait_for(|a| *a > position)).await;
        match reached {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(ProgressWaitError::Stopped { name: self.name }),
            Err(_) => Err(ProgressWaitError::Timeout {
                name: self.name,
                position,
                applied: self.applied(),
            }),
        }
    }
}

/// Applies `events` (those the projection's filter matches) to `tree` and commits them
/// with the checkpoint after the last one. Returns that checkpoint.
pub(crate) fn apply_events<P: Projection + ?Sized>(
    projection: &P,
    tree: &sled::Tree,
    events: &[RecordedEvent],
) -> Result<Option<u64>, ProjectionError> {
    let Some(last) = events.last() else {
        return Ok(None);
    };
    let filter = projection.filter();
    let mut tx = Tx::new(tree);
    for event in events.iter().filter(|e| filter.matches(&e.stream)) {
        projection.apply(event, &mut tx)?;
    }
    let checkpoint = last.position + 1;
    tx.commit(checkpoint)?;
    Ok(Some(checkpoint))
}

/// Applies everything the log holds beyond the view's checkpoint, now. Returns the new
/// checkpoint. For start-up and tests; the runner does the same continuously.
pub async fn catch_up<L: EventLog, P: Projection + ?Sized>(
    log: &L,
    projection: &P,
    view: &View,
) -> Result<u64, ProjectionError> {
    let tree = view.tree()?;
    let mut checkpoint = view.checkpoint()?;
    loop {
        let events = log
            .read_all(checkpoint, BATCH, &CategoryFilter::All)
            .await?;
        match apply_events(projection, &tree, &events)? {
            Some(next) => checkpoint = next,
            None => return Ok(checkpoint),
        }
    }
}

/// Starts the runner of `projection` on a tokio task. It continues from the checkpoint
/// (from the start of the log when the read model is empty) and stops when `shutdown`
/// turns true, or with the error that made it stop.
pub fn run_projection<L, P>(
    log: L,
    projection: Arc<P>,
    models: &ReadModels,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(Progress, JoinHandle<Result<(), ProjectionError>>), ProjectionError>
where
    L: EventLog,
    P: Projection,
{
    let name = projection.name();
    let view = models.view(name)?;
    let (progress_tx, progress_rx) = watch::channel(view.checkpoint()?);
    let progress = Progress {
        name,
        applied: progress_rx,
    };
    let task = tokio::spawn(async move {
        let result = follow(&log, &*projection, &view, &progress_tx, &mut shutdown).await;
        if let Err(error) = &result {
            tracing::error!(projection = name, %error, "read model runner stopped");
        }
        result
    });
    Ok((progress, task))
}

async fn follow<L: EventLog, P: Projection>(
    log: &L,
    projection: &P,
    view: &View,
    progress: &watch::Sender<u64>,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), ProjectionError> {
    // The outer loop starts over when a rebuild swapped in a new generation.
    loop {
        let generation = view.generation();
        let tree = view.tree()?;
        let from = view.checkpoint()?;
        progress.send_replace(from);
        let mut events = log.subscribe(from, CategoryFilter::All);
        loop {
            let first = tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => return Ok(()),
                item = events.next() => item,
            };
            let mut batch = match first {
                Some(event) => vec![event?],
                None => return Ok(()),
            };
            while batch.len() < BATCH {
                match events.next().now_or_never() {
                    Some(Some(event)) => batch.push(event?),
                    _ => break,
                }
            }
            if view.generation() != generation {
                break;
            }
            match apply_events(projection, &tree, &batch) {
                Ok(Some(next)) => {
                    progress.send_replace(next);
                }
                Ok(None) => {}
                Err(_) if view.generation() != generation => break,
                Err(error) => return Err(error),
            }
        }
    }
}
