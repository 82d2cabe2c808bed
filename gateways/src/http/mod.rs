//! Shared HTTP pieces of the API services. Re-exports everything a service router needs.

mod correlation;
mod error;
mod fallback;
mod health;
mod json;
mod layers;
mod limits;
mod password;
mod path;
mod session;
mod shutdown;

pub use correlation::{CORRELATION_ID_HEADER, CorrelationId, REQUEST_ID_HEADER, correlation_id};
pub use error::{ApiError, BoxError, ErrorBody, ErrorItem, FieldError};
pub use fallback::{method_not_allowed, not_found};
pub use health::{Readiness, ReadinessCheck, ReadyFlag, health_routes};
pub use json::{ApiJson, JsonObject};
pub use layers::{ApiOptions, api_layers};
pub use limits::{DEFAULT_BODY_LIMIT, json_error_bodies};
pub use password::{PasswordError, hash_password, verify_password};
pub use path::PathId;
pub use session::{
    Claims, CurrentUser, IssuedSession, RequireUser, SESSION_COOKIE, SessionConfig,
    SessionConfigError, SessionError, SessionKeys,
};
pub use shutdown::shutdown_signal;
