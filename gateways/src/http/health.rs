//! `GET /healthz` (the process answers) and `GET /readyz` (the service is caught up and
//! its dependencies answer), mounted by every service, the expiration service included.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::error::{ErrorBody, ErrorItem};

/// Answers "what is not ready yet?". Empty means ready.
pub trait ReadinessCheck: Send + Sync + 'static {
    /// Short names or sentences for each part that is not ready.
    fn not_ready(&self) -> Vec<String>;
}

impl<F> ReadinessCheck for F
where
    F: Fn() -> Vec<String> + Send + Sync + 'static,
{
    fn not_ready(&self) -> Vec<String> {
        self()
    }
}

/// A set of named flags, one per part of a service (each projection, the bus
/// connection, ...); the service is ready when all are set. Clone it freely.
#[derive(Debug, Clone, Default)]
pub struct Readiness {
    parts: Arc<Mutex<Vec<Part>>>,
}

#[derive(Debug)]
struct Part {
    name: String,
    ready: Arc<AtomicBool>,
}

/// The flag of one registered part; the part's task sets it when caught up and clears
/// it when it falls behind or loses its connection.
#[derive(Debug, Clone)]
pub struct ReadyFlag(Arc<AtomicBool>);

impl ReadyFlag {
    /// Marks the part ready (`true`) or not (`false`).
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::Release);
    }
}

impl Readiness {
    /// An empty set: ready until a part is registered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a part, initially not ready.
    pub fn register(&self, name: impl Into<String>) -> ReadyFlag {
        let flag = Arc::new(AtomicBool::new(false));
        self.lock().push(Part {
            name: name.into(),
            ready: flag.clone(),
        });
        ReadyFlag(flag)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Part>> {
        // A panic while holding this lock cannot leave the list half-written (push is
        // the only write), so a poisoned lock is still usable.
        self.parts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ReadinessCheck for Readiness {
    fn not_ready(&self) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|part| !part.ready.load(Ordering::Acquire))
            .map(|part| format!("{} is not ready", part.name))
            .collect()
    }
}

/// Routes `GET /healthz` → 200 `{"status":"ok"}` and `GET /readyz` → 200
/// `{"status":"ready"}`, or 503 with the error body listing each part not ready.
pub fn health_routes<S>(check: impl ReadinessCheck) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let check = Arc::new(check);
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .route(
            "/readyz",
            get(move || {
                let check = check.clone();
                async move { readiness_response(check.not_ready()) }
            }),
        )
}

fn readiness_response(not_ready: Vec<String>) -> Response {
    if not_ready.is_empty() {
        return Json(serde_json::json!({"status": "ready"})).into_response();
    }
    let body = ErrorBody {
        errors: not_ready
            .into_iter()
            .map(|message| ErrorItem {
                message,
                field: None,
            })
            .collect(),
    };
    (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_lists_only_the_parts_not_yet_ready() {
        let readiness = Readiness::new();
        assert!(readiness.not_ready().is_empty());
        let tickets = readiness.register("tickets projection");
        let _bus = readiness.register("bus");
        tickets.set(true);
        assert_eq!(readiness.not_ready(), vec!["bus is not ready".to_owned()]);
    }
}
