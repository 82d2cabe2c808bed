//! Finding the NATS servers the JetStream tests run against.
//!
//! - `NATS_URL` (default `nats://127.0.0.1:4222`): the local server, Debian's 2.9 here and
//!   in CI. It must be running: a test fails, saying so, when it is not.
//! - `NATS_URL_CURRENT`: a current server. When unset, the test starts the pinned one
//!   (`scripts/nats-server.sh install` puts it under `.tools/`) on a free port.
#![allow(clippy::unwrap_used, dead_code)]

use std::path::PathBuf;

use bus::nats_server::{self, NatsServer};
use bus::{JetStreamBus, JetStreamOptions};
use uuid::Uuid;

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The local (2.9) server's URL; panics with the fix when it is not reachable.
pub fn local_url() -> String {
    let (url, origin) = match std::env::var("NATS_URL") {
        Ok(url) => (url, "NATS_URL"),
        Err(_) => ("nats://127.0.0.1:4222".to_owned(), "the default NATS_URL"),
    };
    assert!(
        nats_server::reachable(&url),
        "no NATS server at {url} ({origin}): start one with JetStream (`nats-server -js`) \
         or point NATS_URL at one"
    );
    url
}

/// A current server: `NATS_URL_CURRENT`, or the pinned binary started for this test.
pub struct Current {
    pub url: String,
    server: Option<NatsServer>,
    _store: Option<tempfile::TempDir>,
}

pub fn current_server() -> Current {
    if let Ok(url) = std::env::var("NATS_URL_CURRENT") {
        assert!(
            nats_server::reachable(&url),
            "no NATS server at {url} (NATS_URL_CURRENT): start one with \
             `scripts/nats-server.sh start` or unset NATS_URL_CURRENT to let the test start it"
        );
        return Current {
            url,
            server: None,
            _store: None,
        };
    }
    let (server, store) = start_pinned();
    Current {
        url: server.url(),
        server: Some(server),
        _store: Some(store),
    }
}

/// The pinned server on a free port with a fresh store, owned by the caller.
pub fn start_pinned() -> (NatsServer, tempfile::TempDir) {
    let binary = NatsServer::pinned_binary(&workspace())
        .unwrap_or_else(|e| panic!("the pinned nats-server is not available: {e}"));
    let store = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&binary, 0, store.path())
        .unwrap_or_else(|e| panic!("starting the pinned nats-server failed: {e}"));
    (server, store)
}

/// A prefix no other test run uses (it names the streams too).
pub fn unique_prefix() -> String {
    format!("t{}", &Uuid::new_v4().simple().to_string()[..10])
}

pub async fn connect(url: &str, prefix: &str) -> JetStreamBus {
    let options = JetStreamOptions {
        prefix: prefix.to_owned(),
        // Short pull requests: after a server restart, pulls are renewed quickly.
        pull_expires: std::time::Duration::from_secs(2),
        ..JetStreamOptions::default()
    };
    JetStreamBus::connect(url, options)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"))
}

impl Drop for Current {
    fn drop(&mut self) {
        if let Some(server) = self.server.as_mut() {
            let _ = server.stop();
        }
    }
}
