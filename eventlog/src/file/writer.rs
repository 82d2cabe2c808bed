//! The writer thread, first half of group commit: it drains every pending request,
//! decides each in order (against the committed index plus what it wrote but the syncer
//! has not yet published), encodes the accepted records and writes them with one
//! `pwrite`, then hands the batch to the syncer. While the syncer waits on
//! `fdatasync`, the writer is already writing the next batch, so one sync covers
//! everything that arrived during the previous one.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::oneshot;

use super::admit::{Pending, Target};
use super::segment::create_segment;
use super::shared::Shared;
use super::sync::{Batch, Reply, copy_io};
use crate::{ExpectedRevision, LogError, NewEvent};

/// Upper bound on requests per batch, so one batch's buffer stays reasonable.
const MAX_BATCH: usize = 8192;

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
    pub to_syncer: Sender<Batch>,
    pub file: Arc<File>,
    pub segment: u32,
    pub offset: u64,
    pub segment_size: u64,
}

impl Writer {
    pub fn run(mut self) {
        let mut msgs: Vec<Msg> = Vec::with_capacity(1024);
        let mut buf: Vec<u8> = Vec::with_capacity(1024 * 1024);
        let mut pending = Pending::default();
        loop {
            match self.rx.recv() {
                Ok(msg) => msgs.push(msg),
                Err(_) => return,
            }
            while msgs.len() < MAX_BATCH && !matches!(msgs.last(), Some(Msg::Close(_))) {
                match self.rx.try_recv() {
                    Ok(msg) => msgs.push(msg),
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            let mut batch = Batch {
                file: Arc::clone(&self.file),
                output: Default::default(),
                replies: Vec::with_capacity(msgs.len()),
                close: None,
            };
            if let Err(e) = self.roll_if_full() {
                fail(msgs.drain(..), &e);
                return;
            }
            batch.file = Arc::clone(&self.file);
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
                pending.begin(&index);
                for msg in msgs.drain(..) {
                    match msg {
                        Msg::Append {
                            stream,
                            expected,
                            events,
                            reply,
                        } => {
                            let result =
                                pending.admit(&index, &mut target, &stream, expected, &events);
                            batch.replies.push((reply, result));
                        }
                        Msg::Close(done) => batch.close = Some(done),
                    }
                }
            }
            batch.output = pending.take_batch();
            let closing = batch.close.is_some();
            if let Err(e) = self.write(&buf) {
                tracing::error!(error = %e, "the log writer stops after a failed write");
                for (reply, _) in batch.replies.drain(..) {
                    let _ = reply.send(Err(copy_io(&e)));
                }
                batch.output = Default::default();
                let _ = self.to_syncer.send(batch);
                return;
            }
            if self.to_syncer.send(batch).is_err() || closing {
                // The syncer stopped (after a failed sync) or the log is closing: requests
                // still queued are dropped and their callers get `Closed`.
                return;
            }
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

    fn write(&mut self, buf: &[u8]) -> Result<(), LogError> {
        if buf.is_empty() {
            return Ok(());
        }
        let context = || format!("writing segment {} at offset {}", self.segment, self.offset);
        self.file
            .write_all_at(buf, self.offset)
            .map_err(|e| LogError::io(context(), e))?;
        self.offset += buf.len() as u64;
        Ok(())
    }
}

fn fail(msgs: impl Iterator<Item = Msg>, e: &LogError) {
    for msg in msgs {
        if let Msg::Append { reply, .. } = msg {
            let _ = reply.send(Err(copy_io(e)));
        }
    }
}
