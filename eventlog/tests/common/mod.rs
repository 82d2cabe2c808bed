//! Helpers shared by the file log's integration tests.
#![allow(clippy::unwrap_used, dead_code)]

use std::path::{Path, PathBuf};

use eventlog::{
    CategoryFilter, EventLog, ExpectedRevision, FileLog, FileLogOptions, NewEvent, RecordedEvent,
};
use uuid::Uuid;

/// An event whose data is `payload-{tag}-{uuid}`, easy to find in a segment file.
pub fn tagged(tag: &str) -> NewEvent {
    NewEvent {
        id: Uuid::new_v4(),
        event_type: "Tagged".into(),
        data: format!("payload-{tag}-{}", Uuid::new_v4().simple()).into_bytes(),
        metadata: Vec::new(),
    }
}

pub fn open(dir: &Path) -> FileLog {
    FileLog::open(dir, FileLogOptions::default()).unwrap()
}

/// Appends `calls` calls of `per_call` events each to `stream-{i % 3}` streams.
pub async fn fill(log: &FileLog, calls: usize, per_call: usize) -> Vec<Vec<NewEvent>> {
    let mut appended = Vec::new();
    for i in 0..calls {
        let call: Vec<_> = (0..per_call).map(|j| tagged(&format!("{i}.{j}"))).collect();
        let stream = format!("thing-{}", i % 3);
        log.append(&stream, ExpectedRevision::Any, call.clone())
            .await
            .unwrap();
        appended.push(call);
    }
    appended
}

pub async fn everything(log: &FileLog) -> Vec<RecordedEvent> {
    log.read_all(0, usize::MAX, &CategoryFilter::All)
        .await
        .unwrap()
}

pub fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    files.sort();
    files
}

/// The segment and byte offset where `needle` is stored.
pub fn locate(dir: &Path, needle: &[u8]) -> (PathBuf, usize) {
    for segment in segments(dir) {
        let bytes = std::fs::read(&segment).unwrap();
        if let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) {
            return (segment, at);
        }
    }
    panic!("{} not found", String::from_utf8_lossy(needle));
}

pub fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= 0x40;
    std::fs::write(path, bytes).unwrap();
}

pub fn cut_file(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}
