//! Which revision of each writer's stream the read model holds, so a closed-loop writer
//! can wait for its own event and the end of a cell can wait for every event.

use std::time::Duration;

use tokio::sync::watch;

/// One counter per writer: the number of its events applied (its revision + 1).
pub struct Progress {
    applied: Vec<watch::Sender<u64>>,
}

impl Progress {
    pub fn new(writers: usize) -> Self {
        Progress {
            applied: (0..writers).map(|_| watch::Sender::new(0)).collect(),
        }
    }

    /// Revision `revision` of `writer`'s stream is in the read model (the apply accepts
    /// revisions in order, so every earlier one is too).
    pub fn applied(&self, writer: usize, revision: u64) {
        if let Some(counter) = self.applied.get(writer) {
            counter.send_if_modified(|count| {
                let advanced = revision + 1 > *count;
                if advanced {
                    *count = revision + 1;
                }
                advanced
            });
        }
    }

    /// Waits until `writer` has `count` events applied; `false` after `timeout`.
    pub async fn wait(&self, writer: usize, count: u64, timeout: Duration) -> bool {
        let Some(counter) = self.applied.get(writer) else {
            return false;
        };
        let mut applied = counter.subscribe();
        tokio::time::timeout(timeout, applied.wait_for(|n| *n >= count))
            .await
            .is_ok_and(|waited| waited.is_ok())
    }

    /// Waits until every writer has the count in `appended` applied; the number of
    /// events still missing after `timeout` (0 when all arrived).
    pub async fn wait_all(&self, appended: &[u64], timeout: Duration) -> u64 {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut missing = 0;
        for (writer, &count) in appended.iter().enumerate() {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if !self.wait(writer, count, left).await {
                missing += count.saturating_sub(self.count(writer));
            }
        }
        missing
    }

    fn count(&self, writer: usize) -> u64 {
        self.applied.get(writer).map_or(0, |c| *c.borrow())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiting_ends_once_the_revision_is_applied_and_reports_what_is_missing() {
        let progress = Progress::new(2);
        progress.applied(0, 2);
        progress.applied(0, 1);
        assert!(progress.wait(0, 3, Duration::ZERO).await);
        assert!(!progress.wait(1, 1, Duration::from_millis(1)).await);
        progress.applied(1, 0);
        let missing = progress.wait_all(&[3, 4], Duration::from_millis(1)).await;
        assert_eq!(missing, 3);
    }
}
