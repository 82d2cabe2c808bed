//! The consuming service's read model: a copy per stream in a sled tree, applied like the
//! services apply their copies (`orders::copies`): decode the event, accept only the next
//! revision of the stream, store the copy with its revision, flush, and only then say so.

use eventlog::RecordedEvent;

/// How a delivered event relates to the stored copy of its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The next revision: stored now.
    Next,
    /// Already applied (a redelivery): nothing to do.
    Duplicate,
    /// An earlier revision has not been applied yet: deliver again later.
    Early,
}

/// `stored`: the revision of the stored copy (`None`: no copy yet).
pub fn arrival(stored: Option<u64>, revision: u64) -> Arrival {
    let next = stored.map_or(0, |r| r + 1);
    match revision.cmp(&next) {
        std::cmp::Ordering::Equal => Arrival::Next,
        std::cmp::Ordering::Less => Arrival::Duplicate,
        std::cmp::Ordering::Greater => Arrival::Early,
    }
}

/// A stored copy: its revision (8 bytes, big-endian) then the copy as JSON.
fn encode_copy(event: &RecordedEvent, payload: &serde_json::Value) -> anyhow::Result<Vec<u8>> {
    let copy = serde_json::json!({
        "stream": event.stream,
        "revision": event.revision,
        "last_event": event.event_type,
        "state": payload,
    });
    let mut bytes = event.revision.to_be_bytes().to_vec();
    serde_json::to_writer(&mut bytes, &copy)?;
    Ok(bytes)
}

fn revision_of(copy: &[u8]) -> anyhow::Result<u64> {
    let head = copy
        .get(..8)
        .ok_or_else(|| anyhow::anyhow!("a stored copy shorter than its revision"))?;
    Ok(u64::from_be_bytes(head.try_into()?))
}

/// How the apply makes the copy durable before the acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// What the services' copies do (`services::infra::GroupFlush`): a blocking
    /// `Tree::flush` on tokio's blocking pool, shared by the handlers that stored while
    /// the previous flush ran. Every apply is on disk before its acknowledgement.
    Group,
    /// `Tree::flush` on tokio's blocking pool, one per apply.
    Blocking,
    /// `Tree::flush_async`, as the services did at first. In sled 0.34.7 it runs the flush on
    /// sled's own small thread pool, whose threads then wait for buffer writes queued
    /// behind them: with about 7 or more concurrent flushes every flush hangs for good
    /// (spacejam/sled#1308, fixed only on sled's unreleased main branch). The pool is
    /// global, so every other sled database of the process (the embedded bus's state)
    /// hangs with it: a reproducer, not a mode to measure.
    Async,
    /// No flush: a diagnostic that leaves out the read model's durability cost, to see
    /// the bus alone. Not what any service does.
    None,
}

impl Flush {
    pub fn parse(name: &str) -> Result<Flush, String> {
        match name {
            "group" => Ok(Flush::Group),
            "blocking" => Ok(Flush::Blocking),
            "async" => Ok(Flush::Async),
            "none" => Ok(Flush::None),
            _ => Err(format!(
                "unknown flush {name:?} (group, blocking, async, none)"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Flush::Group => "group",
            Flush::Blocking => "blocking",
            Flush::Async => "async",
            Flush::None => "none",
        }
    }
}

/// The copies of one consuming service. Cheap to clone.
#[derive(Clone)]
pub struct ReadModel {
    tree: sled::Tree,
    flush: Flush,
    group: services::infra::GroupFlush,
}

impl ReadModel {
    pub fn new(tree: sled::Tree, flush: Flush) -> Self {
        let group = services::infra::GroupFlush::new(tree.clone());
        ReadModel { tree, flush, group }
    }

    /// Applies `event` if it is the next revision of its stream and flushes it, so an
    /// acknowledgement that follows means "stored". A compare-and-swap keeps two
    /// handlers with neighbouring revisions of one stream from overwriting each other.
    pub async fn apply(&self, event: &RecordedEvent) -> anyhow::Result<Arrival> {
        let payload: serde_json::Value = serde_json::from_slice(&event.data)?;
        let key = event.stream.as_bytes();
        loop {
            let current = self.tree.get(key)?;
            let stored = current.as_deref().map(revision_of).transpose()?;
            match arrival(stored, event.revision) {
                Arrival::Next => {}
                other => return Ok(other),
            }
            let copy = encode_copy(event, &payload)?;
            if self
                .tree
                .compare_and_swap(key, current, Some(copy))?
                .is_ok()
            {
                break;
            }
        }
        match self.flush {
            Flush::Group => self.group.flush().await?,
            Flush::Blocking => {
                let tree = self.tree.clone();
                tokio::task::spawn_blocking(move || tree.flush()).await??;
            }
            Flush::Async => {
                self.tree.flush_async().await?;
            }
            Flush::None => {}
        }
        Ok(Arrival::Next)
    }

    /// The revision of the stored copy of `stream`.
    #[cfg(test)]
    pub fn revision(&self, stream: &str) -> anyhow::Result<Option<u64>> {
        self.tree
            .get(stream.as_bytes())?
            .as_deref()
            .map(revision_of)
            .transpose()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::event::make_event;

    #[test]
    fn only_the_next_revision_is_applied() {
        assert_eq!(arrival(None, 0), Arrival::Next);
        assert_eq!(arrival(None, 1), Arrival::Early);
        assert_eq!(arrival(Some(4), 5), Arrival::Next);
        assert_eq!(arrival(Some(4), 4), Arrival::Duplicate);
        assert_eq!(arrival(Some(4), 2), Arrival::Duplicate);
        assert_eq!(arrival(Some(4), 7), Arrival::Early);
    }

    fn recorded(stream: &str, revision: u64) -> RecordedEvent {
        let event = make_event(0, revision);
        RecordedEvent {
            id: event.id,
            stream: stream.into(),
            revision,
            position: revision,
            event_type: event.event_type,
            data: event.data,
            metadata: event.metadata,
            recorded_at_ms: 0,
        }
    }

    #[tokio::test]
    async fn a_copy_advances_one_revision_at_a_time_in_sled() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let model = ReadModel::new(db.open_tree("copies").unwrap(), Flush::Blocking);
        assert_eq!(
            model.apply(&recorded("bench-a", 1)).await.unwrap(),
            Arrival::Early
        );
        assert_eq!(model.revision("bench-a").unwrap(), None);
        assert_eq!(
            model.apply(&recorded("bench-a", 0)).await.unwrap(),
            Arrival::Next
        );
        assert_eq!(
            model.apply(&recorded("bench-a", 1)).await.unwrap(),
            Arrival::Next
        );
        assert_eq!(
            model.apply(&recorded("bench-a", 0)).await.unwrap(),
            Arrival::Duplicate
        );
        assert_eq!(model.revision("bench-a").unwrap(), Some(1));
        assert_eq!(model.revision("bench-b").unwrap(), None);
    }
}
