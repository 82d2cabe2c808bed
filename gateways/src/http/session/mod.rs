//! Sessions: an HS256 JWT (`{id, email, iat, exp}`) in the `session` cookie, verified
//! with the `JWT_KEY` shared by every API service.

mod config;
mod extract;
mod keys;

pub use config::{SessionConfig, SessionConfigError};
pub use extract::{CurrentUser, RequireUser};
pub use keys::{Claims, IssuedSession, SESSION_COOKIE, SessionError, SessionKeys};
