//! Opening a sled database that a moment ago belonged to a handle being dropped.

use std::io::ErrorKind;
use std::path::Path;
use std::time::Duration;

/// How long to wait for a previous handle's background threads to release the lock.
const LOCK_PATIENCE: Duration = Duration::from_secs(5);
const STEP: Duration = Duration::from_millis(20);

/// Opens `config`, retrying while the directory's lock is still held by handles of this
/// process that are shutting down (sled's flusher thread lets go a little after the last
/// handle is dropped). Another process holding the lock gets the error after the wait.
pub fn open_with_patience(config: &sled::Config, dir: &Path) -> Result<sled::Db, sled::Error> {
    let mut waited = Duration::ZERO;
    loop {
        match config.open() {
            Err(sled::Error::Io(error))
                if error.kind() == ErrorKind::WouldBlock && waited < LOCK_PATIENCE =>
            {
                tracing::debug!(dir = %dir.display(), "sled directory still locked; waiting");
                std::thread::sleep(STEP);
                waited += STEP;
            }
            other => return other,
        }
    }
}
