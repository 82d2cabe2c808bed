//! JSON body extractors whose every rejection is an [`ApiError`]: malformed JSON or the
//! wrong shape is a 400, a missing or non-JSON content type a 415, an oversized body a 413.
//!
//! The body limit is axum's `DefaultBodyLimit` (set by [`crate::http::api_layers`]) plus
//! tower-http's global cap; both surface here as a length-limit rejection.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::ApiError;

/// Like `axum::Json`, but rejections are [`ApiError`]s with the contract's body.
///
/// As a response it serializes `T` like `axum::Json` (a serialization failure is a 500).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| ApiError::bad_request(describe(&e)))
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// A JSON object body kept as raw values, for handlers that validate each field
/// themselves to produce the contract's per-field messages. Any non-object body
/// (array, string, number, null) is a 400.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonObject(pub Map<String, Value>);

impl JsonObject {
    /// The value of `field`, if present (JSON `null` included).
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field)
    }

    /// The value of `field` if it is a JSON string.
    pub fn str(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(Value::as_str)
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiJson(value) = ApiJson::<Value>::from_request(req, state).await?;
        match value {
            Value::Object(map) => Ok(JsonObject(map)),
            _ => Err(ApiError::bad_request("Request body must be a JSON object")),
        }
    }
}

/// Checks the content type, then reads the body within the configured limit.
async fn json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    if !is_json_content_type(req.headers()) {
        return Err(ApiError::UnsupportedMediaType);
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            // Any other failure to read is the connection breaking mid-body: the client's
            // side, reported as a 400 so that it does not count as our fault.
            ApiError::bad_request(format!("Could not read the request body: {rejection}"))
        }
    })
}

/// `application/json` or any `application/*+json`, parameters (charset) ignored.
fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || subtype.to_ascii_lowercase().ends_with("+json"))
}

/// A client-facing description of a body that did not parse. serde_json's messages name
/// the field and position, which is what the client needs and reveals nothing of ours.
fn describe(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof => format!("Request body is not valid JSON: {error}"),
        Category::Data => format!("Request body has the wrong shape: {error}"),
        Category::Io => format!("Could not read the request body: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers_with(content_type: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers
    }

    #[test]
    fn json_content_types_with_charset_or_suffix_are_accepted() {
        assert!(is_json_content_type(&headers_with("application/json")));
        assert!(is_json_content_type(&headers_with(
            "Application/JSON; charset=utf-8"
        )));
        assert!(is_json_content_type(&headers_with(
            "application/merge-patch+json"
        )));
    }

    #[test]
    fn other_or_missing_content_types_are_rejected() {
        assert!(!is_json_content_type(&HeaderMap::new()));
        assert!(!is_json_content_type(&headers_with("text/plain")));
        assert!(!is_json_content_type(&headers_with(
            "application/x-www-form-urlencoded"
        )));
        assert!(!is_json_content_type(&headers_with("application/jsonx")));
    }
}
