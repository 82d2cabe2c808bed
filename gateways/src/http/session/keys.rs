//! Signing and verifying session tokens (HS256 JWTs) and the `session` cookie that
//! carries them.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, header};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::config::SessionConfig;
use crate::http::error::ApiError;

/// Name of the cookie that holds the token.
pub const SESSION_COOKIE: &str = "session";

/// What a session token says about the signed-in user. Serialized with exactly these
/// names: `GET /api/users/currentuser` returns it as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id (a UUID string on the wire).
    pub id: Uuid,
    /// The user's email at sign-in.
    pub email: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: i64,
}

/// A freshly issued session: the claims, the token, and the `Set-Cookie` value to send.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    /// The claims inside the token.
    pub claims: Claims,
    /// The signed JWT.
    pub token: String,
    /// `Set-Cookie` header value that stores the token in the browser.
    pub set_cookie: HeaderValue,
}

/// Why a session could not be issued or the keys could not be built. All are our faults
/// (a 500 through `From<SessionError> for ApiError`).
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The key was rejected by the JWT library. Fix `JWT_KEY`.
    #[error("the session key is unusable: {0}")]
    Key(#[source] jsonwebtoken::errors::Error),
    /// Signing failed. Check that exactly one jsonwebtoken crypto feature is enabled.
    #[error("could not sign the session token: {0}")]
    Sign(#[source] jsonwebtoken::errors::Error),
    /// The TTL does not fit in a token's timestamps. Configure a shorter TTL.
    #[error("the session TTL is too long to express as a token expiry")]
    TtlOutOfRange,
    /// The clock is before 1970. Fix the host clock.
    #[error("the system clock is before the Unix epoch")]
    ClockBeforeEpoch,
    /// The token is not a valid header value (cannot happen with base64url tokens; kept so
    /// that nothing panics).
    #[error("the session token is not a valid cookie value")]
    Cookie,
}

impl From<SessionError> for ApiError {
    fn from(error: SessionError) -> Self {
        ApiError::internal(error)
    }
}

/// Issues and verifies session tokens. Cheap to clone (shared inside); put one in every
/// API service's state and expose it with `FromRef` for the session extractors.
#[derive(Clone)]
pub struct SessionKeys {
    inner: Arc<Inner>,
}

struct Inner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    secure_cookie: bool,
    ttl_secs: i64,
}

impl SessionKeys {
    /// Keys for `config`. Tokens are HS256 only: other algorithms (`none` included) never
    /// verify, and expiry is enforced with no leeway.
    pub fn new(config: &SessionConfig) -> Result<Self, SessionError> {
        let secret = config.jwt_key.as_bytes();
        let encoding = EncodingKey::from_secret(secret).map_err(SessionError::Key)?;
        let decoding = DecodingKey::from_secret(secret).map_err(SessionError::Key)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = true;
        let ttl_secs =
            i64::try_from(config.ttl.as_secs()).map_err(|_| SessionError::TtlOutOfRange)?;
        if secret.len() < 32 {
            tracing::warn!("JWT_KEY is shorter than 32 bytes; HS256 keys should be longer");
        }
        Ok(Self {
            inner: Arc::new(Inner {
                encoding,
                decoding,
                validation,
                secure_cookie: config.secure_cookie,
                ttl_secs,
            }),
        })
    }

    /// A session for this user starting now.
    pub fn issue(&self, id: Uuid, email: &str) -> Result<IssuedSession, SessionError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| SessionError::ClockBeforeEpoch)?;
        let now = i64::try_from(now.as_secs()).map_err(|_| SessionError::ClockBeforeEpoch)?;
        self.issue_at(id, email, now)
    }

    /// A session for this user issued at `issued_at` (Unix seconds). For tests and tools
    /// that need a token from another time; handlers use [`SessionKeys::issue`].
    pub fn issue_at(
        &self,
        id: Uuid,
        email: &str,
        issued_at: i64,
    ) -> Result<IssuedSession, SessionError> {
        let exp = issued_at
            .checked_add(self.inner.ttl_secs)
            .ok_or(SessionError::TtlOutOfRange)?;
        let claims = Claims {
            id,
            email: email.to_owned(),
            iat: issued_at,
            exp,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.inner.encoding,
        )
        .map_err(SessionError::Sign)?;
        let set_cookie = self.set_cookie(&token)?;
        Ok(IssuedSession {
            claims,
            token,
            set_cookie,
        })
    }

    /// The claims of `token` if it is ours, HS256, and not expired; otherwise `None`
    /// (a bad token means "not signed in", never an error).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.inner.decoding, &self.inner.validation)
            .map(|data| data.claims)
            .ok()
    }

    /// The claims of the `session` cookie in `headers`, if any verifies.
    pub fn from_headers(&self, headers: &HeaderMap) -> Option<Claims> {
        session_cookie_values(headers).find_map(|token| self.verify(token))
    }

    /// `Set-Cookie` value that removes the session cookie (sign-out).
    pub fn clear_cookie(&self) -> HeaderValue {
        if self.inner.secure_cookie {
            HeaderValue::from_static(
                "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax; Secure",
            )
        } else {
            HeaderValue::from_static(
                "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax",
            )
        }
    }

    fn set_cookie(&self, token: &str) -> Result<HeaderValue, SessionError> {
        let secure = if self.inner.secure_cookie {
            "; Secure"
        } else {
            ""
        };
        let value = format!(
            "{SESSION_COOKIE}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            self.inner.ttl_secs
        );
        HeaderValue::from_str(&value).map_err(|_| SessionError::Cookie)
    }
}

// Keys must never reach a log line through `{:?}`.
impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeys")
            .field("keys", &"<redacted>")
            .field("secure_cookie", &self.inner.secure_cookie)
            .field("ttl_secs", &self.inner.ttl_secs)
            .finish()
    }
}

/// Every `session=` value across all `Cookie` headers (HTTP/2 may split them).
fn session_cookie_values(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name.trim() == SESSION_COOKIE).then(|| value.trim().trim_matches('"'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others_and_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("theme=dark"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; session=tok.en.sig ; b=2"),
        );
        let found: Vec<&str> = session_cookie_values(&headers).collect();
        assert_eq!(found, vec!["tok.en.sig"]);
    }
}
