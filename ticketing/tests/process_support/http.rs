//! HTTP against the processes: one cookie-keeping client per user, good for every port of
//! 127.0.0.1 (cookies are scoped by host, not port, so auth's session reaches the others),
//! and polling with deadlines for effects that travel through the bus.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

/// A user's client: keeps the session cookie.
#[derive(Debug, Clone)]
pub struct Client(reqwest::Client);

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    pub fn new() -> Client {
        Client(
            reqwest::Client::builder()
                .cookie_store(true)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        )
    }

    /// A client signed up as `email` at the auth process `auth_base`.
    pub async fn signed_up(auth_base: &str, email: &str) -> Client {
        let client = Client::new();
        let (status, body) = client
            .post(
                &format!("{auth_base}/api/users/signup"),
                json!({"email": email, "password": "password"}),
            )
            .await;
        assert_eq!(status, 201, "signup of {email}: {body}");
        client
    }

    /// Status and JSON body (`Null` when empty); panics when the request cannot be made.
    pub async fn call(&self, method: Method, url: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.0.request(method.clone(), url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn get(&self, url: &str) -> (u16, Value) {
        self.call(Method::GET, url, None).await
    }

    pub async fn post(&self, url: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, url, Some(body)).await
    }

    pub async fn put(&self, url: &str, body: Value) -> (u16, Value) {
        self.call(Method::PUT, url, Some(body)).await
    }

    pub async fn delete(&self, url: &str) -> (u16, Value) {
        self.call(Method::DELETE, url, None).await
    }

    /// `POST url` again while it answers 404 (the receiving service has not learnt of the
    /// aggregate yet: its copy travels through the bus); returns the first other answer.
    pub async fn post_once_known(&self, url: &str, body: Value, within: Duration) -> (u16, Value) {
        let what = format!("POST {url} {body} is answered with something else than 404");
        eventually(&what, within, async || {
            let (status, answer) = self.post(url, body.clone()).await;
            if status == 404 {
                Err(format!("{status} {answer}"))
            } else {
                Ok((status, answer))
            }
        })
        .await
    }

    /// `GET {base}/readyz`: status and body, or `None` when the process does not answer.
    pub async fn readiness(&self, base: &str) -> Option<(u16, String)> {
        let response = self.0.get(format!("{base}/readyz")).send().await.ok()?;
        let status = response.status().as_u16();
        Some((status, response.text().await.unwrap_or_default()))
    }
}

/// Calls `probe` until it returns `Ok` (every 50 ms); fails after `within` with `what`
/// and the last `Err` it returned.
pub async fn eventually<T>(
    what: &str,
    within: Duration,
    mut probe: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) => {
                assert!(
                    Instant::now() < deadline,
                    "{what}: not within {within:?}; last seen: {last}"
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether a ticket JSON shows a holding order.
pub fn held(ticket: &Value) -> bool {
    ticket.get("orderId").is_some_and(|id| !id.is_null())
}
