//! The one writer thread: group commit. It drains every pending request, decides each
//! in order, writes all accepted records with one `pwrite` and one `fdatasync`, then
//! publishes the new head to readers and answers everyone. Nothing is acknowledged
//! before the sync; after an I/O error it stops, so later appends get `Closed`.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::oneshot;

use super::admit::{Pending, Target};
use super::index_file::IndexFiles;
use super::segment::create_segment;
use super::shared::Shared;
use crate::{AppendOutcome, ExpectedRevision, LogError, NewEvent};

/// Upper bound on requests per batch, so one batch's buffer stays reasonable.
const MAX_BATCH: usize = 8192;

pub type Reply = oneshot::Sender<Result<AppendOutcome, LogError>>;

pub enum Msg {
    Append {
        stream: String,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
        reply: Reply,
    },
    /// Commit what came before, release the lock, then answer.
    Close(oneshot::Sender<()>),
}

pub struct Writer {
    pub shared: Arc<Shared>,
    pub rx: Receiver<Msg>,
    pub file: Arc<File>,
    pub segment: u32,
    pub offset: u64,
    pub segment_size: u64,
    /// `None` after a failed index write: the log stays correct, the next open scans.
    pub index_files: Option<IndexFiles>,
    /// Held for the writer's lifetime: dropping it releases the directory lock.
    pub lock: File,
}

impl Writer {
    pub fn run(mut self) {
        let mut batch: Vec<Msg> = Vec::with_capacity(1024);
        let mut replies: Vec<(Reply, Result<AppendOutcome, LogError>)> = Vec::with_capacity(1024);
        let mut buf: Vec<u8> = Vec::with_capacity(1024 * 1024);
        let mut pending = Pending::default();
        let mut close: Option<oneshot::Sender<()>> = None;
        'serve: while close.is_none() {
            match self.rx.recv() {
                Ok(msg) => batch.push(msg),
                Err(_) => break,
            }
            while batch.len() < MAX_BATCH && !matches!(batch.last(), Some(Msg::Close(_))) {
                match self.rx.try_recv() {
                    Ok(msg) => batch.push(msg),
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            if let Err(e) = self.roll_if_full() {
                fail_all(batch.drain(..), &e);
                break 'serve;
            }
            buf.clear();
            let recorded_at_ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64);
            let mut target = Target {
                buf: &mut buf,
                segment: self.segment,
                offset: self.offset,
                recorded_at_ms,
            };
            {
                let index = self.shared.index();
                pending.reset(&index);
                for msg in batch.drain(..) {
                    match msg {
                        Msg::Append {
                            stream,
                            expected,
                            events,
                            reply,
                        } => {
                            let result =
                                pending.admit(&index, &mut target, &stream, expected, &events);
                            replies.push((reply, result));
                        }
                        Msg::Close(done) => close = Some(done),
                    }
                }
            }
            if let Err(e) = self.commit(&buf) {
                tracing::error!(error = %e, "the log writer stops after a failed write");
                for (reply, _) in replies.drain(..) {
                    let _ = reply.send(Err(copy_io(&e)));
                }
                break 'serve;
            }
            self.publish(&pending);
            for (reply, result) in replies.drain(..) {
                let _ = reply.send(result);
            }
            self.write_index(&pending);
        }
        self.shared.mark_closed();
        drop(self.lock);
        if let Some(done) = close {
            let _ = done.send(());
        }
    }

    fn roll_if_full(&mut self) -> Result<(), LogError> {
        if self.offset < self.segment_size || self.offset == 0 {
            return Ok(());
        }
        let next = self.segment + 1;
        let file = Arc::new(create_segment(&self.shared.dir, next)?);
        self.shared.index_mut().segments.push(Arc::clone(&file));
        self.file = file;
        self.segment = next;
        self.offset = 0;
        Ok(())
    }

    fn commit(&mut self, buf: &[u8]) -> Result<(), LogError> {
        if buf.is_empty() {
            return Ok(());
        }
        let context = || format!("segment {} at offset {}", self.segment, self.offset);
        self.file
            .write_all_at(buf, self.offset)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| LogError::io(context(), e))?;
        self.offset += buf.len() as u64;
        Ok(())
    }

    fn publish(&self, pending: &Pending) {
        if pending.entries.is_empty() {
            return;
        }
        let mut index = self.shared.index_mut();
        for name in &pending.new_streams {
            index.add_stream(name.clone());
        }
        for (entry, id) in &pending.entries {
            index.push(*entry, *id);
        }
        let head = index.head();
        drop(index);
        self.shared.head_tx.send_replace(head);
    }

    fn write_index(&mut self, pending: &Pending) {
        let Some(files) = self.index_files.as_mut() else {
            return;
        };
        if let Err(e) = files.append(&pending.new_streams, &pending.disk) {
            tracing::warn!(error = %e, "the on-disk index stops here; the next open scans the rest");
            self.index_files = None;
        }
    }
}

fn copy_io(e: &LogError) -> LogError {
    match e {
        LogError::Io { context, source } => LogError::io(
            context.clone(),
            std::io::Error::new(source.kind(), source.to_string()),
        ),
        _ => LogError::Closed,
    }
}

fn fail_all(batch: impl Iterator<Item = Msg>, e: &LogError) {
    for msg in batch {
        if let Msg::Append { reply, .. } = msg {
            let _ = reply.send(Err(copy_io(e)));
        }
    }
}
