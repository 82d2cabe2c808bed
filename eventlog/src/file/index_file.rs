//! The on-disk index: `index.dat` (one fixed-size entry per event, in position order)
//! and `streams.dat` (stream names in order of first appearance; the stream number is the
//! place in this table).
//!
//! Both files are written after each batch without fsync: they only make opening fast.
//! On open their longest valid prefix (per-entry checksum, records contiguous, inside
//! the segment files) is taken, and the log is scanned from there.
//!
//! ```text
//! index entry (48 bytes): offset u64 | segment u32 | record length u32 | stream u32
//!                         | record crc u32 | event id [16] | flags u32 | entry crc u32
//! stream entry: name length u32 | name | crc32 of the name u32
//! ```

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use uuid::Uuid;

use super::format::{FLAG_LAST_OF_CALL, MAX_NAME_LEN, u32_at, u64_at};
use crate::LogError;

pub const INDEX_FILE: &str = "index.dat";
pub const STREAMS_FILE: &str = "streams.dat";
pub const ENTRY_LEN: usize = 48;

/// Where one event's record lives, as stored in `index.dat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskEntry {
    pub offset: u64,
    pub segment: u32,
    pub len: u32,
    pub stream: u32,
    pub crc: u32,
    pub id: Uuid,
    pub last_of_call: bool,
}

pub fn encode_entry(buf: &mut Vec<u8>, entry: &DiskEntry) {
    let start = buf.len();
    buf.extend_from_slice(&entry.offset.to_le_bytes());
    buf.extend_from_slice(&entry.segment.to_le_bytes());
    buf.extend_from_slice(&entry.len.to_le_bytes());
    buf.extend_from_slice(&entry.stream.to_le_bytes());
    buf.extend_from_slice(&entry.crc.to_le_bytes());
    buf.extend_from_slice(entry.id.as_bytes());
    let flags = if entry.last_of_call {
        u32::from(FLAG_LAST_OF_CALL)
    } else {
        0
    };
    buf.extend_from_slice(&flags.to_le_bytes());
    let crc = crc32fast::hash(&buf[start..]);
    buf.extend_from_slice(&crc.to_le_bytes());
}

fn decode_entry(bytes: &[u8]) -> Option<DiskEntry> {
    if crc32fast::hash(&bytes[..44]) != u32_at(bytes, 44) {
        return None;
    }
    let mut id = [0u8; 16];
    id.copy_from_slice(&bytes[24..40]);
    Some(DiskEntry {
        offset: u64_at(bytes, 0),
        segment: u32_at(bytes, 8),
        len: u32_at(bytes, 12),
        stream: u32_at(bytes, 16),
        crc: u32_at(bytes, 20),
        id: Uuid::from_bytes(id),
        last_of_call: u32_at(bytes, 40) & u32::from(FLAG_LAST_OF_CALL) != 0,
    })
}

pub fn encode_stream(buf: &mut Vec<u8>, name: &str) {
    buf.extend_from_slice(&(name.len() as u32).to_le_bytes());
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(&crc32fast::hash(name.as_bytes()).to_le_bytes());
}

/// Bytes the first `names` take in `streams.dat`.
pub fn streams_len(names: &[String]) -> u64 {
    names.iter().map(|n| 8 + n.len() as u64).sum()
}

fn read_whole(path: &Path) -> Result<Vec<u8>, LogError> {
    match File::open(path) {
        Ok(mut file) => {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)
                .map_err(|e| LogError::io(format!("reading {}", path.display()), e))?;
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(LogError::io(format!("opening {}", path.display()), e)),
    }
}

/// The entries of `index.dat` up to the first damaged one.
pub fn load_entries(dir: &Path) -> Result<Vec<DiskEntry>, LogError> {
    let bytes = read_whole(&dir.join(INDEX_FILE))?;
    let mut entries = Vec::with_capacity(bytes.len() / ENTRY_LEN);
    for chunk in bytes.chunks_exact(ENTRY_LEN) {
        match decode_entry(chunk) {
            Some(entry) => entries.push(entry),
            None => break,
        }
    }
    Ok(entries)
}

/// The names of `streams.dat` up to the first damaged one.
pub fn load_streams(dir: &Path) -> Result<Vec<String>, LogError> {
    let bytes = read_whole(&dir.join(STREAMS_FILE))?;
    let mut names = Vec::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let len = u32_at(&bytes, at) as usize;
        if len == 0 || len > MAX_NAME_LEN || at + 8 + len > bytes.len() {
            break;
        }
        let name = &bytes[at + 4..at + 4 + len];
        if crc32fast::hash(name) != u32_at(&bytes, at + 4 + len) {
            break;
        }
        match std::str::from_utf8(name) {
            Ok(name) => names.push(name.to_owned()),
            Err(_) => break,
        }
        at += 8 + len;
    }
    Ok(names)
}

/// The writer's handles on the two index files, positioned at their valid ends.
pub struct IndexFiles {
    entries: File,
    streams: File,
    buf: Vec<u8>,
}

impl IndexFiles {
    /// Opens both files and cuts them to `entry_count` entries and `stream_names`.
    pub fn open(dir: &Path, entry_count: u64, stream_names: &[String]) -> Result<Self, LogError> {
        let open = |name: &str, len: u64| -> Result<File, LogError> {
            let path = dir.join(name);
            let ctx = || format!("opening {}", path.display());
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| LogError::io(ctx(), e))?;
            file.set_len(len).map_err(|e| LogError::io(ctx(), e))?;
            Ok(file)
        };
        Ok(IndexFiles {
            entries: open(INDEX_FILE, entry_count * ENTRY_LEN as u64)?,
            streams: open(STREAMS_FILE, streams_len(stream_names))?,
            buf: Vec::with_capacity(64 * 1024),
        })
    }

    /// Appends new stream names first, so no entry on disk names an unknown stream.
    pub fn append(&mut self, new_streams: &[String], entries: &[DiskEntry]) -> std::io::Result<()> {
        if !new_streams.is_empty() {
            self.buf.clear();
            for name in new_streams {
                encode_stream(&mut self.buf, name);
            }
            self.streams.write_all(&self.buf)?;
        }
        self.buf.clear();
        for entry in entries {
            encode_entry(&mut self.buf, entry);
        }
        self.entries.write_all(&self.buf)
    }
}
