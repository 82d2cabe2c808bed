//! Deciding each append of a batch: validation, idempotency and the expected-revision
//! check, against the committed index plus the calls accepted earlier in the same batch.

use std::collections::{HashMap, HashSet, VecDeque};

use uuid::Uuid;

use super::format::{MAX_NAME_LEN, MAX_PAYLOAD_LEN, Stamp, encode};
use super::index::{Entry, IdMap, Index};
use super::index_file::DiskEntry;
use crate::{AppendOutcome, ExpectedRevision, LogError, NewEvent};

/// Checks that can run in the caller's task, before the request reaches the writer.
pub fn validate(stream: &str, events: &[NewEvent]) -> Result<(), LogError> {
    if stream.is_empty() || stream.len() > MAX_NAME_LEN {
        return Err(LogError::Invalid(format!(
            "stream names must have 1 to {MAX_NAME_LEN} bytes"
        )));
    }
    for event in events {
        if event.event_type.len() > MAX_NAME_LEN {
            return Err(LogError::Invalid(format!(
                "event types must have at most {MAX_NAME_LEN} bytes"
            )));
        }
        if event.data.len() + event.metadata.len() > MAX_PAYLOAD_LEN {
            return Err(LogError::Invalid(format!(
                "data and metadata of one event must fit in {MAX_PAYLOAD_LEN} bytes"
            )));
        }
    }
    let distinct = if events.len() <= 16 {
        events
            .iter()
            .enumerate()
            .all(|(i, a)| events[..i].iter().all(|b| a.id != b.id))
    } else {
        events.iter().map(|e| e.id).collect::<HashSet<_>>().len() == events.len()
    };
    if !distinct {
        return Err(LogError::Invalid(
            "one event id appears twice in the call".into(),
        ));
    }
    Ok(())
}

fn satisfies(expected: ExpectedRevision, current: Option<u64>) -> bool {
    match (expected, current) {
        (ExpectedRevision::Any, _)
        | (ExpectedRevision::NoStream, None)
        | (ExpectedRevision::StreamExists, Some(_)) => true,
        (ExpectedRevision::Exact(n), Some(r)) => n == r,
        _ => false,
    }
}

/// What the writer has written but the syncer has not yet published, and the output
/// of the batch being built. The writer runs ahead of the syncer (it writes the next
/// batch while the previous one syncs), so checks see committed index + this overlay.
#[derive(Default)]
pub struct Pending {
    /// Position of `entries[0]`; equals the committed head after `begin`.
    base_head: u64,
    base_streams: u32,
    entries: VecDeque<(Entry, Uuid)>,
    ids: IdMap,
    /// Stream number → (last revision, its position) of streams with unpublished events.
    stream_tails: HashMap<u32, (u64, u64)>,
    new_stream_numbers: HashMap<String, u32>,
    /// The current batch, for the syncer.
    pub batch: BatchOutput,
}

#[derive(Default)]
pub struct BatchOutput {
    pub entries: Vec<(Entry, Uuid)>,
    pub disk: Vec<DiskEntry>,
    pub new_streams: Vec<String>,
}

/// Where the records of this batch go.
pub struct Target<'a> {
    pub buf: &'a mut Vec<u8>,
    pub segment: u32,
    /// File offset of `buf[0]`.
    pub offset: u64,
    pub recorded_at_ms: u64,
}

impl Pending {
    /// Starts a batch: forgets what the syncer has published since the last one.
    pub fn begin(&mut self, index: &Index) {
        let head = index.head();
        while self.base_head < head {
            match self.entries.pop_front() {
                Some((_, id)) => {
                    self.ids.remove(&id);
                    self.base_head += 1;
                }
                None => self.base_head = head,
            }
        }
        self.stream_tails
            .retain(|_, (_, position)| *position >= head);
        let streams = index.streams.len() as u32;
        self.new_stream_numbers.retain(|_, n| *n >= streams);
        self.base_streams = streams;
    }

    pub fn take_batch(&mut self) -> BatchOutput {
        std::mem::take(&mut self.batch)
    }

    fn head(&self) -> u64 {
        self.base_head + self.entries.len() as u64
    }

    fn locate(&self, index: &Index, id: &Uuid) -> Option<u64> {
        index.ids.get(id).or_else(|| self.ids.get(id)).copied()
    }

    fn entry_at(&self, index: &Index, position: u64) -> Option<Entry> {
        match position.checked_sub(self.base_head) {
            None => index.entries.get(position as usize).copied(),
            Some(i) => self.entries.get(i as usize).map(|(e, _)| *e),
        }
    }

