//! A small service built from the shared pieces, served on a real port, and a raw HTTP/1.1
//! client for what reqwest cannot send (chunked bodies without extra features).
#![allow(clippy::unwrap_used, dead_code)]

use axum::extract::{FromRef, Query};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use gateways::http::{
    ApiError, ApiJson, ApiOptions, CorrelationId, CurrentUser, JsonObject, PathId, ReadinessCheck,
    RequireUser, SessionConfig, SessionKeys, api_layers, health_routes,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

pub const TEST_KEY: &str = "a-test-key-that-is-at-least-32-bytes-long";

#[derive(Clone)]
pub struct TestState {
    pub keys: SessionKeys,
}

impl FromRef<TestState> for SessionKeys {
    fn from_ref(state: &TestState) -> Self {
        state.keys.clone()
    }
}

#[derive(Debug, Deserialize, Serialize)]
struct Signup {
    email: String,
    count: u32,
}

#[derive(Debug, Deserialize)]
struct Paging {
    page: u32,
}

pub fn session_config(secure_cookie: bool) -> SessionConfig {
    SessionConfig {
        jwt_key: TEST_KEY.to_owned(),
        secure_cookie,
        ttl: Duration::from_secs(600),
    }
}

/// The routes a service would have, each exercising one shared piece.
pub fn test_router(keys: SessionKeys, ready: impl ReadinessCheck, options: ApiOptions) -> Router {
    let routes =
        Router::new()
            .route(
                "/echo",
                post(|ApiJson(body): ApiJson<Signup>| async move {
                    (StatusCode::CREATED, ApiJson(body))
                }),
            )
            .route(
                "/object",
                post(|body: JsonObject| async move {
                    let keys: Vec<String> = body.0.keys().cloned().collect();
                    Json(json!({ "keys": keys, "email": body.str("email") }))
                }),
            )
            .route(
                "/plain",
                post(|body: String| async move { body.len().to_string() }),
            )
            .route(
                "/paged",
                get(|Query(p): Query<Paging>| async move { p.page.to_string() }),
            )
            .route(
                "/items/{id}",
                get(|PathId(id): PathId| async move { Json(json!({ "id": id })) }),
            )
            .route(
                "/whoami",
                get(|CurrentUser(user): CurrentUser| async move {
                    Json(json!({ "currentUser": user }))
                }),
            )
            .route(
                "/secret",
                post(
                    |RequireUser(user): RequireUser, ApiJson(body): ApiJson<Signup>| async move {
                        Json(json!({ "id": user.id, "email": body.email }))
                    },
                ),
            )
            .route("/signin", post(signin))
            .route(
                "/signout",
                post(
                    |axum::extract::State(state): axum::extract::State<TestState>| async move {
                        (
                            [(header::SET_COOKIE, state.keys.clear_cookie())],
                            Json(json!({})),
                        )
                    },
                ),
            )
            .route(
                "/fault",
                get(|| async {
                    Err::<(), _>(ApiError::internal("db password is hunter2 at /var/lib/x"))
                }),
            )
            .route(
                "/correlation",
                get(|CorrelationId(id): CorrelationId| async move { id.to_string() }),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    "done"
                }),
            )
            .merge(health_routes(ready));
    api_layers(routes, options).with_state(TestState { keys })
}

async fn signin(
    axum::extract::State(state): axum::extract::State<TestState>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<impl IntoResponse, ApiError> {
    let email = body["email"].as_str().unwrap_or("someone@example.com");
    let session = state.keys.issue(Uuid::new_v4(), email)?;
    Ok((
        StatusCode::OK,
        [(header::SET_COOKIE, session.set_cookie)],
        Json(json!({ "id": session.claims.id, "email": session.claims.email })),
    ))
}

/// Serves `router` on 127.0.0.1 with an OS-chosen port; returns the base URL.
pub async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// The usual test service: 1 KiB body limit, always ready.
pub async fn spawn_app() -> (String, SessionKeys) {
    let keys = SessionKeys::new(&session_config(false)).unwrap();
    let router = test_router(
        keys.clone(),
        Vec::<String>::new,
        ApiOptions { body_limit: 1024 },
    );
    (serve(router).await, keys)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// A response read by [`raw_chunked_post`].
pub struct RawResponse {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// POSTs `chunks` with `Transfer-Encoding: chunked` (no Content-Length), then reads the
/// whole response (the request asks the server to close the connection).
pub async fn raw_chunked_post(
    base: &str,
    path: &str,
    content_type: &str,
    chunks: &[Vec<u8>],
) -> RawResponse {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in chunks {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before reading everything; a failed write is
    // expected then, and the response is still there to read.
    let _ = stream.write_all(&request).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> RawResponse {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        decode_chunked(body)
    } else {
        body.to_owned()
    };
    RawResponse {
        status,
        headers: head.to_owned(),
        body,
    }
}

fn decode_chunked(mut rest: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}
