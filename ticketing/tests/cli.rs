//! The binary refuses bad start-up settings with a clear message and exit status.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn serve(args: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ticketing"))
        .arg("serve")
        .args(args)
        .args(["--port", "0"])
        .env("DATA_DIR", dir.path())
        .env_remove("JWT_KEY")
        .env_remove("NATS_URL")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.success(), text)
}

#[test]
fn a_service_process_without_jwt_key_refuses_to_start() {
    let (ok, stderr) = serve(&["tickets"]);
    assert!(!ok);
    assert!(stderr.contains("JWT_KEY is not set"), "{stderr}");
}

#[test]
fn an_unknown_service_name_is_refused() {
    let (ok, stderr) = serve(&["billing"]);
    assert!(!ok);
    assert!(stderr.contains("unknown service"), "{stderr}");
}

#[test]
fn a_log_url_that_is_not_a_file_log_is_refused_clearly() {
    let (ok, stderr) = serve(&["--log", "esdb://127.0.0.1:2113"]);
    assert!(!ok);
    assert!(
        stderr.contains("KurrentDB backend is not part of this build"),
        "{stderr}"
    );
}

#[test]
fn a_bus_that_is_neither_embedded_nor_nats_is_refused() {
    let (ok, stderr) = serve(&["--bus", "kafka://x"]);
    assert!(!ok);
    assert!(
        stderr.contains("expected `embedded` or nats://"),
        "{stderr}"
    );
}