    /// Decides one append; accepted records are encoded into `target.buf`.
    pub fn admit(
        &mut self,
        index: &Index,
        target: &mut Target<'_>,
        stream: &str,
        expected: ExpectedRevision,
        events: &[NewEvent],
    ) -> Result<AppendOutcome, LogError> {
        let number = index
            .stream_number(stream)
            .or_else(|| self.new_stream_numbers.get(stream).copied());
        let tail = number.and_then(|n| {
            self.stream_tails.get(&n).copied().or_else(|| {
                let positions = &index.streams.get(n as usize)?.positions;
                let last = *positions.last()?;
                Some((positions.len() as u64 - 1, last))
            })
        });
        if let Some(outcome) = self.earlier_call(index, stream, number, events)? {
            return Ok(outcome);
        }
        let current = tail.map(|(revision, _)| revision);
        if !satisfies(expected, current) {
            return Err(LogError::WrongExpectedRevision {
                stream: stream.to_owned(),
                expected,
                actual: current,
            });
        }
        let Some(last_index) = events.len().checked_sub(1) else {
            let (revision, position) = tail.unwrap_or((u64::MAX, self.head()));
            return Ok(AppendOutcome {
                next_expected_revision: revision,
                first_position: position,
                last_position: position,
            });
        };
        let number = number.unwrap_or_else(|| {
            let n = self.base_streams + self.new_stream_numbers.len() as u32;
            self.batch.new_streams.push(stream.to_owned());
            self.new_stream_numbers.insert(stream.to_owned(), n);
            n
        });
        let first_revision = current.map_or(0, |r| r + 1);
        let first_position = self.head();
        for (i, event) in events.iter().enumerate() {
            let stamp = Stamp {
                position: first_position + i as u64,
                revision: first_revision + i as u64,
                recorded_at_ms: target.recorded_at_ms,
                last_of_call: i == last_index,
            };
            let start = target.buf.len();
            let crc = encode(target.buf, stream, event, stamp);
            let entry = Entry {
                offset: target.offset + start as u64,
                revision: stamp.revision,
                segment: target.segment,
                len: (target.buf.len() - start) as u32,
                stream: number,
                crc,
                last_of_call: stamp.last_of_call,
            };
            self.ids.insert(event.id, stamp.position);
            self.entries.push_back((entry, event.id));
            self.batch.entries.push((entry, event.id));
            self.batch.disk.push(DiskEntry {
                offset: entry.offset,
                segment: entry.segment,
                len: entry.len,
                stream: number,
                crc,
                id: event.id,
                last_of_call: entry.last_of_call,
            });
        }
        let outcome = AppendOutcome {
            next_expected_revision: first_revision + last_index as u64,
            first_position,
            last_position: first_position + last_index as u64,
        };
        let tail = (outcome.next_expected_revision, outcome.last_position);
        self.stream_tails.insert(number, tail);
        Ok(outcome)
    }

    /// `Some(outcome)` if `events` are exactly an earlier call to `stream`; an error if
    /// they overlap earlier appends in any other way.
    fn earlier_call(
        &self,
        index: &Index,
        stream: &str,
        number: Option<u32>,
        events: &[NewEvent],
    ) -> Result<Option<AppendOutcome>, LogError> {
        let Some(first_event) = events.first() else {
            return Ok(None);
        };
        let found = events
            .iter()
            .filter(|e| self.locate(index, &e.id).is_some())
            .count();
        if found == 0 {
            return Ok(None);
        }
        let violation = |why: &str| Err(LogError::IdempotencyViolation(format!("{stream}: {why}")));
        if found != events.len() {
            return violation(&format!(
                "{found} of {} event ids were appended before",
                events.len()
            ));
        }
        let first = self.locate(index, &first_event.id).unwrap_or(u64::MAX);
        let in_order = events
            .iter()
            .enumerate()
            .all(|(i, e)| self.locate(index, &e.id) == Some(first + i as u64));
        if !in_order {
            return violation("the event ids were appended in another order or in several calls");
        }
        let last = first + events.len() as u64 - 1;
        let entries: Vec<Entry> = (first..=last)
            .filter_map(|p| self.entry_at(index, p))
            .collect();
        if entries.len() != events.len() || entries.iter().any(|e| Some(e.stream) != number) {
            return violation("the event ids were appended to another stream");
        }
        let starts_call = first == 0
            || self
                .entry_at(index, first - 1)
                .is_some_and(|e| e.last_of_call);
        let last_entry = entries[entries.len() - 1];
        if !starts_call || !last_entry.last_of_call {
            return violation("the event ids are only part of an earlier call");
        }
        Ok(Some(AppendOutcome {
            next_expected_revision: last_entry.revision,
            first_position: first,
            last_position: last,
        }))
    }
}
