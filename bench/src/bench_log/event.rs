//! The event every system appends: ~200 bytes of JSON-ish data with a unique id, so the
//! systems compare on identical input.

use eventlog::NewEvent;
use uuid::Uuid;

/// Size of the `data` payload of every benchmark event, in bytes.
pub const EVENT_BYTES: usize = 200;

/// The type name carried by every benchmark event.
pub const EVENT_TYPE: &str = "TicketReserved";

/// Builds the event a writer appends at `revision` of its stream: a fresh v4 id and a
/// JSON object padded to exactly `EVENT_BYTES` bytes.
pub fn make_event(writer: usize, revision: u64) -> NewEvent {
    let id = Uuid::new_v4();
    let mut data = format!(
        r#"{{"ticket_id":"{id}","writer":{writer},"revision":{revision},"seat":"B-14","price_cents":12500,"note":""#
    )
    .into_bytes();
    // Pad inside the "note" string so the payload stays valid JSON at any size.
    let closing = b"\"}";
    let pad = EVENT_BYTES.saturating_sub(data.len() + closing.len());
    data.extend(std::iter::repeat_n(b'x', pad));
    data.extend_from_slice(closing);
    NewEvent {
        id,
        event_type: EVENT_TYPE.to_string(),
        data,
        metadata: Vec::new(),
    }
}

/// Encodes an event the way a minimal log record would be laid out on disk (length,
/// checksum-sized slot, stream, revision, id, type, data), so the raw ceiling writes
/// about as many bytes per event as a real log does.
pub fn encode_record(stream: &str, revision: u64, event: &NewEvent) -> Vec<u8> {
    let body_len = 2 + stream.len() + 8 + 16 + 2 + event.event_type.len() + 4 + event.data.len();
    let mut out = Vec::with_capacity(8 + body_len);
    out.extend_from_slice(&(body_len as u32).to_le_bytes());
    // A real log stores a CRC here; the ceiling writes the slot without computing it.
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(stream.len() as u16).to_le_bytes());
    out.extend_from_slice(stream.as_bytes());
    out.extend_from_slice(&revision.to_le_bytes());
    out.extend_from_slice(event.id.as_bytes());
    out.extend_from_slice(&(event.event_type.len() as u16).to_le_bytes());
    out.extend_from_slice(event.event_type.as_bytes());
    out.extend_from_slice(&(event.data.len() as u32).to_le_bytes());
    out.extend_from_slice(&event.data);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_event_has_a_200_byte_json_payload_and_a_fresh_id() {
        let a = make_event(3, 41);
        let b = make_event(3, 41);
        assert_eq!(a.data.len(), EVENT_BYTES);
        assert_ne!(a.id, b.id);
        let parsed: serde_json::Value = serde_json::from_slice(&a.data).unwrap();
        assert_eq!(parsed["revision"], 41);
    }

    #[test]
    fn an_encoded_record_holds_its_length_prefix_and_the_payload() {
        let event = make_event(0, 0);
        let record = encode_record("bench-1", 0, &event);
        let len = u32::from_le_bytes(record[0..4].try_into().unwrap()) as usize;
        assert_eq!(record.len(), 8 + len);
        assert!(record.ends_with(&event.data));
    }
}
