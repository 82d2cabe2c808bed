//! sled 0.34 used as an event log. Keys in one tree: `e` + stream + 0 + revision (big
//! endian) holds the record, `p` + global position holds the record's stream key, and
//! `head` holds the next global position. One writer thread checks expected revisions,
//! puts a whole drained batch into one `sled::Batch`, calls `flush()` and then
//! `fdatasync`s sled's data file before answering: the same group commit as the others.
//!
//! Why the extra `fdatasync`: on Linux, sled 0.34's `flush()` ends in
//! `sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER)` (pagecache/iobuf.rs), which puts
//! the data on the device but neither flushes the device's write cache nor syncs file
//! metadata, so alone it is not durable on a disk with a write-back cache (ours has one).

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use anyhow::Context;
use eventlog::NewEvent;
use tokio::sync::oneshot;

use crate::batcher::Batcher;
use crate::driver::Target;
use crate::event::encode_record;

const HEAD_KEY: &[u8] = b"head";

struct SledRequest {
    stream: String,
    expected: Option<u64>,
    event: NewEvent,
    done: oneshot::Sender<Result<u64, String>>,
}

/// A sled database written by one group-committing thread.
pub struct SledLog {
    batcher: Batcher<SledRequest>,
}

impl SledLog {
    /// Opens (or creates) a sled database in `dir`.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let path = dir.join("sled");
        let db = sled::Config::new()
            .path(&path)
            .open()
            .context("opening sled")?;
        // sled keeps its log in `<path>/db` (sled 0.34 config.rs `db_path`); values this
        // small are stored inline there, never in `blobs/`.
        let data_file = File::open(path.join("db")).context("opening sled's data file")?;
        let next_position = match db.get(HEAD_KEY)? {
            Some(bytes) => u64::from_be_bytes(bytes.as_ref().try_into()?),
            None => 0,
        };
        let mut writer = SledWriter {
            db,
            data_file,
            heads: HashMap::new(),
            next_position,
        };
        let batcher = Batcher::spawn("sled-writer", move |batch| writer.commit(batch))
            .context("starting the sled writer thread")?;
        Ok(SledLog { batcher })
    }

    /// Stops the writer thread once everything queued is committed.
    pub fn close(self) -> anyhow::Result<()> {
        self.batcher.shutdown()
    }
}

struct SledWriter {
    db: sled::Db,
    /// A second handle on sled's data file, only to `fdatasync` it.
    data_file: File,
    /// Last revision per stream, `None` when the stream does not exist.
    heads: HashMap<String, Option<u64>>,
    next_position: u64,
}

impl SledWriter {
    fn commit(&mut self, requests: Vec<SledRequest>) {
        let mut batch = sled::Batch::default();
        let mut answers = Vec::with_capacity(requests.len());
        let position_before = self.next_position;
        let mut heads_before = Vec::new();
        for request in requests {
            let answer = self.stage(&mut batch, &request, &mut heads_before);
            answers.push((request.done, answer));
        }
        if self.next_position != position_before {
            batch.insert(HEAD_KEY, &self.next_position.to_be_bytes());
            if let Err(e) = self.durable_commit(batch) {
                let reason = format!("sled commit failed: {e}");
                // Nothing of this batch is acknowledged: forget what it staged.
                self.next_position = position_before;
                for (stream, head) in heads_before.into_iter().rev() {
                    self.heads.insert(stream, head);
                }
                for (_, answer) in &mut answers {
                    *answer = Err(reason.clone());
                }
            }
        }
        for (done, answer) in answers {
            let _ = done.send(answer);
        }
    }

    fn durable_commit(&self, batch: sled::Batch) -> anyhow::Result<()> {
        self.db.apply_batch(batch)?;
        self.db.flush()?;
        self.data_file.sync_data()?;
        Ok(())
    }

    /// Checks one request and adds it to `batch`; returns its global position.
    fn stage(
        &mut self,
        batch: &mut sled::Batch,
        request: &SledRequest,
        heads_before: &mut Vec<(String, Option<u64>)>,
    ) -> Result<u64, String> {
        let current = match self.heads.get(&request.stream) {
            Some(head) => *head,
            None => self.last_revision(&request.stream)?,
        };
        if current != request.expected {
            return Err(format!(
                "wrong expected revision on {}: expected {:?}, stream is at {:?}",
                request.stream, request.expected, current
            ));
        }
        let revision = current.map_or(0, |r| r + 1);
        let key = event_key(&request.stream, revision);
        let position = self.next_position;
        batch.insert(
            key.clone(),
            encode_record(&request.stream, revision, &request.event),
        );
        batch.insert(position_key(position), key);
        heads_before.push((request.stream.clone(), current));
        self.heads.insert(request.stream.clone(), Some(revision));
        self.next_position += 1;
        Ok(position)
    }

