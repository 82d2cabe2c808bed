//! `ReadModels`: one service's sled database. Each projection lives in a generation tree
//! `{name}/{generation}`; the `meta` tree says which generation is active, so a rebuild
//! can fill a new generation while the old one still answers queries.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use serde::de::DeserializeOwned;

use crate::ProjectionError;
use crate::tx::read_checkpoint;

#[derive(Clone)]
pub struct ReadModels {
    db: sled::Db,
    meta: sled::Tree,
    views: Arc<Mutex<HashMap<String, View>>>,
}

impl std::fmt::Debug for ReadModels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadModels").finish_non_exhaustive()
    }
}

/// The active generation of one projection, for queries. Cheap to clone; follows swaps.
#[derive(Clone)]
pub struct View {
    active: Arc<RwLock<(u64, sled::Tree)>>,
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("generation", &self.generation())
            .finish()
    }
}

impl ReadModels {
    /// Opens (or creates) the sled database in `dir`. sled locks it to this process.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, ProjectionError> {
        let dir = dir.as_ref();
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(64 * 1024 * 1024);
        let db = crate::open_with_patience(&config, dir)
            .map_err(|e| ProjectionError::Store(format!("opening {}: {e}", dir.display())))?;
        let meta = db.open_tree("meta")?;
        Ok(ReadModels {
            db,
            meta,
            views: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// A plain tree for state that is not a projection (e.g. copies fed by the bus).
    pub fn tree(&self, name: &str) -> Result<sled::Tree, ProjectionError> {
        Ok(self.db.open_tree(name)?)
    }

    /// The active generation of projection `name`.
    pub fn view(&self, name: &str) -> Result<View, ProjectionError> {
        let mut views = self
            .views
            .lock()
            .map_err(|_| ProjectionError::Store("view registry poisoned".into()))?;
        if let Some(view) = views.get(name) {
            return Ok(view.clone());
        }
        let generation = self.active_generation(name)?;
        let tree = self.db.open_tree(tree_name(name, generation))?;
        let view = View {
            active: Arc::new(RwLock::new((generation, tree))),
        };
        views.insert(name.to_owned(), view.clone());
        Ok(view)
    }

    fn active_generation(&self, name: &str) -> Result<u64, ProjectionError> {
        match self.meta.get(format!("active/{name}"))? {
            None => Ok(0),
            Some(bytes) => {
                let raw: [u8; 8] = bytes.as_ref().try_into().map_err(|_| {
                    ProjectionError::Corrupt(format!("active generation of {name}"))
                })?;
                Ok(u64::from_be_bytes(raw))
            }
        }
    }

    /// An empty tree for the next generation of `name` (cleared if a failed rebuild left one).
    pub(crate) fn next_generation(&self, name: &str) -> Result<(u64, sled::Tree), ProjectionError> {
        let generation = self.view(name)?.generation() + 1;
        let tree = self.db.open_tree(tree_name(name, generation))?;
        tree.clear()?;
        Ok((generation, tree))
    }

    /// Makes `generation` the active one and drops the previous tree.
    pub(crate) fn swap(&self, name: &str, generation: u64) -> Result<(), ProjectionError> {
        let view = self.view(name)?;
        let tree = self.db.open_tree(tree_name(name, generation))?;
        self.meta
            .insert(format!("active/{name}"), &generation.to_be_bytes())?;
        self.db.flush()?;
        let old = {
            let mut active = view
                .active
                .write()
                .map_err(|_| ProjectionError::Store("view lock poisoned".into()))?;
            std::mem::replace(&mut *active, (generation, tree))
        };
        self.db.drop_tree(tree_name(name, old.0))?;
        Ok(())
    }

    /// Writes everything to disk (sled also flushes in the background every 500 ms).
    pub fn flush(&self) -> Result<(), ProjectionError> {
        self.db.flush()?;
        Ok(())
    }
}

/// A raw key and value of a read model.
pub type KeyValue = (Vec<u8>, Vec<u8>);

fn tree_name(name: &str, generation: u64) -> String {
    format!("{name}/{generation}")
}

impl View {
    pub fn generation(&self) -> u64 {
        self.active.read().map_or(0, |active| active.0)
    }

    /// The active tree (a cheap handle).
    pub fn tree(&self) -> Result<sled::Tree, ProjectionError> {
        self.active
            .read()
            .map(|active| active.1.clone())
            .map_err(|_| ProjectionError::Store("view lock poisoned".into()))
    }

    /// The next log position this read model will apply (0 when empty).
    pub fn checkpoint(&self) -> Result<u64, ProjectionError> {
        Ok(read_checkpoint(&self.tree()?)?.unwrap_or(0))
    }

    pub fn get_json<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, ProjectionError> {
        match self.tree()?.get(key)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| ProjectionError::Corrupt(format!("{e}"))),
        }
    }

    /// Every value under `prefix`, in key order.
    pub fn scan_json<T: DeserializeOwned>(&self, prefix: &[u8]) -> Result<Vec<T>, ProjectionError> {
        self.tree()?
            .scan_prefix(prefix)
            .map(|item| {
                let (_, bytes) = item?;
                serde_json::from_slice(&bytes).map_err(|e| ProjectionError::Corrupt(format!("{e}")))
            })
            .collect()
    }

    /// Every key and raw value of the active generation except the checkpoint, for
    /// comparing two builds.
    pub fn dump(&self) -> Result<Vec<KeyValue>, ProjectionError> {
        self.tree()?
            .iter()
            .filter(|item| {
                item.as_ref()
                    .map_or(true, |(k, _)| k.as_ref() != crate::tx::CHECKPOINT_KEY)
            })
            .map(|item| {
                let (k, v) = item?;
                Ok((k.to_vec(), v.to_vec()))
            })
            .collect()
    }
}
