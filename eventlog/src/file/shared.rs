//! The state the writer shares with readers and subscriptions.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tokio::sync::watch;

use super::index::Index;
use super::scan::scan_tail;
use crate::LogError;

pub struct Shared {
    pub dir: PathBuf,
    index: RwLock<Index>,
    /// The committed head, sent after the index is updated; wakes subscriptions.
    pub head_tx: watch::Sender<u64>,
    closed: AtomicBool,
    pub read_only: bool,
    /// Group commits (rounds of `fdatasync`) since open, for benchmarks.
    pub syncs: AtomicU64,
}

impl Shared {
    pub fn new(dir: PathBuf, index: Index, read_only: bool) -> Self {
        let head = index.head();
        Shared {
            dir,
            index: RwLock::new(index),
            head_tx: watch::Sender::new(head),
            closed: AtomicBool::new(false),
            read_only,
            syncs: AtomicU64::new(0),
        }
    }

    // A panic while holding the lock is a bug elsewhere; the index itself is only
    // changed by complete pushes, so readers may go on.
    pub fn index(&self) -> RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn index_mut(&self) -> RwLockWriteGuard<'_, Index> {
        self.index.write().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Marks the log closed and wakes every subscription so it can end.
    pub fn mark_closed(&self) {
        self.closed.store(true, Ordering::Release);
        self.head_tx.send_modify(|_| {});
    }

    pub fn ensure_open(&self) -> Result<(), LogError> {
        if self.is_closed() {
            return Err(LogError::Closed);
        }
        Ok(())
    }

    /// Read-only logs pick up what the writer process appended since the last look.
    pub fn refresh(&self) -> Result<(), LogError> {
        if !self.read_only {
            return Ok(());
        }
        let mut index = self.index_mut();
        let found = scan_tail(&self.dir, &mut index, false)?;
        let head = index.head();
        drop(index);
        if !found.is_empty() {
            self.head_tx.send_replace(head);
        }
        Ok(())
    }
}
