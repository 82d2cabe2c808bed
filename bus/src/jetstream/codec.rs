//! One log event as one NATS message, and back, exactly. (`Nats-Msg-Id` is set by the
//! publisher: the event id for the relay, a letter id for dead letters.)
//!
//! The payload is the event's data, untouched, so any NATS tool shows the event's JSON.
//! Everything else travels in headers. A text value a header cannot carry as is (a line
//! break, surrounding spaces, invalid UTF-8) goes hex-encoded in a `…-Hex` header
//! instead, so every event can be relayed and rebuilt byte for byte.

use async_nats::HeaderMap;
use async_nats::header::HeaderValue;
use bytes::Bytes;
use eventlog::RecordedEvent;
use uuid::Uuid;

use crate::BusError;

pub(crate) const EVENT_ID: &str = "Ticketing-Event-Id";
pub(crate) const STREAM: &str = "Ticketing-Stream";
pub(crate) const REVISION: &str = "Ticketing-Revision";
pub(crate) const POSITION: &str = "Ticketing-Position";
pub(crate) const EVENT_TYPE: &str = "Ticketing-Event-Type";
pub(crate) const RECORDED_AT: &str = "Ticketing-Recorded-At";
pub(crate) const METADATA: &str = "Ticketing-Metadata";
pub(crate) const CORRELATION_ID: &str = "Ticketing-Correlation-Id";
pub(crate) const CAUSATION_ID: &str = "Ticketing-Causation-Id";

/// The headers and payload of `event` (without `Nats-Msg-Id`, which the caller chooses).
pub(crate) fn encode(event: &RecordedEvent) -> Result<(HeaderMap, Bytes), BusError> {
    let mut headers = HeaderMap::new();
    put(&mut headers, EVENT_ID, &event.id.to_string())?;
    put_text(&mut headers, STREAM, event.stream.as_bytes())?;
    put(&mut headers, REVISION, &event.revision.to_string())?;
    put(&mut headers, POSITION, &event.position.to_string())?;
    put_text(&mut headers, EVENT_TYPE, event.event_type.as_bytes())?;
    put(&mut headers, RECORDED_AT, &event.recorded_at_ms.to_string())?;
    if !event.metadata.is_empty() {
        put_text(&mut headers, METADATA, &event.metadata)?;
    }
    // For people and tools tracing a flow; the consumer rebuilds from the metadata itself.
    if let Ok(serde_json::Value::Object(fields)) =
        serde_json::from_slice::<serde_json::Value>(&event.metadata)
    {
        for (field, header) in [
            ("correlationId", CORRELATION_ID),
            ("causationId", CAUSATION_ID),
        ] {
            if let Some(serde_json::Value::String(id)) = fields.get(field)
                && let Ok(id) = Uuid::parse_str(id)
            {
                put(&mut headers, header, &id.to_string())?;
            }
        }
    }
    Ok((headers, Bytes::copy_from_slice(&event.data)))
}

/// Rebuilds the event from a message made by `encode`.
pub(crate) fn decode(
    headers: Option<&HeaderMap>,
    payload: &[u8],
) -> Result<RecordedEvent, BusError> {
    let headers = headers.ok_or_else(|| malformed("a message without headers"))?;
    let text = |name: &str| -> Result<String, BusError> {
        String::from_utf8(get_text(headers, name)?.ok_or_else(|| malformed(name))?)
            .map_err(|_| malformed(name))
    };
    let number = |name: &str| -> Result<u64, BusError> {
        let value = headers.get(name).ok_or_else(|| malformed(name))?;
        value.as_str().parse().map_err(|_| malformed(name))
    };
    let id = headers
        .get(EVENT_ID)
        .and_then(|v| Uuid::parse_str(v.as_str()).ok())
        .ok_or_else(|| malformed(EVENT_ID))?;
    Ok(RecordedEvent {
        id,
        stream: text(STREAM)?,
        revision: number(REVISION)?,
        position: number(POSITION)?,
        event_type: text(EVENT_TYPE)?,
        data: payload.to_vec(),
        metadata: get_text(headers, METADATA)?.unwrap_or_default(),
        recorded_at_ms: number(RECORDED_AT)?,
    })
}

