//! Walking the records after the last indexed one: complete append calls are added to
//! the index; a damaged tail (nothing valid after it) is cut at the start of its call;
//! damage with valid records after it is `LogError::Corrupt`, never skipped.

use std::fs::OpenOptions;
use std::path::Path;

use super::format::{Damage, RawRecord};
use super::index::Index;
use super::index_file::DiskEntry;
use super::recovery::to_entry;
use super::segment::{
    WalkStop, file_len, open_segment, segment_path, sync_dir, valid_record_after, walk,
};
use crate::LogError;

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
        record: &RawRecord<'_>,
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
                // A writer finishes a segment before it creates the next one: looked at
                // in this order, a segment that grew since it was measured is re-read.
                if file_len(&file, dir, segment)? > end {
                    offset = end;
                    continue;
                }
                segment += 1;
                offset = 0;
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
