//! The handle on a running relay: its progress, and stopping it.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::BusError;

/// A running relay.
#[derive(Debug)]
pub struct RelayHandle {
    stop: watch::Sender<bool>,
    published: watch::Receiver<u64>,
    task: JoinHandle<Result<(), BusError>>,
}

impl RelayHandle {
    pub(crate) fn new(
        stop: watch::Sender<bool>,
        published: watch::Receiver<u64>,
        task: JoinHandle<Result<(), BusError>>,
    ) -> Self {
        RelayHandle {
            stop,
            published,
            task,
        }
    }

    /// Every relayed event before this log position is stored in JetStream.
    pub fn published(&self) -> u64 {
        *self.published.borrow()
    }

    /// Waits until every relayed event before `position` is stored; `false` on timeout.
    pub async fn wait_until_published(&self, position: u64, timeout: Duration) -> bool {
        let mut published = self.published.clone();
        tokio::time::timeout(timeout, published.wait_for(|p| *p >= position))
            .await
            .is_ok_and(|outcome| outcome.is_ok())
    }

    /// Stops after the acknowledgements in flight (bounded wait) and saves the checkpoint.
    pub async fn stop(self) -> Result<(), BusError> {
        self.stop.send_replace(true);
        self.task
            .await
            .map_err(|e| BusError::Backend(format!("the relay task failed: {e}")))?
    }
}
