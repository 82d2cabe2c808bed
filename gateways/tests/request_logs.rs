//! Every request leaves one structured log line (method, path, status, latency,
//! correlation id), and a fault's cause is logged while the client sees none of it.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use support::{client, spawn_app};
use tracing_subscriber::fmt::MakeWriter;
use uuid::Uuid;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// The test runtime is single-threaded, so the server's tasks log through this
/// thread's subscriber.
fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn each_request_is_logged_with_method_path_status_latency_and_correlation_id() {
    let (logs, _guard) = capture_logs();
    let (base, _) = spawn_app().await;
    let id = Uuid::new_v4();
    let response = client()
        .get(format!("{base}/items/{id}"))
        .header("x-correlation-id", id.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);

    let text = logs.text();
    let line = text
        .lines()
        .find(|l| l.contains("request finished"))
        .unwrap_or_else(|| panic!("no request line in {text}"));
    for expected in [
        "method=GET".to_owned(),
        format!("path=/items/{id}"),
        format!("correlation_id={id}"),
        "status=200".to_owned(),
        "latency_ms=".to_owned(),
    ] {
        assert!(line.contains(&expected), "{expected} missing in {line}");
    }
}

#[tokio::test]
async fn a_faults_cause_is_logged_but_not_sent() {
    let (logs, _guard) = capture_logs();
    let (base, _) = spawn_app().await;
    let body = client()
        .get(format!("{base}/fault"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains("hunter2"));
    let text = logs.text();
    assert!(
        text.lines()
            .any(|l| l.contains("ERROR") && l.contains("db password is hunter2")),
        "{text}"
    );
    assert!(text.contains("status=500"), "{text}");
}
