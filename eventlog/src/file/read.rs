//! Reads: find the records' locations in the index (briefly, under the read lock), then
//! `pread` them without any lock, verifying each record's checksum and position.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use super::format::decode;
use super::index::Index;
use super::segment::segment_path;
use super::shared::Shared;
use crate::{CategoryFilter, Direction, LogError, RecordedEvent, category_of};

/// Reads larger than this run on the blocking pool instead of the caller's task.
const INLINE_READ_BYTES: u64 = 256 * 1024;
/// Largest single `pread` when records are contiguous.
const MAX_RUN_BYTES: u64 = 1024 * 1024;
/// Entries examined per hold of the read lock by a filtered global read.
const SCAN_STEP: u64 = 16 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct Location {
    pub position: u64,
    pub segment: u32,
    pub offset: u64,
    pub len: u32,
    pub crc: u32,
}

/// Records to read, with the segment files they live in.
pub struct Plan {
    pub locations: Vec<Location>,
    files: Vec<Arc<File>>,
}

impl Plan {
    fn new(index: &Index) -> Self {
        Plan {
            locations: Vec::new(),
            files: index.segments.clone(),
        }
    }

    fn push(&mut self, index: &Index, position: u64) {
        if let Some(e) = index.entries.get(position as usize) {
            self.locations.push(Location {
                position,
                segment: e.segment,
                offset: e.offset,
                len: e.len,
                crc: e.crc,
            });
        }
    }

    fn bytes(&self) -> u64 {
        self.locations.iter().map(|l| u64::from(l.len)).sum()
    }
}

pub fn plan_stream(
    shared: &Shared,
    stream: &str,
    from: u64,
    direction: Direction,
    max: usize,
) -> Plan {
    let index = shared.index();
    let mut plan = Plan::new(&index);
    let Some(positions) = index
        .stream_number(stream)
        .and_then(|n| index.streams.get(n as usize))
        .map(|s| &s.positions)
    else {
        return plan;
    };
    let len = positions.len() as u64;
    let picked: Vec<u64> = match direction {
        Direction::Forwards if from < len => {
            let end = from.saturating_add(max as u64).min(len);
            positions[from as usize..end as usize].to_vec()
        }
        Direction::Backwards if len > 0 => {
            let start = from.min(len - 1) as usize;
            positions[..=start]
                .iter()
                .rev()
                .take(max)
                .copied()
                .collect()
        }
        _ => Vec::new(),
    };
    for position in picked {
        plan.push(&index, position);
    }
    plan
}

/// Up to `max` matching positions from `from` on, and the position to continue from.
pub fn plan_all(shared: &Shared, from: u64, max: usize, filter: &CategoryFilter) -> (Plan, u64) {
    let mut next = from;
    let mut plan = Plan::new(&shared.index());
    while plan.locations.len() < max {
        let index = shared.index();
        let head = index.head();
        if next >= head {
            break;
        }
        let stop = next.saturating_add(SCAN_STEP).min(head);
        while next < stop && plan.locations.len() < max {
            let entry = index.entries[next as usize];
            let matches = match filter {
                CategoryFilter::All => true,
                CategoryFilter::Categories(wanted) => {
                    let name = &index.streams[entry.stream as usize].name;
                    wanted.iter().any(|c| c == category_of(name))
                }
            };
            if matches {
                plan.push(&index, next);
            }
            next += 1;
        }
        plan.files.clone_from(&index.segments);
    }
    (plan, next)
}

/// Reads and verifies the planned records, on the blocking pool if they are many.
pub async fn fetch(shared: &Arc<Shared>, plan: Plan) -> Result<Vec<RecordedEvent>, LogError> {
    if plan.bytes() <= INLINE_READ_BYTES {
        return fetch_blocking(shared, &plan);
    }
    let shared = Arc::clone(shared);
    tokio::task::spawn_blocking(move || fetch_blocking(&shared, &plan))
        .await
        .map_err(|e| LogError::Backend(format!("read task failed: {e}")))?
}

fn fetch_blocking(shared: &Shared, plan: &Plan) -> Result<Vec<RecordedEvent>, LogError> {
    let mut events = Vec::with_capacity(plan.locations.len());
    let mut buf = Vec::new();
    let mut rest = &plan.locations[..];
    while let Some(first) = rest.first() {
        let mut run_len = 1;
        let mut end = first.offset + u64::from(first.len);
        while let Some(next) = rest.get(run_len) {
            let fits = end - first.offset + u64::from(next.len) <= MAX_RUN_BYTES;
            if next.segment != first.segment || next.offset != end || !fits {
                break;
            }
            end += u64::from(next.len);
            run_len += 1;
        }
        let (run, tail) = rest.split_at(run_len);
        rest = tail;
        let corrupt = |at: &Location, reason: String| LogError::Corrupt {
            position: at.position,
            segment: segment_path(&shared.dir, at.segment),
            offset: at.offset,
            reason,
        };
        let file = plan
            .files
            .get(first.segment as usize)
            .ok_or_else(|| corrupt(first, "segment file missing".into()))?;
        buf.resize((end - first.offset) as usize, 0);
        file.read_exact_at(&mut buf, first.offset).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                corrupt(first, "segment file shorter than the index says".into())
            } else {
                let path = segment_path(&shared.dir, first.segment);
                LogError::io(format!("reading {}", path.display()), e)
            }
        })?;
        for at in run {
            let start = (at.offset - first.offset) as usize;
            let bytes = &buf[start..start + at.len as usize];
            let record = decode(bytes).map_err(|d| corrupt(at, d.to_string()))?;
            if record.position != at.position || record.crc != at.crc {
                return Err(corrupt(at, "the index points at another record".into()));
            }
            events.push(record.to_event().map_err(|d| corrupt(at, d.to_string()))?);
        }
    }
    Ok(events)
}
