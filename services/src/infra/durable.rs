//! Making a sled tree's writes durable before a delivery is acknowledged.
//!
//! Not `flush_async`: in sled 0.34.7 several concurrent `flush_async` calls can deadlock
//! sled's shared I/O pool for good (spacejam/sled#1308, seen here under load). A blocking
//! `flush` on tokio's blocking pool does not.

use super::ServiceError;

/// Flushes `tree` to disk off the async threads.
pub async fn flush_durably(tree: &sled::Tree) -> Result<(), ServiceError> {
    let tree = tree.clone();
    tokio::task::spawn_blocking(move || tree.flush())
        .await
        .map_err(|e| ServiceError::Store(format!("flush task failed: {e}")))??;
    Ok(())
}
