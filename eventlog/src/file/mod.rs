//! The embedded file log: append-only segment files with a checksum per record, one
//! writer thread and one syncer thread doing pipelined group commit (`fdatasync` before
//! any acknowledgement), an in-memory index rebuilt on open from an on-disk index plus a
//! scan of the tail.
//!
//! Directory layout: `seg-NNNNNNNN.log` (records, see `format`), `index.dat` and
//! `streams.dat` (see `index_file`), `LOCK` (held by the one writing process).

mod admit;
mod event_log;
mod format;
mod index;
mod index_file;
mod read;
mod recovery;
mod scan;
mod segment;
mod shared;
mod subscribe;
mod sync;
mod writer;

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::sync::{Arc, mpsc};

use tokio::sync::oneshot;

use self::index_file::IndexFiles;
use self::shared::Shared;
use self::sync::Syncer;
use self::writer::{Msg, Writer};
use crate::LogError;

pub const LOCK_FILE: &str = "LOCK";

/// Tuning of a writable file log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLogOptions {
    /// A new segment file is started once the current one reaches this size (a batch is
    /// never split, so a segment may end a little past it).
    pub segment_size_bytes: u64,
}

impl Default for FileLogOptions {
    fn default() -> Self {
        FileLogOptions {
            segment_size_bytes: 256 * 1024 * 1024,
        }
    }
}

/// The file log. Clones share one log; the writer stops on `close` or when the last
/// clone is dropped.
#[derive(Clone)]
pub struct FileLog {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    /// `None` for a read-only log.
    writer: Option<mpsc::Sender<Msg>>,
}

impl std::fmt::Debug for FileLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileLog")
            .field("dir", &self.inner.shared.dir)
            .field("read_only", &self.inner.shared.read_only)
            .finish()
    }
}

impl FileLog {
    /// Opens (creating if needed) the log in `dir` for writing: takes the directory lock,
    /// recovers (cutting a torn tail) and starts the writer thread.
    pub fn open(dir: impl AsRef<Path>, options: FileLogOptions) -> Result<FileLog, LogError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)
            .map_err(|e| LogError::io(format!("creating {}", dir.display()), e))?;
        let lock = take_lock(dir)?;
        let loaded = recovery::load(dir, true)?;
        let mut index = loaded.index;
        let mut index_files = IndexFiles::open(
            dir,
            loaded.indexed_entries,
            &stream_names(&index, 0, loaded.indexed_streams),
        )?;
        let new_streams = stream_names(&index, loaded.indexed_streams, index.streams.len());
        let index_files = match index_files.append(&new_streams, &loaded.scanned) {
            Ok(()) => Some(index_files),
            Err(e) => {
                tracing::warn!(error = %e, "could not extend the on-disk index");
                None
            }
        };
        let segment = index.segments.len().saturating_sub(1) as u32;
        let file = Arc::new(segment::create_segment(dir, segment)?);
        let offset = segment::file_len(&file, dir, segment)?;
        index.segments.truncate(segment as usize);
        index.segments.push(Arc::clone(&file));
        let shared = Arc::new(Shared::new(dir.to_path_buf(), index, false));
        let (tx, rx) = mpsc::channel();
        let (to_syncer, from_writer) = mpsc::channel();
        let writer = Writer {
            shared: Arc::clone(&shared),
            rx,
            to_syncer,
            file,
            segment,
            offset,
            segment_size: options.segment_size_bytes.max(1),
        };
        let syncer = Syncer {
            shared: Arc::clone(&shared),
            rx: from_writer,
            index_files,
            lock,
        };
        let spawn = |name: &str, run: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(run)
                .map_err(|e| LogError::io(format!("starting the {name} thread"), e))
        };
        // The syncer first: if the writer cannot start, dropping it stops the syncer.
        spawn("eventlog-syncer", Box::new(move || syncer.run()))?;
        spawn("eventlog-writer", Box::new(move || writer.run()))?;
        Ok(FileLog {
            inner: Arc::new(Inner {
                shared,
                writer: Some(tx),
            }),
        })
    }

    /// Opens the log in `dir` for reading while another process may be writing it; it
    /// follows the writer's new records on each read. Appends fail with `ReadOnly`.
    pub fn open_read_only(dir: impl AsRef<Path>) -> Result<FileLog, LogError> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory");
            return Err(LogError::io(format!("opening {}", dir.display()), missing));
        }
        let loaded = recovery::load(dir, false)?;
        let shared = Arc::new(Shared::new(dir.to_path_buf(), loaded.index, true));
        Ok(FileLog {
            inner: Arc::new(Inner {
                shared,
                writer: None,
            }),
        })
    }

    /// Commits every append sent before this call, stops the writer and releases the
    /// directory lock. Later calls on any clone get `Closed`; subscriptions end.
    pub async fn close(&self) {
        let Some(writer) = &self.inner.writer else {
            self.inner.shared.mark_closed();
            return;
        };
        let (tx, rx) = oneshot::channel();
        if writer.send(Msg::Close(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// Group commits (rounds of `fdatasync`) since open: appended events divided by
    /// this is the average batch, which benchmarks compare with a raw write+sync loop.
    pub fn group_commits(&self) -> u64 {
        self.inner
            .shared
            .syncs
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The directory of this log.
    pub fn dir(&self) -> &Path {
        &self.inner.shared.dir
    }

    fn readable(&self) -> Result<&Arc<Shared>, LogError> {
        let shared = &self.inner.shared;
        shared.ensure_open()?;
        shared.refresh()?;
        Ok(shared)
    }
}

fn take_lock(dir: &Path) -> Result<File, LogError> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| LogError::io(format!("opening {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(LogError::Locked { path }),
        Err(TryLockError::Error(e)) => Err(LogError::io(format!("locking {}", path.display()), e)),
    }
}

fn stream_names(index: &index::Index, from: usize, to: usize) -> Vec<String> {
    index.streams[from..to]
        .iter()
        .map(|s| s.name.clone())
        .collect()
}
