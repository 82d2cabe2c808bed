//! The one error type of every API handler and extractor, and the JSON error body of the
//! HTTP contract: `{"errors":[{"message":"...","field":"..."}]}` (`field` only for
//! validation errors).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Any error a library may hand to [`ApiError::internal`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One invalid input field, as reported to the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Human-readable rule the field broke, e.g. "Email must be valid".
    pub message: String,
    /// Name of the field in the request body, e.g. "email".
    pub field: String,
}

impl FieldError {
    /// A field error for `field` saying `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            field: field.into(),
        }
    }
}

/// Everything an API request can fail with. Each variant maps to one status code and
/// always renders the contract's error body.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: one or more fields are invalid. The client should fix the named fields.
    #[error("invalid request: {0:?}")]
    Validation(Vec<FieldError>),
    /// 400: the request is well-formed but a business rule rejects it (e.g. "Email in
    /// use"). The client should not retry unchanged.
    #[error("{0}")]
    BadRequest(String),
    /// 401: not signed in, or not the owner. The client should sign in (as the owner).
    #[error("Not authorized")]
    NotAuthorized,
    /// 404: unknown route or id (a malformed id included). The client should not retry.
    #[error("Not Found")]
    NotFound,
    /// 405: the route exists but not for this method. The client should use another method.
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// 409: a write conflict that retries could not resolve. The client may retry later.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body exceeds the configured limit. The client should send less.
    #[error("Request body is too large")]
    PayloadTooLarge,
    /// 415: the body is not declared as JSON. The client should send
    /// `Content-Type: application/json`.
    #[error("Expected a request with Content-Type: application/json")]
    UnsupportedMediaType,
    /// 503: a dependency is down or the service is not ready. The client may retry later.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a fault on our side. The cause is logged, never sent; the client may retry.
    #[error("Internal server error")]
    Internal(#[source] BoxError),
}

impl ApiError {
    /// A 400 listing the given invalid fields.
    pub fn validation(errors: impl IntoIterator<Item = FieldError>) -> Self {
        Self::Validation(errors.into_iter().collect())
    }

    /// A 400 for a single invalid field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// A 400 business-rule rejection with this message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }

    /// A 409 with this message.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    /// A 503 with this message.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable(message.into())
    }

    /// A 500 whose `cause` is logged but never shown to the client.
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        Self::Internal(cause.into())
    }

    /// The status code this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotAuthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body this error is answered with.
    pub fn body(&self) -> ErrorBody {
        match self {
            Self::Validation(fields) => ErrorBody {
                errors: fields
                    .iter()
                    .map(|f| ErrorItem {
                        message: f.message.clone(),
                        field: Some(f.field.clone()),
                    })
                    .collect(),
            },
            // Display of `Internal` is the generic text, so the cause cannot leak here.
            other => ErrorBody::message(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = %ErrorChain(cause.as_ref()), "request failed with an internal error");
        }
        (self.status(), self.body()).into_response()
    }
}

/// The contract's error body. Public so that responses which are not an [`ApiError`]
/// (readiness listing several reasons) use the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// The reported errors, at least one.
    pub errors: Vec<ErrorItem>,
}

impl ErrorBody {
    /// A body with one message and no field.
    pub fn message(message: impl Into<String>) -> Self {
        Self {
            errors: vec![ErrorItem {
                message: message.into(),
                field: None,
            }],
        }
    }
}

impl IntoResponse for ErrorBody {
    fn into_response(self) -> Response {
        Json(self).into_response()
    }
}

/// One entry of [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorItem {
    /// What went wrong, for people.
    pub message: String,
    /// The offending field; only for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Displays an error with all its sources, so one log line carries the whole cause.
struct ErrorChain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_their_field_and_other_errors_do_not() {
        let body = serde_json::to_value(ApiError::field("email", "Email must be valid").body());
        assert_eq!(
            body.ok(),
            Some(serde_json::json!({"errors":[{"message":"Email must be valid","field":"email"}]}))
        );
        let body = serde_json::to_value(ApiError::bad_request("Email in use").body());
        assert_eq!(
            body.ok(),
            Some(serde_json::json!({"errors":[{"message":"Email in use"}]}))
        );
    }

    #[test]
    fn an_internal_error_never_shows_its_cause() {
        let error = ApiError::internal("disk on fire at /var/lib/secret");
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            error.body(),
            ErrorBody::message("Internal server error".to_owned())
        );
    }
}
