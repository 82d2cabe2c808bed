//! The real binary, killed with SIGKILL mid-flow and started again on the same data
//! directory: nothing acknowledged is lost, read models match the log, a pending
//! expiration still fires; SIGTERM stops it cleanly.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use eventlog::{Direction, EventLog, FileLog};
use serde_json::{Value, json};

struct Server {
    child: Child,
    base: String,
}

fn start(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ticketing"))
        .args(["serve", "--port", "0"])
        .env("DATA_DIR", dir)
        .env("EXPIRATION_WINDOW_SECONDS", "3")
        .env("JWT_KEY", "restart-test-key-restart-test-key")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("the server printed its URL").unwrap();
        if let Some(url) = line.strip_prefix("ticketing is up: ") {
            break url.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, base }
}

impl Server {
    fn kill(mut self) {
        unsafe_free_kill(self.child.id(), libc::SIGKILL);
        self.child.wait().unwrap();
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        unsafe_free_kill(self.child.id(), libc::SIGTERM);
        self.child.wait().unwrap()
    }
}

/// Sends `signal` with the `kill` command (the workspace forbids unsafe code).
fn unsafe_free_kill(pid: u32, signal: i32) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn eventually(client: &reqwest::Client, url: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let (status, body) = call(client, reqwest::Method::GET, url.to_owned(), None).await;
        if status == 200 && done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never happened: {url}");
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    for _ in 0..400 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("not ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_acknowledged_and_still_expires_pending_orders() {
    use reqwest::Method;
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();

    let server = start(&dir);
    let base = server.base.clone();
    wait_ready(&client, &base).await;
    let (status, _) = call(
        &client,
        Method::POST,
        format!("{base}/api/users/signup"),
        Some(json!({"email": "kill@test.io", "password": "password"})),
    )
    .await;
    assert_eq!(status, 201);
    let mut tickets = Vec::new();
    for i in 0..5 {
        let (status, ticket) = call(
            &client,
            Method::POST,
            format!("{base}/api/tickets"),
            Some(json!({"title": format!("show {i}"), "price": 10 + i})),
        )
        .await;
        assert_eq!(status, 201);
        tickets.push(ticket["id"].as_str().unwrap().to_owned());
    }
    let (status, order) = call(
        &client,
        Method::POST,
        format!("{base}/api/orders"),
        Some(json!({"ticketId": tickets[0]})),
    )
    .await;
    assert_eq!(status, 201);
    let pending_order = order["id"].as_str().unwrap().to_owned();
    // Kill it right after the acknowledgement: the timer was (or is being) recorded.
    server.kill();

    let server = start(&dir);
    let base = server.base.clone();
    wait_ready(&client, &base).await;
    for id in &tickets {
        let (status, _) = call(
            &client,
            Method::GET,
            format!("{base}/api/tickets/{id}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "ticket {id} survived the kill");
    }
    let (status, order) = call(
        &client,
        Method::GET,
        format!("{base}/api/orders/{pending_order}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "the acknowledged order survived: {order}");
    eventually(
        &client,
        &format!("{base}/api/orders/{pending_order}"),
        |o| o["status"] == "cancelled",
    )
    .await;
    eventually(
        &client,
        &format!("{base}/api/tickets/{}", tickets[0]),
        |t| t.get("orderId").is_none_or(Value::is_null),
    )
    .await;

    let mut shown = Vec::new();
    for id in &tickets {
        let (_, ticket) = call(
            &client,
            Method::GET,
            format!("{base}/api/tickets/{id}"),
            None,
        )
        .await;
        shown.push((id.clone(), ticket["version"].as_u64().unwrap()));
    }
    let status = server.terminate();
    assert!(
        status.success(),
        "SIGTERM stops the server cleanly: {status}"
    );

    let log = FileLog::open_read_only(dir.join("log")).unwrap();
    for (id, version) in shown {
        let last = log
            .read_stream(&format!("ticket-{id}"), u64::MAX, Direction::Backwards, 1)
            .await
            .unwrap();
        assert_eq!(
            last[0].revision, version,
            "the read model matches the log for ticket {id}"
        );
    }
}
