//! Reading a stopped process's file log (read-only) to compare it with what the
//! read models and the other processes showed.

use std::collections::BTreeMap;
use std::path::Path;

use eventlog::{Direction, EventLog as _, FileLog, RecordedEvent};

/// The log in a process's data directory, opened read-only.
pub fn open(data_dir: &Path) -> FileLog {
    FileLog::open_read_only(data_dir.join("log"))
        .unwrap_or_else(|e| panic!("opening the log of {}: {e}", data_dir.display()))
}

/// Each stream of `category` with the revision of its last event.
pub async fn revisions(log: &FileLog, category: &str) -> BTreeMap<String, u64> {
    log.streams(Some(category))
        .await
        .unwrap()
        .into_iter()
        .map(|info| (info.stream, info.last_revision))
        .collect()
}

/// Every event of `stream`, oldest first.
pub async fn events(log: &FileLog, stream: &str) -> Vec<RecordedEvent> {
    log.read_stream(stream, 0, Direction::Forwards, usize::MAX)
        .await
        .unwrap()
}

/// The event types of `stream`, oldest first.
pub async fn event_types(log: &FileLog, stream: &str) -> Vec<String> {
    events(log, stream)
        .await
        .into_iter()
        .map(|event| event.event_type)
        .collect()
}
