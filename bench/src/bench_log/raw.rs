//! The physical ceiling: group commit with zero indexing. One writer thread drains every
//! pending append, writes their bytes as one buffer with one `write` and makes it durable
//! with one `fdatasync`, then answers. No revision check, no index, no checksum: no real
//! log can beat this with the same batch sizes on the same disk.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use eventlog::NewEvent;
use tokio::sync::oneshot;

use crate::batcher::Batcher;
use crate::driver::Target;
use crate::event::encode_record;

struct RawRequest {
    bytes: Vec<u8>,
    done: oneshot::Sender<Result<(), String>>,
}

/// An append-only file written by one group-committing thread.
pub struct RawLog {
    batcher: Batcher<RawRequest>,
    stats: Arc<SyncStats>,
}

/// What the writer thread saw: how often it synced, how long that took, batch sizes.
/// It tells how fast the disk was during the cell, which the other peers share.
#[derive(Default)]
struct SyncStats {
    syncs: AtomicU64,
    events: AtomicU64,
    write_and_sync_ns: AtomicU64,
}

impl RawLog {
    /// Creates `raw.log` in `dir` (which must be on the disk being measured).
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let path = dir.join("raw.log");
        let mut file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        let mut buffer = Vec::new();
        let stats = Arc::new(SyncStats::default());
        let seen = stats.clone();
        let batcher = Batcher::spawn("raw-writer", move |batch: Vec<RawRequest>| {
            buffer.clear();
            for request in &batch {
                buffer.extend_from_slice(&request.bytes);
            }
            let began = Instant::now();
            let result = write_and_sync(&mut file, &buffer).map_err(|e| e.to_string());
            let took = began.elapsed().as_nanos() as u64;
            seen.write_and_sync_ns.fetch_add(took, Ordering::Relaxed);
            seen.syncs.fetch_add(1, Ordering::Relaxed);
            seen.events.fetch_add(batch.len() as u64, Ordering::Relaxed);
            for request in batch {
                // A writer that gave up waiting is not an error of the log.
                let _ = request.done.send(result.clone());
            }
        })
        .context("starting the raw writer thread")?;
        Ok(RawLog { batcher, stats })
    }

    /// Syncs so far, mean events per sync and mean write+fdatasync time.
    pub fn sync_report(&self) -> String {
        let syncs = self.stats.syncs.load(Ordering::Relaxed).max(1);
        let events = self.stats.events.load(Ordering::Relaxed);
        let ns = self.stats.write_and_sync_ns.load(Ordering::Relaxed);
        format!(
            "{syncs} write+fdatasync calls (warm-up included), {:.1} events per sync, mean write+fdatasync {} µs",
            events as f64 / syncs as f64,
            ns / syncs / 1000
        )
    }

    /// Stops the writer thread once everything queued is written.
    pub fn close(self) -> anyhow::Result<()> {
        self.batcher.shutdown()
    }
}

fn write_and_sync(file: &mut File, buffer: &[u8]) -> std::io::Result<()> {
    file.write_all(buffer)?;
    // `sync_data` is `fdatasync` on Linux: data and the file size, not the mtime.
    file.sync_data()
}

impl Target for RawLog {
    async fn append(
        &self,
        _writer: usize,
        stream: &str,
        expected: Option<u64>,
        event: NewEvent,
    ) -> anyhow::Result<()> {
        let revision = expected.map_or(0, |r| r + 1);
        let (done, answer) = oneshot::channel();
        self.batcher.send(RawRequest {
            bytes: encode_record(stream, revision, &event),
            done,
        })?;
        answer
            .await
            .context("the raw writer dropped the request")?
            .map_err(|e| anyhow::anyhow!("raw write failed: {e}"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::event::make_event;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_acknowledged_append_is_in_the_file_exactly_once() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(RawLog::open(dir.path()).unwrap());
        let mut tasks = tokio::task::JoinSet::new();
        for writer in 0..16 {
            let log = log.clone();
            tasks.spawn(async move {
                let stream = format!("bench-{writer}");
                let mut written = Vec::new();
                for revision in 0..20u64 {
                    let event = make_event(writer, revision);
                    written.push(encode_record(&stream, revision, &event));
                    let expected = revision.checked_sub(1);
                    log.append(writer, &stream, expected, event).await.unwrap();
                }
                written
            });
        }
        let mut records = Vec::new();
        while let Some(written) = tasks.join_next().await {
            records.extend(written.unwrap());
        }
        assert_eq!(log.stats.events.load(Ordering::Relaxed), 320);
        assert!(log.stats.syncs.load(Ordering::Relaxed) <= 320);
        Arc::try_unwrap(log).ok().unwrap().close().unwrap();
        let file = std::fs::read(dir.path().join("raw.log")).unwrap();
        let mut on_disk = Vec::new();
        let mut at = 0;
        while at < file.len() {
            let len = u32::from_le_bytes(file[at..at + 4].try_into().unwrap()) as usize;
            on_disk.push(file[at..at + 8 + len].to_vec());
            at += 8 + len;
        }
        on_disk.sort();
        records.sort();
        assert_eq!(on_disk, records);
    }
}
