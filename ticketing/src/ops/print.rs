//! Rendering recorded events: one line for people, or one JSON object per line.

use eventlog::RecordedEvent;
use serde_json::{Value, json};

fn as_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// The whole event as JSON (data and metadata parsed when they are JSON).
pub fn event_json(event: &RecordedEvent) -> Value {
    json!({
        "position": event.position,
        "stream": event.stream,
        "revision": event.revision,
        "type": event.event_type,
        "id": event.id,
        "recordedAt": domain::Timestamp::from_millis(event.recorded_at_ms).to_rfc3339(),
        "data": as_json(&event.data),
        "metadata": as_json(&event.metadata),
    })
}

/// `position  stream@revision  Type  data`
pub fn event_line(event: &RecordedEvent) -> String {
    format!(
        "{:>8}  {}@{}  {}  {}",
        event.position,
        event.stream,
        event.revision,
        event.event_type,
        String::from_utf8_lossy(&event.data)
    )
}

pub fn print_event(event: &RecordedEvent, json: bool) {
    if json {
        println!("{}", event_json(event));
    } else {
        println!("{}", event_line(event));
    }
}
