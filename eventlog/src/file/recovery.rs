//! Opening a log: take the valid prefix of the on-disk index, then scan the segments
//! from there. A damaged tail (nothing valid after it) is cut at the start of its
//! append call; damage with valid records after it is `LogError::Corrupt`.

use std::path::Path;

use super::index::{Entry, Index};
use super::index_file::{DiskEntry, load_entries, load_streams};
use super::scan::scan_tail;
use super::segment::{file_len, open_segment};
use crate::LogError;

/// A loaded log and how much of it the on-disk index already covers.
pub struct Loaded {
    pub index: Index,
    /// `index.entries[..indexed_entries]` have a valid entry in `index.dat`.
    pub indexed_entries: u64,
    /// `index.streams[..indexed_streams]` have a valid entry in `streams.dat`.
    pub indexed_streams: usize,
    /// Entries found by scanning, for positions `indexed_entries..`.
    pub scanned: Vec<DiskEntry>,
}

/// Loads the log in `dir`. With `repair`, a damaged tail is cut from the files.
pub fn load(dir: &Path, repair: bool) -> Result<Loaded, LogError> {
    let mut index = Index::default();
    let mut lens = Vec::new();
    while let Some(file) = open_segment(dir, index.segments.len() as u32)? {
        lens.push(file_len(&file, dir, index.segments.len() as u32)?);
        index.segments.push(file);
    }
    let names = load_streams(dir)?;
    let disk = load_entries(dir)?;
    let mut keep = valid_prefix(&disk, &names, &lens);
    while keep > 0 && !matches_log(&index, &disk[keep - 1], keep as u64 - 1) {
        keep = start_of_call(&disk, keep - 1);
    }
    index.entries.reserve(keep);
    index.ids.reserve(keep);
    for entry in &disk[..keep] {
        let stream = entry.stream as usize;
        if stream == index.streams.len() {
            index.add_stream(names[stream].clone());
        }
        let revision = index.streams[stream].positions.len() as u64;
        index.push(to_entry(entry, revision), entry.id);
    }
    let indexed_streams = index.streams.len();
    let scanned = scan_tail(dir, &mut index, repair)?;
    Ok(Loaded {
        index,
        indexed_entries: keep as u64,
        indexed_streams,
        scanned,
    })
}

pub fn to_entry(entry: &DiskEntry, revision: u64) -> Entry {
    Entry {
        offset: entry.offset,
        revision,
        segment: entry.segment,
        len: entry.len,
        stream: entry.stream,
        crc: entry.crc,
        last_of_call: entry.last_of_call,
    }
}

/// Length of the longest prefix of `disk` that is structurally sound (records
/// contiguous, inside the segments, streams numbered in order of first appearance) and
/// ends with a complete append call.
fn valid_prefix(disk: &[DiskEntry], names: &[String], lens: &[u64]) -> usize {
    let mut streams = 0usize;
    let mut end_of_last_call = 0;
    let mut prev: Option<&DiskEntry> = None;
    for (i, entry) in disk.iter().enumerate() {
        let contiguous = match prev {
            None => entry.segment == 0 && entry.offset == 0,
            Some(p) if p.segment == entry.segment => entry.offset == p.offset + u64::from(p.len),
            Some(p) => {
                entry.segment == p.segment + 1
                    && entry.offset == 0
                    && lens[p.segment as usize] == p.offset + u64::from(p.len)
            }
        };
        let inside = lens
            .get(entry.segment as usize)
            .is_some_and(|&len| entry.offset + u64::from(entry.len) <= len);
        let stream = entry.stream as usize;
        if !contiguous || !inside || stream > streams || stream >= names.len() {
            break;
        }
        if stream == streams {
            streams += 1;
        }
        if entry.last_of_call {
            end_of_last_call = i + 1;
        }
        prev = Some(entry);
    }
    end_of_last_call
}

/// Index of the first entry of the call that contains `disk[at]`.
fn start_of_call(disk: &[DiskEntry], at: usize) -> usize {
    let mut start = at;
    while start > 0 && !disk[start - 1].last_of_call {
        start -= 1;
    }
    start
}

/// True if the record `entry` points at is the one the entry describes.
fn matches_log(index: &Index, entry: &DiskEntry, position: u64) -> bool {
    let Some(file) = index.segments.get(entry.segment as usize) else {
        return false;
    };
    let mut bytes = vec![0u8; entry.len as usize];
    if std::os::unix::fs::FileExt::read_exact_at(&**file, &mut bytes, entry.offset).is_err() {
        return false;
    }
    super::format::decode(&bytes)
        .is_ok_and(|r| r.crc == entry.crc && r.id == entry.id && r.position == position)
}
