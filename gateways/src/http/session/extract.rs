//! Extractors for the signed-in user. The keys come from the app state through
//! `FromRef`: `impl FromRef<AppState> for SessionKeys`.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use super::keys::{Claims, SessionKeys};
use crate::http::error::ApiError;

/// The signed-in user, or `None` when the cookie is missing, forged, or expired.
/// Never rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser(pub Option<Claims>);

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    SessionKeys: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(CurrentUser(
            SessionKeys::from_ref(state).from_headers(&parts.headers),
        ))
    }
}

/// The signed-in user; a request without a valid session is rejected with 401
/// "Not authorized". List it before any body extractor so that 401 comes first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequireUser(pub Claims);

impl<S> FromRequestParts<S> for RequireUser
where
    S: Send + Sync,
    SessionKeys: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        SessionKeys::from_ref(state)
            .from_headers(&parts.headers)
            .map(RequireUser)
            .ok_or(ApiError::NotAuthorized)
    }
}
