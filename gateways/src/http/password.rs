//! Password hashing with Argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane),
//! stored as PHC strings. Hashing takes tens of milliseconds of CPU, so it runs on
//! tokio's blocking pool, never on the async worker threads.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use super::error::ApiError;

/// OWASP Password Storage Cheat Sheet: m = 19456 KiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

/// Why hashing or verification failed. All are our faults (a 500 through
/// `From<PasswordError> for ApiError`); a wrong password is `Ok(false)`, not an error.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The Argon2 parameters were refused. A bug in this module's constants.
    #[error("invalid Argon2 parameters: {0}")]
    Params(argon2::Error),
    /// Argon2 refused to hash (e.g. the RNG failed). Check the host, not the input.
    #[error("could not hash the password: {0}")]
    Hash(argon2::password_hash::Error),
    /// The stored hash is not a PHC string Argon2 understands. The stored record is
    /// corrupt: investigate it, do not treat it as a wrong password.
    #[error("the stored password hash is unreadable: {0}")]
    StoredHash(String),
    /// Verification failed for another reason than a mismatch.
    #[error("could not verify the password: {0}")]
    Verify(argon2::password_hash::Error),
    /// The blocking task panicked or was cancelled at shutdown. Retry the request.
    #[error("the password task did not complete: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<PasswordError> for ApiError {
    fn from(error: PasswordError) -> Self {
        ApiError::internal(error)
    }
}

/// Hashes `password` with a fresh random salt; returns the PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash_password(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
        hasher()?
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(PasswordError::Hash)
    })
    .await?
}

/// Whether `password` matches the PHC string `stored_hash`. The comparison inside
/// argon2 is constant-time; the parameters come from the stored hash, so hashes made
/// with older parameters still verify.
pub async fn verify_password(password: String, stored_hash: String) -> Result<bool, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored_hash)
            .map_err(|e| PasswordError::StoredHash(e.to_string()))?;
        match hasher()?.verify_password(password.as_bytes(), &parsed) {
            Ok(()) => Ok(true),
            Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
            Err(other) => Err(PasswordError::Verify(other)),
        }
    })
    .await?
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params =
        Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).map_err(PasswordError::Params)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}
