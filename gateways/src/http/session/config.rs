//! Where the session settings come from: the environment in deployments, a fixed
//! development default for the all-in-one local mode.

use std::fmt;
use std::time::Duration;

/// Settings for signing session tokens and writing the session cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// HMAC secret shared by every API service (`JWT_KEY`).
    pub jwt_key: String,
    /// Whether the cookie carries `Secure` (HTTPS only). Off only for plain-HTTP local runs.
    pub secure_cookie: bool,
    /// How long a session lasts: the token's `exp - iat` and the cookie's `Max-Age`.
    pub ttl: Duration,
}

/// Why [`SessionConfig::from_env`] refused the environment.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SessionConfigError {
    /// `JWT_KEY` is unset or empty. Set it to the shared secret (the same in every service).
    #[error("JWT_KEY is not set (or empty); every API service needs the shared signing key")]
    MissingJwtKey,
    /// `SESSION_COOKIE_SECURE` is not a boolean. Set it to `true` or `false`.
    #[error("SESSION_COOKIE_SECURE must be true or false, got {0:?}")]
    InvalidSecureFlag(String),
    /// `SESSION_TTL_SECS` is not a positive number of seconds. Fix or unset it.
    #[error("SESSION_TTL_SECS must be a positive number of seconds, got {0:?}")]
    InvalidTtl(String),
}

impl SessionConfig {
    /// Session length when `SESSION_TTL_SECS` is unset.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);

    /// Reads `JWT_KEY` (required), `SESSION_COOKIE_SECURE` (default `true`) and
    /// `SESSION_TTL_SECS` (default one hour) from the process environment.
    pub fn from_env() -> Result<Self, SessionConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`SessionConfig::from_env`] with the variables looked up through `lookup`,
    /// so that flags or tests can supply them without touching the process environment.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SessionConfigError> {
        let jwt_key = lookup("JWT_KEY")
            .filter(|k| !k.trim().is_empty())
            .ok_or(SessionConfigError::MissingJwtKey)?;
        let secure_cookie = match lookup("SESSION_COOKIE_SECURE") {
            None => true,
            Some(raw) => match raw.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => true,
                "false" | "0" | "no" | "off" => false,
                _ => return Err(SessionConfigError::InvalidSecureFlag(raw)),
            },
        };
        let ttl = match lookup("SESSION_TTL_SECS") {
            None => Self::DEFAULT_TTL,
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(secs) if secs > 0 => Duration::from_secs(secs),
                _ => return Err(SessionConfigError::InvalidTtl(raw)),
            },
        };
        Ok(Self {
            jwt_key,
            secure_cookie,
            ttl,
        })
    }

    /// A fixed, publicly known key and a non-`Secure` cookie, for the all-in-one local
    /// mode only. Anyone can forge sessions under it: callers must log a warning.
    pub fn dev_default() -> Self {
        Self {
            jwt_key: "ticketing-dev-only-key-not-a-secret-do-not-deploy".to_owned(),
            secure_cookie: false,
            ttl: Self::DEFAULT_TTL,
        }
    }
}

// The key must never reach a log line through `{:?}`.
impl fmt::Debug for SessionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionConfig")
            .field("jwt_key", &"<redacted>")
            .field("secure_cookie", &self.secure_cookie)
            .field("ttl", &self.ttl)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<SessionConfig, SessionConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        SessionConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn a_missing_or_blank_jwt_key_is_refused() {
        assert_eq!(from(&[]), Err(SessionConfigError::MissingJwtKey));
        assert_eq!(
            from(&[("JWT_KEY", "  ")]),
            Err(SessionConfigError::MissingJwtKey)
        );
    }

    #[test]
    fn defaults_are_a_secure_cookie_for_one_hour() {
        let config = from(&[("JWT_KEY", "k")]);
        assert_eq!(
            config,
            Ok(SessionConfig {
                jwt_key: "k".to_owned(),
                secure_cookie: true,
                ttl: Duration::from_secs(3600)
            })
        );
    }

    #[test]
    fn secure_flag_and_ttl_are_read_and_checked() {
        let config = from(&[
            ("JWT_KEY", "k"),
            ("SESSION_COOKIE_SECURE", "false"),
            ("SESSION_TTL_SECS", "60"),
        ]);
        assert_eq!(
            config.map(|c| (c.secure_cookie, c.ttl)),
            Ok((false, Duration::from_secs(60)))
        );
        assert!(matches!(
            from(&[("JWT_KEY", "k"), ("SESSION_COOKIE_SECURE", "maybe")]),
            Err(SessionConfigError::InvalidSecureFlag(_))
        ));
        assert!(matches!(
            from(&[("JWT_KEY", "k"), ("SESSION_TTL_SECS", "0")]),
            Err(SessionConfigError::InvalidTtl(_))
        ));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let shown = format!("{:?}", SessionConfig::dev_default());
        assert!(!shown.contains("dev-only-key"), "{shown}");
    }
}
