//! The syncer thread, second half of group commit: it takes every batch the writer has
//! written so far, makes them durable with one `fdatasync` per segment file touched,
//! publishes them to readers and only then answers their callers. After a failed sync
//! it answers that group with the error and stops: nothing later is acknowledged.

use std::fs::File;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use tokio::sync::oneshot;

use super::admit::BatchOutput;
use super::index_file::IndexFiles;
use super::shared::Shared;
use crate::{AppendOutcome, LogError};

pub type Reply = oneshot::Sender<Result<AppendOutcome, LogError>>;

/// One written (not yet durable) batch.
pub struct Batch {
    pub file: Arc<File>,
    pub output: BatchOutput,
    pub replies: Vec<(Reply, Result<AppendOutcome, LogError>)>,
    pub close: Option<oneshot::Sender<()>>,
}

pub struct Syncer {
    pub shared: Arc<Shared>,
    pub rx: Receiver<Batch>,
    /// `None` after a failed index write: the log stays correct, the next open scans.
    pub index_files: Option<IndexFiles>,
    /// Held for the log's lifetime: dropping it releases the directory lock.
    pub lock: File,
}

impl Syncer {
    pub fn run(mut self) {
        let mut group: Vec<Batch> = Vec::new();
        let mut close = None;
        while close.is_none() {
            match self.rx.recv() {
                Ok(batch) => group.push(batch),
                Err(_) => break,
            }
            while let Ok(batch) = self.rx.try_recv() {
                group.push(batch);
            }
            if let Err(e) = sync_files(&group) {
                tracing::error!(error = %e, "the log stops after a failed fdatasync");
                for batch in group.drain(..) {
                    for (reply, _) in batch.replies {
                        let _ = reply.send(Err(copy_io(&e)));
                    }
                    close = close.or(batch.close);
                }
                break;
            }
            self.shared
                .syncs
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.publish(&group);
            for batch in &mut group {
                for (reply, result) in batch.replies.drain(..) {
                    let _ = reply.send(result);
                }
                close = close.or(batch.close.take());
            }
            self.write_index(&group);
            group.clear();
        }
        self.shared.mark_closed();
        drop(self.rx);
        drop(self.lock);
        if let Some(done) = close {
            let _ = done.send(());
        }
    }

    fn publish(&self, group: &[Batch]) {
        if group.iter().all(|b| b.output.entries.is_empty()) {
            return;
        }
        let mut index = self.shared.index_mut();
        for batch in group {
            for name in &batch.output.new_streams {
                index.add_stream(name.clone());
            }
            for (entry, id) in &batch.output.entries {
                index.push(*entry, *id);
            }
        }
        let head = index.head();
        drop(index);
        self.shared.head_tx.send_replace(head);
    }

    fn write_index(&mut self, group: &[Batch]) {
        let Some(files) = self.index_files.as_mut() else {
            return;
        };
        for batch in group {
            if let Err(e) = files.append(&batch.output.new_streams, &batch.output.disk) {
                tracing::warn!(error = %e, "the on-disk index stops here; the next open scans the rest");
                self.index_files = None;
                return;
            }
        }
    }
}

/// One `fdatasync` per distinct segment file in the group (usually one).
fn sync_files(group: &[Batch]) -> Result<(), LogError> {
    let mut last: Option<&Arc<File>> = None;
    for batch in group.iter().filter(|b| !b.output.entries.is_empty()) {
        if last.is_some_and(|f| Arc::ptr_eq(f, &batch.file)) {
            continue;
        }
        batch
            .file
            .sync_data()
            .map_err(|e| LogError::io("fdatasync of a segment", e))?;
        last = Some(&batch.file);
    }
    Ok(())
}

pub fn copy_io(e: &LogError) -> LogError {
    match e {
        LogError::Io { context, source } => LogError::io(
            context.clone(),
            std::io::Error::new(source.kind(), source.to_string()),
        ),
        _ => LogError::Closed,
    }
}
