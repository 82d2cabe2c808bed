//! Segment files: naming, opening, and walking the records of one segment.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::format::{Damage, RawRecord, decode, peek_total_len};
use crate::LogError;

const SCAN_CHUNK: usize = 4 * 1024 * 1024;

pub fn segment_path(dir: &Path, segment: u32) -> PathBuf {
    dir.join(format!("seg-{segment:08}.log"))
}

/// Opens segment `segment` for reading, `None` if it does not exist.
pub fn open_segment(dir: &Path, segment: u32) -> Result<Option<Arc<File>>, LogError> {
    let path = segment_path(dir, segment);
    match File::open(&path) {
        Ok(file) => Ok(Some(Arc::new(file))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LogError::io(format!("opening {}", path.display()), e)),
    }
}

/// Creates (or opens) segment `segment` for appending and makes its name durable.
pub fn create_segment(dir: &Path, segment: u32) -> Result<File, LogError> {
    let path = segment_path(dir, segment);
    let ctx = || format!("creating {}", path.display());
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| LogError::io(ctx(), e))?;
    sync_dir(dir)?;
    Ok(file)
}

pub fn sync_dir(dir: &Path) -> Result<(), LogError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| LogError::io(format!("syncing directory {}", dir.display()), e))
}

pub fn file_len(file: &File, dir: &Path, segment: u32) -> Result<u64, LogError> {
    file.metadata().map(|m| m.len()).map_err(|e| {
        let path = segment_path(dir, segment);
        LogError::io(format!("reading the length of {}", path.display()), e)
    })
}

/// Why a walk over a segment stopped before its end.
#[derive(Debug)]
pub enum WalkStop {
    Damaged { offset: u64, damage: Damage },
    Io(std::io::Error),
}

/// Calls `visit(offset, record)` for each valid record from `offset` to `len`; returns
/// the offset after the last one. Stops at the first damaged record, or when `visit`
/// rejects one.
pub fn walk(
    file: &File,
    mut offset: u64,
    len: u64,
    mut visit: impl FnMut(u64, &RawRecord<'_>) -> Result<(), Damage>,
) -> Result<u64, WalkStop> {
    let mut buf: Vec<u8> = Vec::new();
    let mut buf_start = offset;
    loop {
        let at = (offset - buf_start) as usize;
        match decode(&buf[at..]) {
            Ok(record) => {
                visit(offset, &record).map_err(|damage| WalkStop::Damaged { offset, damage })?;
                offset += record.total_len as u64;
            }
            Err(Damage::Short) => {
                let buf_end = buf_start + buf.len() as u64;
                if buf_end >= len {
                    if at == buf.len() {
                        return Ok(offset);
                    }
                    let damage = Damage::Short;
                    return Err(WalkStop::Damaged { offset, damage });
                }
                buf.drain(..at);
                buf_start = offset;
                let wanted = peek_total_len(&buf).unwrap_or(0).max(SCAN_CHUNK);
                let more = (wanted as u64).min(len - buf_end) as usize;
                let old = buf.len();
                buf.resize(old + more, 0);
                file.read_exact_at(&mut buf[old..], buf_end)
                    .map_err(WalkStop::Io)?;
            }
            Err(damage) => return Err(WalkStop::Damaged { offset, damage }),
        }
    }
}

/// True if any valid record starts after `offset` in `file` (bytes up to `len`).
pub fn valid_record_after(file: &File, offset: u64, len: u64) -> std::io::Result<bool> {
    if offset >= len {
        return Ok(false);
    }
    let mut rest = vec![0u8; (len - offset) as usize];
    file.read_exact_at(&mut rest, offset)?;
    let magic = super::format::MAGIC.to_le_bytes();
    Ok(rest
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == magic)
        .any(|(i, _)| decode(&rest[i..]).is_ok()))
}
