//! The clock: fires due timers. It sleeps until the earliest timer is due, at most
//! [`MAX_SLEEP`], or until the consumer stores a new one; it stops on shutdown.

use std::time::Duration;

use domain::reactions::expiration::timer_fired;
use domain::{Context, EventMetadata};
use tokio::sync::Notify;

use super::timers::{Timer, Timers};
use crate::infra::{CommandError, EventIds, Runtime, ServiceError, execute, now};

use std::sync::Arc;

/// The longest the clock sleeps without looking at the timers.
const MAX_SLEEP: Duration = Duration::from_millis(250);

/// Timers fired per look at the store.
const BATCH: usize = 64;

/// Runs until shutdown.
pub(crate) async fn run(runtime: Runtime, timers: Timers, wake: Arc<Notify>) {
    let mut shutdown = runtime.shutdown();
    loop {
        if runtime.is_stopping() {
            return;
        }
        if let Err(error) = fire_due(&runtime, &timers).await {
            tracing::warn!(%error, "firing expiration timers failed; will retry");
        }
        let sleep = match timers.earliest() {
            Ok(Some(timer)) => Duration::from_millis(now().millis_until(timer.due)).min(MAX_SLEEP),
            Ok(None) => MAX_SLEEP,
            Err(error) => {
                tracing::warn!(%error, "reading expiration timers failed; will retry");
                MAX_SLEEP
            }
        };
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return,
            () = tokio::time::sleep(sleep) => {}
            () = wake.notified() => {}
        }
    }
}

/// Fires every timer due now, batch after batch; stops at the first failure (the timer
/// stays and fires on a later look).
async fn fire_due(runtime: &Runtime, timers: &Timers) -> Result<(), ServiceError> {
    loop {
        let due = timers.due(now(), BATCH)?;
        let full = due.len() == BATCH;
        for timer in due {
            if runtime.is_stopping() {
                return Ok(());
            }
            fire(runtime, &timer).await?;
            timers.close(timer.order_id)?;
        }
        if !full {
            return Ok(());
        }
    }
}

/// Records `OrderExpirationDue` for the timer's order (nothing if already recorded).
async fn fire(runtime: &Runtime, timer: &Timer) -> Result<(), ServiceError> {
    let metadata = EventMetadata {
        correlation_id: timer.correlation_id,
        causation_id: timer.trigger_id,
        user_id: timer.user_id,
    };
    let ids = EventIds::DerivedFrom {
        trigger: timer.trigger_id,
        discriminator: "expiration/due",
    };
    let command = timer_fired(timer.order_id);
    let ctx = Context::at(now());
    let log = &runtime.log;
    match execute::<domain::Expiration, _>(log, timer.order_id, &ctx, &metadata, ids, |_| command)
        .await
    {
        Ok(_) => Ok(()),
        Err(CommandError::Rejected(never)) => match never {},
        Err(CommandError::Conflict { attempts }) => Err(ServiceError::Store(format!(
            "expiration-{} kept changing ({attempts} attempts)",
            timer.order_id
        ))),
        Err(CommandError::Service(error)) => Err(error),
    }
}
