//! Opening a log: take the valid prefix of the on-disk index, then scan the segments
//! from there. A damaged tail (nothing valid after it) is cut at the start of its
//! append call; damage with valid records after it is `LogError::Corrupt`.

use std::fs::OpenOptions;
use std::path::Path;

use super::format::Damage;
use super::index::{Entry, Index};
use super::index_file::{DiskEntry, load_entries, load_streams};
use super::segment::{
    WalkStop, file_len, open_segment, segment_path, sync_dir, valid_record_after, walk,
};
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

fn to_entry(entry: &DiskEntry, revision: u64) -> Entry {
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

/// An append call being read back: kept only once its last record is seen.
#[derive(Default)]
struct PendingCall {
    start: u64,
    stream: String,
    stream_number: Option<u32>,
    entries: Vec<DiskEntry>,
}

impl PendingCall {
    fn accept(
        &mut self,
        index: &Index,
        segment: u32,
        offset: u64,
        record: &super::format::RawRecord<'_>,
    ) -> Result<(), Damage> {
        let expected = index.head() + self.entries.len() as u64;
        if record.position != expected {
            return Err(Damage::Invalid(format!(
                "record says position {} where {expected} was expected",
                record.position
            )));
        }
        let stream = record.stream_str()?;
        if self.entries.is_empty() {
            self.start = offset;
            stream.clone_into(&mut self.stream);
            self.stream_number = index.stream_number(stream);
        } else if self.stream != stream {
            return Err(Damage::Invalid("one append call names two streams".into()));
        }
        let base = self
            .stream_number
            .and_then(|n| index.last_revision(n))
            .map_or(0, |r| r + 1);
        if record.revision != base + self.entries.len() as u64 {
            return Err(Damage::Invalid(format!(
                "record says revision {} where {} was expected",
                record.revision,
                base + self.entries.len() as u64
            )));
        }
        self.entries.push(DiskEntry {
            offset,
            segment,
            len: record.total_len as u32,
            stream: 0,
            crc: record.crc,
            id: record.id,
            last_of_call: record.last_of_call(),
        });
        Ok(())
    }

    fn commit(&mut self, index: &mut Index, found: &mut Vec<DiskEntry>) {
        let stream = match self.stream_number {
            Some(n) => n,
            None => index.add_stream(std::mem::take(&mut self.stream)),
        };
        let base = index.last_revision(stream).map_or(0, |r| r + 1);
        for (i, mut entry) in self.entries.drain(..).enumerate() {
            entry.stream = stream;
            index.push(to_entry(&entry, base + i as u64), entry.id);
            found.push(entry);
        }
    }
}

/// Reads the records after the last one `index` knows, adds every complete call, and
/// returns their entries. Used on open and, read-only, to follow a running writer.
pub fn scan_tail(dir: &Path, index: &mut Index, repair: bool) -> Result<Vec<DiskEntry>, LogError> {
    let (mut segment, mut offset) = index
        .entries
        .last()
        .map_or((0, 0), |e| (e.segment, e.offset + u64::from(e.len)));
    let mut found = Vec::new();
    loop {
        let Some(file) = index.segments.get(segment as usize).cloned() else {
            return Ok(found);
        };
        let len = file_len(&file, dir, segment)?;
        let mut call = PendingCall::default();
        let walked = walk(&file, offset, len, |at, record| {
            call.accept(index, segment, at, record)?;
            if record.last_of_call() {
                call.commit(index, &mut found);
            }
            Ok(())
        });
        let (bad_offset, damage) = match walked {
            Ok(end) if call.entries.is_empty() => {
                if index.segments.len() as u32 <= segment + 1 {
                    match open_segment(dir, segment + 1)? {
                        Some(next) => index.segments.push(next),
                        None => return Ok(found),
                    }
                }
                segment += 1;
                offset = 0;
                let _ = end;
                continue;
            }
            Ok(end) => (
                end,
                Damage::Invalid("append call cut off at the end of its segment".into()),
            ),
            Err(WalkStop::Damaged { offset, damage }) => (offset, damage),
            Err(WalkStop::Io(e)) => {
                let path = segment_path(dir, segment);
                return Err(LogError::io(format!("reading {}", path.display()), e));
            }
        };
        let position = index.head() + call.entries.len() as u64;
        if valid_after(dir, index, segment, bad_offset, len)? {
            return Err(LogError::Corrupt {
                position,
                segment: segment_path(dir, segment),
                offset: bad_offset,
                reason: damage.to_string(),
            });
        }
        let cut = if call.entries.is_empty() {
            bad_offset
        } else {
            call.start
        };
        if repair {
            cut_tail(dir, index, segment, cut)?;
        }
        return Ok(found);
    }
}

/// True if a valid record follows the damage at `offset` in this or a later segment.
fn valid_after(
    dir: &Path,
    index: &Index,
    segment: u32,
    offset: u64,
    len: u64,
) -> Result<bool, LogError> {
    let io = |s: u32, e| LogError::io(format!("reading {}", segment_path(dir, s).display()), e);
    if valid_record_after(&index.segments[segment as usize], offset + 1, len)
        .map_err(|e| io(segment, e))?
    {
        return Ok(true);
    }
    let mut later = segment + 1;
    while let Some(file) = open_segment(dir, later)? {
        let len = file_len(&file, dir, later)?;
        if valid_record_after(&file, 0, len).map_err(|e| io(later, e))? {
            return Ok(true);
        }
        later += 1;
    }
    Ok(false)
}

/// Truncates `segment` at `cut` and removes the (record-less) segments after it.
fn cut_tail(dir: &Path, index: &mut Index, segment: u32, cut: u64) -> Result<(), LogError> {
    let path = segment_path(dir, segment);
    tracing::warn!(segment = %path.display(), offset = cut, "cutting a torn tail off the log");
    OpenOptions::new()
        .write(true)
        .open(&path)
        .and_then(|f| {
            f.set_len(cut)?;
            f.sync_all()
        })
        .map_err(|e| LogError::io(format!("truncating {}", path.display()), e))?;
    let mut later = segment + 1;
    while segment_path(dir, later).exists() {
        let path = segment_path(dir, later);
        std::fs::remove_file(&path)
            .map_err(|e| LogError::io(format!("removing {}", path.display()), e))?;
        later += 1;
    }
    index.segments.truncate(segment as usize + 1);
    sync_dir(dir)
}
