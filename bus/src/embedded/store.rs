//! The embedded bus's durable state in sled: consumer definitions, checkpoints and dead
//! letters. Checkpoints are written without a flush per write (sled flushes in the
//! background): after a crash a consumer resumes a little earlier and handlers, which are
//! idempotent, see some events twice. Dead letters are flushed at once: losing one would
//! lose an event for good.

use std::path::Path;

use crate::{BusError, DeadLetter};

#[derive(Debug, Clone)]
pub(crate) struct BusStore {
    db: sled::Db,
    consumers: sled::Tree,
    checkpoints: sled::Tree,
    dead: sled::Tree,
    /// Re-drives asked for while the consumer was not running: taken when it starts.
    redrives: sled::Tree,
}

impl BusStore {
    pub(crate) fn open(dir: &Path) -> Result<Self, BusError> {
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(32 * 1024 * 1024);
        // A bus closed a moment ago in this process may still hold the lock for a few
        // milliseconds (sled's flusher lets go after the last handle): wait, bounded.
        let mut attempts = 0;
        let db = loop {
            match config.open() {
                Err(sled::Error::Io(e))
                    if attempts < 250
                        // sled reports a held lock as `Other` with the OS error in the text.
                        && (e.kind() == std::io::ErrorKind::WouldBlock
                            || e.to_string().contains("could not acquire lock")) =>
                {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => {
                    break other
                        .map_err(|e| BusError::Store(format!("opening {}: {e}", dir.display())))?;
                }
            }
        };
        Ok(BusStore {
            consumers: db.open_tree("consumers")?,
            checkpoints: db.open_tree("checkpoints")?,
            dead: db.open_tree("dead_letters")?,
            redrives: db.open_tree("redrive_requests")?,
            db,
        })
    }

    /// Records the consumer's category; an existing consumer must keep its category.
    pub(crate) fn register(&self, name: &str, category: &str) -> Result<(), BusError> {
        match self.consumers.get(name)? {
            Some(existing) if existing.as_ref() != category.as_bytes() => {
                Err(BusError::InvalidConfig(format!(
                    "consumer {name} exists with category {}, not {category}",
                    String::from_utf8_lossy(&existing)
                )))
            }
            Some(_) => Ok(()),
            None => {
                self.consumers.insert(name, category.as_bytes())?;
                Ok(())
            }
        }
    }

    pub(crate) fn consumer_names(&self) -> Result<Vec<(String, String)>, BusError> {
        self.consumers
            .iter()
            .map(|item| {
                let (k, v) = item?;
                Ok((
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ))
            })
            .collect()
    }

    /// The position from which the consumer must read (everything before is settled).
    pub(crate) fn checkpoint(&self, name: &str) -> Result<u64, BusError> {
        match self.checkpoints.get(name)? {
            None => Ok(0),
            Some(bytes) => {
                let raw: [u8; 8] = bytes
                    .as_ref()
                    .try_into()
                    .map_err(|_| BusError::Store(format!("checkpoint of {name} is not 8 bytes")))?;
                Ok(u64::from_be_bytes(raw))
            }
        }
    }

    pub(crate) fn save_checkpoint(&self, name: &str, position: u64) -> Result<(), BusError> {
        self.checkpoints.insert(name, &position.to_be_bytes())?;
        Ok(())
    }

    fn dead_key(consumer: &str, position: u64) -> Vec<u8> {
        let mut key = Vec::with_capacity(consumer.len() + 9);
        key.extend_from_slice(consumer.as_bytes());
        key.push(0);
        key.extend_from_slice(&position.to_be_bytes());
        key
    }

    fn dead_prefix(consumer: &str) -> Vec<u8> {
        let mut key = consumer.as_bytes().to_vec();
        key.push(0);
        key
    }

    pub(crate) fn put_dead_letter(&self, letter: &DeadLetter) -> Result<(), BusError> {
        let value = serde_json::to_vec(letter)
            .map_err(|e| BusError::Store(format!("encoding dead letter: {e}")))?;
        self.dead
            .insert(Self::dead_key(&letter.consumer, letter.position), value)?;
        self.db.flush()?;
        Ok(())
    }

    pub(crate) fn remove_dead_letter(&self, consumer: &str, position: u64) -> Result<(), BusError> {
        self.dead.remove(Self::dead_key(consumer, position))?;
        self.db.flush()?;
        Ok(())
    }

    pub(crate) fn dead_letters(&self, consumer: &str) -> Result<Vec<DeadLetter>, BusError> {
        self.dead
            .scan_prefix(Self::dead_prefix(consumer))
            .map(|item| {
                let (_, value) = item?;
                serde_json::from_slice(&value)
                    .map_err(|e| BusError::Store(format!("decoding dead letter: {e}")))
            })
            .collect()
    }

    /// Remembers that the dead letter at `position` must be delivered again when the
    /// consumer next runs.
    pub(crate) fn request_redrive(&self, consumer: &str, position: u64) -> Result<(), BusError> {
        self.redrives
            .insert(Self::dead_key(consumer, position), &[])?;
        self.db.flush()?;
        Ok(())
    }

    pub(crate) fn redrive_requests(&self, consumer: &str) -> Result<Vec<u64>, BusError> {
        let prefix = Self::dead_prefix(consumer);
        self.redrives
            .scan_prefix(&prefix)
            .map(|item| {
                let (key, _) = item?;
                let raw: [u8; 8] = key[prefix.len()..]
                    .try_into()
                    .map_err(|_| BusError::Store("malformed re-drive request key".into()))?;
                Ok(u64::from_be_bytes(raw))
            })
            .collect()
    }

    pub(crate) fn forget_redrive_request(
        &self,
        consumer: &str,
        position: u64,
    ) -> Result<(), BusError> {
        self.redrives.remove(Self::dead_key(consumer, position))?;
        Ok(())
    }

    pub(crate) fn flush(&self) -> Result<(), BusError> {
        self.db.flush()?;
        Ok(())
    }
}
