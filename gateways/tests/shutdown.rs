//! SIGTERM triggers a graceful shutdown that lets in-flight requests finish. Its own test
//! binary: the signal goes to the whole process.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use gateways::http::{ApiOptions, SessionKeys, shutdown_signal};
use support::{session_config, test_router};
use tokio::net::TcpListener;

#[tokio::test]
async fn sigterm_stops_the_server_after_in_flight_requests_finish() {
    let keys = SessionKeys::new(&session_config(false)).unwrap();
    let router = test_router(keys, Vec::<String>::new, ApiOptions::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Installed now, before any signal is sent.
    let signal = shutdown_signal();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(signal)
            .await
            .unwrap();
    });

    let slow = tokio::spawn(async move { reqwest::get(format!("{base}/slow")).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    let response = slow.await.unwrap().unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "done");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops after SIGTERM")
        .unwrap();
}
