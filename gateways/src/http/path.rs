//! The `{id}` path segment as a UUID. The contract treats a malformed id like an unknown
//! one, so a segment that is not a UUID is a 404, not a 400.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use uuid::Uuid;

use super::error::ApiError;

/// The single path parameter of a route such as `/api/tickets/{id}`, parsed as a UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<Uuid>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(PathId(id)),
            Err(rejection) => Err(classify(rejection)),
        }
    }
}

/// A value that does not parse is the client's 404; a route declared with the wrong
/// number of parameters is our bug, a 500.
fn classify(rejection: PathRejection) -> ApiError {
    match rejection {
        PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
            ErrorKind::WrongNumberOfParameters { .. } | ErrorKind::UnsupportedType { .. } => {
                ApiError::internal(format!("PathId used on an unsuitable route: {e}"))
            }
            _ => ApiError::NotFound,
        },
        other => ApiError::internal(format!(
            "PathId used on a route without parameters: {other}"
        )),
    }
}
