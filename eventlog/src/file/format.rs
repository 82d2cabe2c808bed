//! The record format of the segment files.
//!
//! ```text
//! header (12 bytes): magic u32 | body length u32 | crc32 of the body u32
//! body: flags u8 | position u64 | revision u64 | recorded_at_ms u64 | id [16]
//!       | stream len u16 | type len u16 | data len u32 | metadata len u32
//!       | stream | type | data | metadata
//! ```
//! All integers are little-endian. Flag bit 0 marks the last record of one append call:
//! recovery keeps a call only when its last record is present, so an append is
//! all-or-nothing. The body repeats position and revision so every read can check that
//! the index pointed at the record it meant.

use uuid::Uuid;

use crate::{NewEvent, RecordedEvent};

pub const MAGIC: u32 = 0xE7E1_0601;
pub const HEADER_LEN: usize = 12;
const FIXED_BODY_LEN: usize = 1 + 8 + 8 + 8 + 16 + 2 + 2 + 4 + 4;
pub const FLAG_LAST_OF_CALL: u8 = 1;

/// Longest stream name or event type accepted (they are stored with a u16 length).
pub const MAX_NAME_LEN: usize = 1024;
/// Largest data + metadata of one event; also bounds the body length read back, so a
/// damaged length field is recognised instead of making us allocate gigabytes.
pub const MAX_PAYLOAD_LEN: usize = 16 * 1024 * 1024;
pub const MAX_BODY_LEN: usize = FIXED_BODY_LEN + 2 * MAX_NAME_LEN + MAX_PAYLOAD_LEN;

/// The numbers the writer gives one event.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    pub position: u64,
    pub revision: u64,
    pub recorded_at_ms: u64,
    pub last_of_call: bool,
}

/// Size of the encoded record of `event` in `stream`.
pub fn encoded_len(stream: &str, event: &NewEvent) -> usize {
    HEADER_LEN
        + FIXED_BODY_LEN
        + stream.len()
        + event.event_type.len()
        + event.data.len()
        + event.metadata.len()
}

/// Appends the record to `buf` and returns its crc (stored in the index too).
/// Lengths must have been validated (`MAX_NAME_LEN`, `MAX_PAYLOAD_LEN`).
pub fn encode(buf: &mut Vec<u8>, stream: &str, event: &NewEvent, stamp: Stamp) -> u32 {
    let start = buf.len();
    let body_len = encoded_len(stream, event) - HEADER_LEN;
    buf.extend_from_slice(&MAGIC.to_le_bytes());
    buf.extend_from_slice(&(body_len as u32).to_le_bytes());
    buf.extend_from_slice(&[0; 4]);
    let flags = if stamp.last_of_call {
        FLAG_LAST_OF_CALL
    } else {
        0
    };
    buf.push(flags);
    buf.extend_from_slice(&stamp.position.to_le_bytes());
    buf.extend_from_slice(&stamp.revision.to_le_bytes());
    buf.extend_from_slice(&stamp.recorded_at_ms.to_le_bytes());
    buf.extend_from_slice(event.id.as_bytes());
    buf.extend_from_slice(&(stream.len() as u16).to_le_bytes());
    buf.extend_from_slice(&(event.event_type.len() as u16).to_le_bytes());
    buf.extend_from_slice(&(event.data.len() as u32).to_le_bytes());
    buf.extend_from_slice(&(event.metadata.len() as u32).to_le_bytes());
    buf.extend_from_slice(stream.as_bytes());
    buf.extend_from_slice(event.event_type.as_bytes());
    buf.extend_from_slice(&event.data);
    buf.extend_from_slice(&event.metadata);
    let crc = crc32fast::hash(&buf[start + HEADER_LEN..]);
    buf[start + 8..start + 12].copy_from_slice(&crc.to_le_bytes());
    crc
}

/// What is wrong with the bytes at some offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// Fewer bytes than the record needs: a torn write if nothing valid follows.
    Short,
    /// Not a record: wrong magic, impossible length or checksum mismatch.
    Invalid(String),
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Damage::Short => write!(f, "record cut short"),
            Damage::Invalid(reason) => write!(f, "{reason}"),
        }
    }
}

/// A checksum-verified record, borrowing the buffer it was read from.
#[derive(Debug, Clone, Copy)]
pub struct RawRecord<'a> {
    /// Header + body length: where the next record starts.
    pub total_len: usize,
    pub crc: u32,
    pub flags: u8,
    pub position: u64,
    pub revision: u64,
    pub recorded_at_ms: u64,
    pub id: Uuid,
    pub stream: &'a [u8],
    event_type: &'a [u8],
    data: &'a [u8],
    metadata: &'a [u8],
}

