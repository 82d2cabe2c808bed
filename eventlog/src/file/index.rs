//! The in-memory index: where each position's record lives, each stream's positions,
//! and which position each event id got. Readers and the writer share it behind one
//! `RwLock`; only the writer (or recovery) mutates it.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use uuid::Uuid;

/// Where one event's record lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub offset: u64,
    pub revision: u64,
    pub segment: u32,
    pub len: u32,
    pub stream: u32,
    pub crc: u32,
    pub last_of_call: bool,
}

#[derive(Debug)]
pub struct StreamState {
    pub name: String,
    /// Global position of each revision.
    pub positions: Vec<u64>,
}

/// Event ids are random (v4) or hashes (v5): folding their words is a good enough hash
/// and much cheaper than SipHash when a million of them are loaded on open.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_usize(&mut self, _length_prefix: usize) {}
}

pub type IdMap = HashMap<Uuid, u64, BuildHasherDefault<IdHasher>>;

#[derive(Debug, Default)]
pub struct Index {
    /// By position.
    pub entries: Vec<Entry>,
    /// By stream number.
    pub streams: Vec<StreamState>,
    pub stream_numbers: HashMap<String, u32>,
    pub ids: IdMap,
    /// Open segment files by segment number, shared with readers for `pread`.
    pub segments: Vec<Arc<File>>,
}

impl Index {
    pub fn head(&self) -> u64 {
        self.entries.len() as u64
    }

    pub fn stream_number(&self, name: &str) -> Option<u32> {
        self.stream_numbers.get(name).copied()
    }

    pub fn add_stream(&mut self, name: String) -> u32 {
        let number = self.streams.len() as u32;
        self.stream_numbers.insert(name.clone(), number);
        self.streams.push(StreamState {
            name,
            positions: Vec::new(),
        });
        number
    }

    /// Revision of the stream's last event.
    pub fn last_revision(&self, stream: u32) -> Option<u64> {
        let positions = &self.streams.get(stream as usize)?.positions;
        (positions.len() as u64).checked_sub(1)
    }

    /// Records the next position; `entry.stream` must exist.
    pub fn push(&mut self, entry: Entry, id: Uuid) {
        let position = self.entries.len() as u64;
        if let Some(stream) = self.streams.get_mut(entry.stream as usize) {
            stream.positions.push(position);
        }
        self.ids.insert(id, position);
        self.entries.push(entry);
    }
}
