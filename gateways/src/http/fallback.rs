//! Answers for requests no route takes, in the contract's error body.

use super::error::ApiError;

/// Fallback for unknown routes: 404 "Not Found".
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Fallback for a known route with another method: 405 "Method not allowed". (The
/// contract only names unknown routes; a 405 keeps the same body shape.)
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