    fn last_revision(&self, stream: &str) -> Result<Option<u64>, String> {
        let prefix = event_key_prefix(stream);
        match self.db.scan_prefix(&prefix).next_back() {
            None => Ok(None),
            Some(Err(e)) => Err(format!("sled read failed: {e}")),
            Some(Ok((key, _))) => {
                let tail: [u8; 8] = key[prefix.len()..]
                    .try_into()
                    .map_err(|_| format!("malformed sled key for stream {stream}"))?;
                Ok(Some(u64::from_be_bytes(tail)))
            }
        }
    }
}

fn event_key_prefix(stream: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(stream.len() + 10);
    key.push(b'e');
    key.extend_from_slice(stream.as_bytes());
    key.push(0);
    key
}

fn event_key(stream: &str, revision: u64) -> Vec<u8> {
    let mut key = event_key_prefix(stream);
    key.extend_from_slice(&revision.to_be_bytes());
    key
}

fn position_key(position: u64) -> Vec<u8> {
    let mut key = vec![b'p'];
    key.extend_from_slice(&position.to_be_bytes());
    key
}

impl Target for SledLog {
    async fn append(
        &self,
        _writer: usize,
        stream: &str,
        expected: Option<u64>,
        event: NewEvent,
    ) -> anyhow::Result<()> {
        let (done, answer) = oneshot::channel();
        self.batcher.send(SledRequest {
            stream: stream.to_string(),
            expected,
            event,
            done,
        })?;
        answer
            .await
            .context("the sled writer dropped the request")?
            .map(|_position| ())
            .map_err(anyhow::Error::msg)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::driver::{Phases, run_cell};
    use crate::event::make_event;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn a_wrong_expected_revision_is_rejected_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let log = SledLog::open(dir.path()).unwrap();
        log.append(0, "bench-a", None, make_event(0, 0))
            .await
            .unwrap();
        let stale = log.append(0, "bench-a", None, make_event(0, 0)).await;
        assert!(
            stale
                .unwrap_err()
                .to_string()
                .contains("wrong expected revision")
        );
        log.append(0, "bench-a", Some(0), make_event(0, 1))
            .await
            .unwrap();
        log.close().unwrap();
        let db = sled::open(dir.path().join("sled")).unwrap();
        assert_eq!(db.scan_prefix(event_key_prefix("bench-a")).count(), 2);
        assert_eq!(
            db.get(HEAD_KEY).unwrap().unwrap().as_ref(),
            2u64.to_be_bytes()
        );
    }

    #[tokio::test]
    async fn a_reopened_log_continues_the_stream_and_the_global_order() {
        let dir = tempfile::tempdir().unwrap();
        let log = SledLog::open(dir.path()).unwrap();
        log.append(0, "bench-a", None, make_event(0, 0))
            .await
            .unwrap();
        log.close().unwrap();
        let log = SledLog::open(dir.path()).unwrap();
        let again = log.append(0, "bench-a", None, make_event(0, 0)).await;
        assert!(again.is_err());
        log.append(0, "bench-a", Some(0), make_event(0, 1))
            .await
            .unwrap();
        log.close().unwrap();
        let db = sled::open(dir.path().join("sled")).unwrap();
        let stream_key = db.get(position_key(1)).unwrap().unwrap();
        assert_eq!(stream_key.as_ref(), event_key("bench-a", 1).as_slice());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writers_append_with_exact_revisions_and_are_measured() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(SledLog::open(dir.path()).unwrap());
        let phases = Phases {
            warmup: Duration::from_millis(100),
            measure: Duration::from_millis(300),
        };
        let measured = run_cell(log.clone(), 8, phases).await.unwrap();
        assert!(measured.events > 0);
        assert_eq!(measured.latency_us.len(), measured.events);
        assert!(measured.elapsed >= Duration::from_millis(250));
        Arc::try_unwrap(log).ok().unwrap().close().unwrap();
    }
}