impl RawRecord<'_> {
    pub fn last_of_call(&self) -> bool {
        self.flags & FLAG_LAST_OF_CALL != 0
    }

    pub fn stream_str(&self) -> Result<&str, Damage> {
        std::str::from_utf8(self.stream).map_err(|_| Damage::Invalid("stream not utf-8".into()))
    }

    pub fn to_event(self) -> Result<RecordedEvent, Damage> {
        let event_type = std::str::from_utf8(self.event_type)
            .map_err(|_| Damage::Invalid("event type not utf-8".into()))?;
        Ok(RecordedEvent {
            id: self.id,
            stream: self.stream_str()?.to_owned(),
            revision: self.revision,
            position: self.position,
            event_type: event_type.to_owned(),
            data: self.data.to_vec(),
            metadata: self.metadata.to_vec(),
            recorded_at_ms: self.recorded_at_ms,
        })
    }
}

/// The body length announced by a header, if the header is plausible.
pub fn peek_total_len(bytes: &[u8]) -> Result<usize, Damage> {
    if bytes.len() < HEADER_LEN {
        return Err(Damage::Short);
    }
    if u32_at(bytes, 0) != MAGIC {
        return Err(Damage::Invalid("bad magic".into()));
    }
    let body_len = u32_at(bytes, 4) as usize;
    if !(FIXED_BODY_LEN..=MAX_BODY_LEN).contains(&body_len) {
        return Err(Damage::Invalid(format!("impossible length {body_len}")));
    }
    Ok(HEADER_LEN + body_len)
}

/// Decodes and checksum-verifies the record at the start of `bytes`.
pub fn decode(bytes: &[u8]) -> Result<RawRecord<'_>, Damage> {
    let total_len = peek_total_len(bytes)?;
    if bytes.len() < total_len {
        return Err(Damage::Short);
    }
    let body = &bytes[HEADER_LEN..total_len];
    let crc = u32_at(bytes, 8);
    if crc32fast::hash(body) != crc {
        return Err(Damage::Invalid("checksum mismatch".into()));
    }
    let stream_len = u16::from_le_bytes([body[41], body[42]]) as usize;
    let type_len = u16::from_le_bytes([body[43], body[44]]) as usize;
    let data_len = u32_at(body, 45) as usize;
    let meta_len = u32_at(body, 49) as usize;
    if FIXED_BODY_LEN + stream_len + type_len + data_len + meta_len != body.len() {
        return Err(Damage::Invalid("field lengths do not add up".into()));
    }
    let mut id = [0u8; 16];
    id.copy_from_slice(&body[25..41]);
    let (stream, rest) = body[FIXED_BODY_LEN..].split_at(stream_len);
    let (event_type, rest) = rest.split_at(type_len);
    let (data, metadata) = rest.split_at(data_len);
    Ok(RawRecord {
        total_len,
        crc,
        flags: body[0],
        position: u64_at(body, 1),
        revision: u64_at(body, 9),
        recorded_at_ms: u64_at(body, 17),
        id: Uuid::from_bytes(id),
        stream,
        event_type,
        data,
        metadata,
    })
}

pub fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

pub fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn event() -> NewEvent {
        NewEvent {
            id: Uuid::new_v4(),
            event_type: "TicketCreated".into(),
            data: b"{\"a\":1}".to_vec(),
            metadata: b"m".to_vec(),
        }
    }

    #[test]
    fn an_encoded_record_decodes_to_the_same_event() {
        let e = event();
        let mut buf = Vec::new();
        let stamp = Stamp {
            position: 7,
            revision: 3,
            recorded_at_ms: 99,
            last_of_call: true,
        };
        let crc = encode(&mut buf, "ticket-1", &e, stamp);
        assert_eq!(buf.len(), encoded_len("ticket-1", &e));
        let raw = decode(&buf).unwrap();
        assert_eq!(raw.crc, crc);
        assert!(raw.last_of_call());
        let got = raw.to_event().unwrap();
        assert_eq!((got.position, got.revision, got.recorded_at_ms), (7, 3, 99));
        assert_eq!((got.id, got.stream.as_str()), (e.id, "ticket-1"));
        assert_eq!((got.data, got.metadata), (e.data, e.metadata));
    }

    #[test]
    fn a_flipped_bit_or_a_missing_byte_is_detected() {
        let mut buf = Vec::new();
        let stamp = Stamp {
            position: 0,
            revision: 0,
            recorded_at_ms: 0,
            last_of_call: false,
        };
        encode(&mut buf, "s-1", &event(), stamp);
        assert_eq!(decode(&buf[..buf.len() - 1]).unwrap_err(), Damage::Short);
        let last = buf.len() - 1;
        buf[last] ^= 1;
        assert!(matches!(decode(&buf), Err(Damage::Invalid(_))));
    }
}
