//! Correlation ids: taken from `x-correlation-id` (or `x-request-id`) when the caller
//! sends a UUID, generated otherwise; kept in the request extensions for handlers (who
//! stamp it on the events they append), recorded on the request's tracing span, and
//! echoed in the response so a client can quote it.

use std::time::Instant;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use uuid::Uuid;

use super::error::ApiError;

/// The header read and echoed.
pub const CORRELATION_ID_HEADER: HeaderName = HeaderName::from_static("x-correlation-id");
/// Accepted as a fallback, as proxies such as ingress-nginx set it.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The correlation id of the current request. Rejects with a 500 if
/// [`correlation_id`] is not installed, since ids would silently stop linking events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CorrelationId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for CorrelationId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CorrelationId>()
            .copied()
            .ok_or_else(|| ApiError::internal("the correlation id middleware is not installed"))
    }
}

/// Middleware (`axum::middleware::from_fn(correlation_id)`): assigns the id, runs the
/// request inside a span carrying method, path and id, and logs one line per request
/// with status and latency.
pub async fn correlation_id(mut req: Request, next: Next) -> Response {
    let id = incoming_id(req.headers()).unwrap_or_else(Uuid::new_v4);
    req.extensions_mut().insert(CorrelationId(id));
    let span = tracing::info_span!(
        "http_request",
        method = %req.method(),
        path = %req.uri().path(),
        correlation_id = %id,
    );
    let started = Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    span.in_scope(|| {
        if response.status().is_server_error() {
            tracing::error!(status, latency_ms, "request finished");
        } else {
            tracing::info!(status, latency_ms, "request finished");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert(CORRELATION_ID_HEADER, value);
    }
    response
}

/// The caller's id if it is a UUID. Anything else is replaced rather than trusted, so
/// logs and event metadata only ever hold UUIDs.
fn incoming_id(headers: &HeaderMap) -> Option<Uuid> {
    [CORRELATION_ID_HEADER, REQUEST_ID_HEADER]
        .iter()
        .filter_map(|name| headers.get(name))
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| Uuid::parse_str(value.trim()).ok())
}
