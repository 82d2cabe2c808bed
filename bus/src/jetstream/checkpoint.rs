//! The relay's checkpoint: the log position from which it must publish after a restart,
//! in a small file replaced atomically (write a temporary file, fsync, rename, fsync the
//! directory), so a crash leaves either the old or the new value, never a torn one.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::BusError;

/// A checkpoint file. The relay saves it every few hundred milliseconds and on stop.
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    path: PathBuf,
}

impl CheckpointFile {
    /// The checkpoint at `path` (created on first save; its directory must exist).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        CheckpointFile { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved position, 0 when the file does not exist yet.
    pub fn load(&self) -> Result<u64, BusError> {
        match fs::read_to_string(&self.path) {
            Ok(text) => text.trim().parse().map_err(|_| {
                BusError::Store(format!(
                    "relay checkpoint {} holds {text:?}, not a position",
                    self.path.display()
                ))
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(error) => Err(self.io_error("reading", &error)),
        }
    }

    /// Replaces the saved position durably.
    pub fn save(&self, position: u64) -> Result<(), BusError> {
        let temporary = self.path.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            let mut file = File::create(&temporary)?;
            file.write_all(format!("{position}\n").as_bytes())?;
            file.sync_all()?;
            fs::rename(&temporary, &self.path)?;
            let directory = match self.path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            File::open(directory)?.sync_all()
        };
        write().map_err(|error| self.io_error("writing", &error))
    }

    fn io_error(&self, doing: &str, error: &std::io::Error) -> BusError {
        BusError::Store(format!(
            "{doing} relay checkpoint {}: {error}",
            self.path.display()
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_checkpoint_reads_as_the_start() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            CheckpointFile::new(dir.path().join("relay"))
                .load()
                .unwrap(),
            0
        );
    }

    #[test]
    fn a_saved_checkpoint_is_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = CheckpointFile::new(dir.path().join("relay"));
        file.save(42).unwrap();
        file.save(43).unwrap();
        assert_eq!(CheckpointFile::new(file.path()).load().unwrap(), 43);
        assert!(!dir.path().join("relay.tmp").exists());
    }

    #[test]
    fn a_garbled_checkpoint_is_an_error_not_a_restart_from_zero() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay");
        std::fs::write(&path, "garbage").unwrap();
        assert!(CheckpointFile::new(path).load().is_err());
    }
}
