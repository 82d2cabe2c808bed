//! Body limits, and the middleware that gives framework-made error responses (tower-http's
//! bare 413, a text rejection from an axum extractor) the contract's error body.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ErrorBody};

/// Default cap on request bodies: the contract's bodies are a few hundred bytes.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// How much of a framework's text error body is kept as the message.
const MAX_REUSED_MESSAGE: usize = 1024;

/// Middleware (`axum::middleware::from_fn(json_error_bodies)`): an error response that
/// is not JSON is rewritten to the contract's body with the same status. Handlers that
/// return [`ApiError`] pass through untouched.
pub async fn json_error_bodies(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let message = match status {
        StatusCode::NOT_FOUND => ApiError::NotFound.to_string(),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed.to_string(),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge.to_string(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType.to_string(),
        StatusCode::UNAUTHORIZED => ApiError::NotAuthorized.to_string(),
        // A fault's text could describe our internals: never forward it.
        s if s.is_server_error() => "Internal server error".to_owned(),
        s => client_message(body, s).await,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let rewritten = ErrorBody::message(message).into_response();
    let (new_parts, new_body) = rewritten.into_parts();
    parts.headers.extend(new_parts.headers);
    Response::from_parts(parts, new_body)
}

/// The text an axum extractor wrote (e.g. "Failed to deserialize query string: ..."),
/// which tells the client what to fix; the status's reason when there is none.
async fn client_message(body: Body, status: StatusCode) -> String {
    let fallback = status
        .canonical_reason()
        .unwrap_or("Bad request")
        .to_owned();
    match to_bytes(body, MAX_REUSED_MESSAGE).await {
        Ok(bytes) if !bytes.is_empty() => match String::from_utf8(bytes.to_vec()) {
            Ok(text) if !text.trim().is_empty() => text.trim().to_owned(),
            _ => fallback,
        },
        _ => fallback,
    }
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        })
}
