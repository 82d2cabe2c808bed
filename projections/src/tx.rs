//! `Tx`: the writes of one batch, readable before they are committed, committed in one
//! atomic sled batch together with the checkpoint.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ProjectionError;

/// The key under which a generation tree keeps its checkpoint. Projections' keys must
/// not start with 0xff.
pub(crate) const CHECKPOINT_KEY: &[u8] = b"\xff\xffcheckpoint";

pub struct Tx<'a> {
    tree: &'a sled::Tree,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(tree: &'a sled::Tree) -> Self {
        Tx {
            tree,
            writes: BTreeMap::new(),
        }
    }

    /// The value under `key`, seeing this batch's own writes.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ProjectionError> {
        if let Some(written) = self.writes.get(key) {
            return Ok(written.clone());
        }
        Ok(self.tree.get(key)?.map(|v| v.to_vec()))
    }

    pub fn insert(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.writes.insert(key.into(), Some(value.into()));
    }

    pub fn remove(&mut self, key: impl Into<Vec<u8>>) {
        self.writes.insert(key.into(), None);
    }

    pub fn get_json<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, ProjectionError> {
        match self.get(key)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| ProjectionError::Corrupt(format!("{e}"))),
        }
    }

    pub fn insert_json<T: Serialize>(
        &mut self,
        key: impl Into<Vec<u8>>,
        value: &T,
    ) -> Result<(), ProjectionError> {
        let bytes =
            serde_json::to_vec(value).map_err(|e| ProjectionError::Corrupt(format!("{e}")))?;
        self.insert(key, bytes);
        Ok(())
    }

    /// Commits the writes and the checkpoint in one atomic batch.
    pub(crate) fn commit(self, checkpoint: u64) -> Result<(), ProjectionError> {
        let mut batch = sled::Batch::default();
        for (key, value) in self.writes {
            match value {
                Some(value) => batch.insert(key, value),
                None => batch.remove(key),
            }
        }
        batch.insert(CHECKPOINT_KEY, &checkpoint.to_be_bytes());
        self.tree.apply_batch(batch)?;
        Ok(())
    }
}

pub(crate) fn read_checkpoint(tree: &sled::Tree) -> Result<Option<u64>, ProjectionError> {
    match tree.get(CHECKPOINT_KEY)? {
        None => Ok(None),
        Some(bytes) => {
            let raw: [u8; 8] = bytes
                .as_ref()
                .try_into()
                .map_err(|_| ProjectionError::Corrupt("checkpoint is not 8 bytes".into()))?;
            Ok(Some(u64::from_be_bytes(raw)))
        }
    }
}
