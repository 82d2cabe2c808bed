//! What each benchmark event carries for the measurement: the writer that appended it
//! and when, in the event's metadata (the payload stays the 200-byte event bench-log
//! appends). Both ends run in this process, so one `Instant` base serves as the clock.

/// The measurement stamp of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Index of the writer (and of its stream) that appended the event.
    pub writer: u32,
    /// Nanoseconds from the cell's base instant to just before the append.
    pub sent_ns: u64,
}

const LEN: usize = 12;

impl Stamp {
    pub fn encode(self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(LEN);
        bytes.extend_from_slice(&self.writer.to_le_bytes());
        bytes.extend_from_slice(&self.sent_ns.to_le_bytes());
        bytes
    }

    /// `None` for metadata that is not a stamp (the event is not one of ours).
    pub fn decode(bytes: &[u8]) -> Option<Stamp> {
        if bytes.len() != LEN {
            return None;
        }
        let (writer, sent) = bytes.split_at(4);
        Some(Stamp {
            writer: u32::from_le_bytes(writer.try_into().ok()?),
            sent_ns: u64::from_le_bytes(sent.try_into().ok()?),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_survives_encoding() {
        let stamp = Stamp {
            writer: 63,
            sent_ns: 5_000_000_123,
        };
        assert_eq!(Stamp::decode(&stamp.encode()), Some(stamp));
    }

    #[test]
    fn metadata_of_another_length_is_not_a_stamp() {
        assert_eq!(Stamp::decode(b""), None);
        assert_eq!(Stamp::decode(&[0; 13]), None);
    }
}
