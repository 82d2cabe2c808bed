//! The stack every API router gets: fallbacks, body limits, JSON error bodies,
//! correlation ids and request logs.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn;
use tower_http::limit::RequestBodyLimitLayer;

use super::correlation::correlation_id;
use super::fallback::{method_not_allowed, not_found};
use super::limits::{DEFAULT_BODY_LIMIT, json_error_bodies};

/// Options of [`api_layers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiOptions {
    /// Largest accepted request body in bytes; larger is a 413.
    pub body_limit: usize,
}

impl Default for ApiOptions {
    fn default() -> Self {
        Self {
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

/// Wraps a service's complete router (health routes merged in). Call it last: a
/// `fallback` set afterwards would replace the 404 body, and routes added afterwards
/// would miss the layers.
///
/// From the outside in: correlation id + request log (outermost, so the logged status is
/// the final one), JSON error bodies, tower-http's body cap (a `Content-Length` over the
/// limit is refused before the handler runs; a chunked body is cut off while read),
/// axum's `DefaultBodyLimit` at the same size (its 2 MB default would otherwise apply to
/// extractors), then the routes with 404/405 fallbacks.
pub fn api_layers<S>(router: Router<S>, options: ApiOptions) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(options.body_limit))
        .layer(RequestBodyLimitLayer::new(options.body_limit))
        .layer(from_fn(json_error_bodies))
        .layer(from_fn(correlation_id))
}