fn malformed(what: &str) -> BusError {
    BusError::Backend(format!("malformed event message: missing or bad {what}"))
}

/// Sets a header whose value is known to be header-safe (numbers, ids, JSON we made).
pub(crate) fn put(headers: &mut HeaderMap, name: &str, value: &str) -> Result<(), BusError> {
    let value: HeaderValue = value
        .parse()
        .map_err(|_| BusError::Backend(format!("header {name} cannot carry {value:?}")))?;
    headers.insert(name, value);
    Ok(())
}

/// Sets `name` to `value`, or `name-Hex` to its hex form when a header would alter it.
pub(crate) fn put_text(headers: &mut HeaderMap, name: &str, value: &[u8]) -> Result<(), BusError> {
    match std::str::from_utf8(value) {
        Ok(text) if header_safe(text) => put(headers, name, text),
        _ => put(headers, &format!("{name}-Hex"), &hex(value)),
    }
}

/// The value `put_text` stored, if any.
pub(crate) fn get_text(headers: &HeaderMap, name: &str) -> Result<Option<Vec<u8>>, BusError> {
    if let Some(value) = headers.get(name) {
        return Ok(Some(value.as_str().as_bytes().to_vec()));
    }
    match headers.get(format!("{name}-Hex").as_str()) {
        Some(value) => unhex(value.as_str())
            .map(Some)
            .ok_or_else(|| malformed(name)),
        None => Ok(None),
    }
}

/// Header values are trimmed when read and cannot hold control characters.
fn header_safe(text: &str) -> bool {
    !text.is_empty() && text.trim() == text && !text.chars().any(char::is_control)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn event(stream: &str, event_type: &str, metadata: &[u8], data: &[u8]) -> RecordedEvent {
        RecordedEvent {
            id: Uuid::new_v4(),
            stream: stream.into(),
            revision: 7,
            position: 1234,
            event_type: event_type.into(),
            data: data.to_vec(),
            metadata: metadata.to_vec(),
            recorded_at_ms: 1_700_000_000_123,
        }
    }

    fn round_trip(event: &RecordedEvent) -> RecordedEvent {
        let (headers, payload) = encode(event).unwrap();
        decode(Some(&headers), &payload).unwrap()
    }

    #[test]
    fn an_event_comes_back_exactly() {
        let correlation = Uuid::new_v4();
        let metadata = format!(
            r#"{{"correlationId":"{correlation}","causationId":"{correlation}","userId":null}}"#
        );
        let original = event("order-1", "OrderCreated", metadata.as_bytes(), b"{\"a\":1}");
        assert_eq!(round_trip(&original), original);
        let (headers, _) = encode(&original).unwrap();
        assert_eq!(
            headers.get(CORRELATION_ID).unwrap().as_str(),
            correlation.to_string()
        );
    }

    #[test]
    fn values_a_header_would_alter_survive_in_hex() {
        let original = event(
            "odd-stream\r\nX: y",
            " spaced ",
            b"{\n  \"pretty\": true\n}\n",
            &[0, 159, 255],
        );
        assert_eq!(round_trip(&original), original);
        let binary = event("s-1", "T", &[0xff, 0x00, 0x10], b"");
        assert_eq!(round_trip(&binary), binary);
    }

    #[test]
    fn empty_metadata_stays_empty() {
        let original = event("s-1", "T", b"", b"x");
        assert_eq!(round_trip(&original), original);
    }

    #[test]
    fn a_message_without_the_event_headers_is_refused() {
        assert!(decode(None, b"x").is_err());
        assert!(decode(Some(&HeaderMap::new()), b"x").is_err());
    }
}
