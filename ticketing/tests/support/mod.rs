//! Test harness: the whole all-in-one app on a real port 0 with real files in a temp
//! directory, and a cookie-keeping HTTP client per user.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gateways::http::SessionConfig;
use serde_json::{Value, json};
use services::infra::Settings;
use ticketing::app::{App, AppConfig, BusChoice, Selection};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestApp {
    pub address: SocketAddr,
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

pub fn config(data_dir: &Path, expiration_window: Duration) -> AppConfig {
    AppConfig {
        data_dir: data_dir.to_path_buf(),
        log_dir: None,
        services: Selection::all(),
        bus: BusChoice::Embedded,
        settings: Settings {
            expiration_window,
            ack_wait: Duration::from_secs(5),
            ..Settings::default()
        },
        session: SessionConfig {
            jwt_key: "test-key-test-key-test-key-test-key".into(),
            secure_cookie: false,
            ttl: Duration::from_secs(3600),
        },
        payment_provider: payment_provider::ProviderConfig {
            kind: payment_provider::ProviderKind::Sandbox,
            stripe_key: None,
            stripe_base_url: None,
        },
        body_limit: 64 * 1024,
    }
}

impl TestApp {
    /// The app with the default 15-minute expiration window.
    pub async fn spawn() -> TestApp {
        Self::spawn_with_window(Duration::from_secs(900)).await
    }

    pub async fn spawn_with_window(window: Duration) -> TestApp {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().to_path_buf();
        let mut app = Self::spawn_in(&dir, window).await;
        app._temp = Some(temp);
        app
    }

    /// The app on an existing data directory (for restarts).
    pub async fn spawn_in(dir: &Path, window: Duration) -> TestApp {
        let app = App::start(config(dir, window)).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.serve(listener, async move {
            let _ = stopped.await;
        }));
        let test_app = TestApp {
            address,
            data_dir: dir.to_path_buf(),
            _temp: None,
            stop: Some(stop),
            task: Some(task),
        };
        test_app.wait_ready().await;
        test_app
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// A client that keeps cookies: one per user.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    pub async fn wait_ready(&self) {
        let client = self.client();
        for _ in 0..200 {
            if let Ok(response) = client.get(self.url("/readyz")).send().await
                && response.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the app did not become ready");
    }

    /// A client signed up (and so signed in) as `email`.
    pub async fn signed_up(&self, email: &str) -> reqwest::Client {
        let client = self.client();
        let response = client
            .post(self.url("/api/users/signup"))
            .json(&json!({"email": email, "password": "password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "signup of {email}");
        client
    }

    pub async fn post(&self, client: &reqwest::Client, path: &str, body: Value) -> (u16, Value) {
        let response = client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    pub async fn put(&self, client: &reqwest::Client, path: &str, body: Value) -> (u16, Value) {
        let response = client.put(self.url(path)).json(&body).send().await.unwrap();
        read(response).await
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> (u16, Value) {
        let response = client.get(self.url(path)).send().await.unwrap();
        read(response).await
    }

    pub async fn delete(&self, client: &reqwest::Client, path: &str) -> (u16, Value) {
        let response = client.delete(self.url(path)).send().await.unwrap();
        read(response).await
    }

    /// `seller` puts up a ticket: the 201 body (asserts the 201).
    pub async fn sell(&self, seller: &reqwest::Client, title: &str, price: Value) -> Value {
        let (status, ticket) = self
            .post(
                seller,
                "/api/tickets",
                json!({"title": title, "price": price}),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        ticket
    }

    /// `buyer` orders `ticket_id`: the 201 body (asserts the 201).
    pub async fn order(&self, buyer: &reqwest::Client, ticket_id: &str) -> Value {
        let (status, order) = self
            .post(buyer, "/api/orders", json!({"ticketId": ticket_id}))
            .await;
        assert_eq!(status, 201, "{order}");
        order
    }

    /// Polls `path` until `done(body)` holds (for effects that travel through the bus).
    pub async fn eventually(
        &self,
        client: &reqwest::Client,
        path: &str,
        what: &str,
        done: impl Fn(u16, &Value) -> bool,
    ) -> Value {
        let mut last = (0, Value::Null);
        for _ in 0..400 {
            last = self.get(client, path).await;
            if done(last.0, &last.1) {
                return last.1;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("{what}: never happened; last answer {} {}", last.0, last.1);
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// The `message` of the first error in an error body.
pub fn first_error(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
