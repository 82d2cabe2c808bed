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
            Err(sled::Error::Io(error)) if is_lock_held(&error) && waited < LOCK_PATIENCE => {
                tracing::debug!(dir = %dir.display(), "sled directory still locked; waiting");
                std::thread::sleep(STEP);
                waited += STEP;
            }
            other => return other,
        }
    }
}

/// sled reports a held lock as `Other` with the OS error in the message.
pub fn is_lock_held(error: &std::io::Error) -> bool {
    error.kind() == ErrorKind::WouldBlock || error.to_string().contains("could not acquire lock")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_lock_released_soon_after_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let config = sled::Config::new().path(dir.path());
        let held = config.open().unwrap();
        let holder = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(held);
        });
        let reopened = open_with_patience(&config, dir.path());
        holder.join().unwrap();
        assert!(
            reopened.is_ok(),
            "waited for the lock: {:?}",
            reopened.err()
        );
    }
}
