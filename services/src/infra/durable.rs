//! Making sled writes durable before a delivery is acknowledged.
//!
//! Not `flush_async`: in sled 0.34.7 several concurrent `flush_async` calls can deadlock
//! sled's shared I/O pool for good (spacejam/sled#1308, seen here under load). A blocking
//! `flush` on tokio's blocking pool does not. Handlers that store concurrently share one
//! flush through a `GroupFlush` (group commit for sled), instead of one flush each.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::ServiceError;

/// Flushes `tree` to disk off the async threads.
pub async fn flush_durably(tree: &sled::Tree) -> Result<(), ServiceError> {
    let tree = tree.clone();
    tokio::task::spawn_blocking(move || tree.flush())
        .await
        .map_err(|e| ServiceError::Store(format!("flush task failed: {e}")))??;
    Ok(())
}

/// Group flushing of one sled tree: every caller's writes are on disk when its `flush`
/// returns, and callers that arrive while a flush runs share the next one.
#[derive(Clone)]
pub struct GroupFlush {
    tree: sled::Tree,
    shared: Arc<Shared>,
}

struct Shared {
    /// Tickets handed out: a caller's writes happened before it took its ticket.
    requested: AtomicU64,
    /// Every ticket up to this one is covered by a finished flush.
    completed: AtomicU64,
    /// One flush at a time.
    running: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for GroupFlush {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupFlush")
            .field("completed", &self.shared.completed.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

impl GroupFlush {
    pub fn new(tree: sled::Tree) -> Self {
        GroupFlush {
            tree,
            shared: Arc::new(Shared {
                requested: AtomicU64::new(0),
                completed: AtomicU64::new(0),
                running: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Returns once everything written to the tree before this call is on disk.
    pub async fn flush(&self) -> Result<(), ServiceError> {
        let ticket = self.shared.requested.fetch_add(1, Ordering::AcqRel) + 1;
        let _running = self.shared.running.lock().await;
        if self.shared.completed.load(Ordering::Acquire) >= ticket {
            // A flush that started after our writes has finished meanwhile.
            return Ok(());
        }
        // Every ticket taken so far belongs to writes already made: this flush covers them.
        let covered = self.shared.requested.load(Ordering::Acquire);
        flush_durably(&self.tree).await?;
        self.shared.completed.fetch_max(covered, Ordering::AcqRel);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_flushes_and_all_return_after_their_writes() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let tree = db.open_tree("t").unwrap();
        let group = GroupFlush::new(tree.clone());
        let mut tasks = Vec::new();
        for i in 0..64u32 {
            let (group, tree) = (group.clone(), tree.clone());
            tasks.push(tokio::spawn(async move {
                tree.insert(i.to_be_bytes(), &[1]).unwrap();
                group.flush().await.unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(group.shared.completed.load(Ordering::Acquire), 64);
        assert_eq!(tree.len(), 64);
    }
}
