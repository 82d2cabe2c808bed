//! A local HTTP server that plays Stripe's documented behaviour for the calls the
//! adapter makes, so the Stripe adapter is tested over real HTTP without Stripe.

// Each test binary uses a different part of this helper.
#![allow(dead_code, clippy::unwrap_used)]

mod stripe_routes;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::task::JoinHandle;

/// One request the fake received, as the adapter sent it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub idempotency_key: Option<String>,
    pub content_type: Option<String>,
    pub form: BTreeMap<String, String>,
}

/// A charge the fake captured.
#[derive(Debug, Clone)]
pub(crate) struct StoredCharge {
    pub amount: u64,
    pub refund: Option<Value>,
}

/// A saved answer for an idempotency key, with the parameters it was first used with.
#[derive(Debug, Clone)]
pub(crate) struct SavedAnswer {
    pub params: BTreeMap<String, String>,
    pub status: u16,
    pub body: Value,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub secret_key: String,
    pub charges: HashMap<String, StoredCharge>,
    pub saved: HashMap<(String, String), SavedAnswer>,
    pub requests: Vec<RecordedRequest>,
    pub next_id: u64,
    pub forced_status: Option<u16>,
    pub delay: Option<Duration>,
}

pub(crate) type Shared = Arc<Mutex<State>>;

/// A running fake Stripe on 127.0.0.1 with a random port; stopped when dropped.
pub struct FakeStripe {
    pub base_url: String,
    state: Shared,
    server: JoinHandle<()>,
}

impl FakeStripe {
    /// Starts a fake that accepts only `secret_key`.
    pub async fn start(secret_key: &str) -> Self {
        let state: Shared = Arc::new(Mutex::new(State {
            secret_key: secret_key.to_owned(),
            ..State::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = stripe_routes::router(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        FakeStripe {
            base_url: format!("http://{address}"),
            state,
            server,
        }
    }

    /// How many charges were captured (declines and replays do not count).
    pub fn charges_captured(&self) -> usize {
        self.state.lock().unwrap().charges.len()
    }

    /// How many refunds were made (replays do not count).
    pub fn refunds_made(&self) -> usize {
        let state = self.state.lock().unwrap();
        state
            .charges
            .values()
            .filter(|c| c.refund.is_some())
            .count()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().unwrap().requests.clone()
    }

    /// From now on, answer every request with `status` and Stripe's `api_error` body.
    pub fn answer_every_request_with(&self, status: u16) {
        self.state.lock().unwrap().forced_status = Some(status);
    }

    /// From now on, wait this long before answering.
    pub fn delay_answers(&self, delay: Duration) {
        self.state.lock().unwrap().delay = Some(delay);
    }

    /// Drops the saved idempotent answers, as Stripe does after 24 hours.
    pub fn forget_idempotency_keys(&self) {
        self.state.lock().unwrap().saved.clear();
    }
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        self.server.abort();
    }
}
