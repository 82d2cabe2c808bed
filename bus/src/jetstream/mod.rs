//! The NATS JetStream backend: the real fan-out between service processes.
//!
//! A [`Relay`] follows a log and publishes its events to the event stream with the event
//! id as `Nats-Msg-Id`; [`JetStreamBus`] gives each service durable pull consumers over
//! one category (one filter subject, which every server since 2.9 supports). Dead letters
//! are messages in a stream of their own, each carrying its event, so they outlive every
//! process; max-deliveries advisories are captured in a stream too, so an event whose
//! handler crashed on its last attempt becomes a dead letter even if no process was
//! listening at that moment.
//!
//! # Layout
//! - `setup`: options and the three streams (events, dead letters, advisories).
//! - `names`: stream, subject and consumer names from the prefix.
//! - `codec`: a recorded event as headers + payload, and back, exactly.
//! - `consumer`, `settle`: consumer handles pulling one message at a time; settling.
//! - `dead_letters`, `advisory`: storing, listing and re-driving dead letters; turning
//!   max-deliveries advisories into dead letters.
//! - `state`: consumer states from the server's consumer info.
//! - `relay`, `relay_handle`, `checkpoint`: publishing a log's events, and its checkpoint.

mod advisory;
mod checkpoint;
mod codec;
mod consumer;
mod dead_letters;
mod names;
mod relay;
mod relay_handle;
mod settle;
mod setup;
mod state;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use checkpoint::CheckpointFile;
pub use consumer::ConsumerHandle;
pub use relay::{Relay, RelayOptions};
pub use relay_handle::RelayHandle;
pub use settle::Settler;
pub use setup::JetStreamOptions;

use self::names::Names;
use crate::{Bus, BusError, Consumer, ConsumerConfig, ConsumerState, DeadLetter};

/// The bus over NATS JetStream. Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct JetStreamBus {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for JetStreamBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JetStreamBus")
            .field("prefix", &self.shared.names.prefix())
            .finish_non_exhaustive()
    }
}

/// What every consumer handle, delivery and background task of one bus shares.
pub(crate) struct Shared {
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    pub names: Names,
    pub options: JetStreamOptions,
    /// `true` once `close` was called.
    pub closed: watch::Sender<bool>,
    /// Bumped on every (re)connection: pull requests made before it are gone.
    pub connections: Arc<watch::Sender<u64>>,
    advisory_task: Mutex<Option<JoinHandle<()>>>,
}

impl JetStreamBus {
    /// Connects to `url` (e.g. `nats://127.0.0.1:4222`), creates or updates the streams
    /// and starts turning max-deliveries advisories into dead letters. Fails at once when
    /// the server cannot be reached; later outages are ridden out by reconnecting.
    pub async fn connect(url: &str, options: JetStreamOptions) -> Result<Self, BusError> {
        let names = Names::new(&options.prefix)?;
        let connections = Arc::new(watch::Sender::new(0u64));
        let on_event = Arc::clone(&connections);
        let client = async_nats::ConnectOptions::new()
            .name(format!("bus {}", names.prefix()))
            .request_timeout(Some(options.request_timeout))
            .reconnect_delay_callback(|attempts| {
                Duration::from_millis((attempts as u64).saturating_mul(100).min(2_000))
            })
            .event_callback(move |event| {
                let connections = Arc::clone(&on_event);
                async move {
                    match event {
                        async_nats::Event::Connected => {
                            connections.send_modify(|n| *n += 1);
                            tracing::info!("connected to NATS");
                        }
                        async_nats::Event::Disconnected => tracing::warn!("disconnected from NATS"),
                        other => tracing::debug!(event = %other, "NATS connection event"),
                    }
                }
            })
            .connect(url)
            .await
            .map_err(|e| BusError::Backend(format!("connecting to NATS at {url}: {e}")))?;
        let js = jetstream::context::ContextBuilder::new()
            .timeout(options.request_timeout)
            .build(client.clone());
        setup::ensure_streams(&js, &names, &options).await?;
        let shared = Arc::new(Shared {
            client,
            js,
            names,
            options,
            closed: watch::Sender::new(false),
            connections,
            advisory_task: Mutex::new(None),
        });
        let task = tokio::spawn(advisory::run(Arc::downgrade(&shared)));
        if let Ok(mut slot) = shared.advisory_task.lock() {
            *slot = Some(task);
        }
        Ok(JetStreamBus { shared })
    }

    /// The prefix every stream and subject name of this bus starts with.
    pub fn prefix(&self) -> &str {
        self.shared.names.prefix()
    }

    /// Whether the connection to NATS is up right now (for readiness).
    pub fn is_connected(&self) -> bool {
        matches!(
            self.shared.client.connection_state(),
            async_nats::connection::State::Connected
        )
    }

    /// The server's version, e.g. `2.9.10`.
    pub fn server_version(&self) -> String {
        self.shared.client.server_info().version
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Deletes this deployment's streams with every consumer, event and dead letter in
    /// them: for tests and for decommissioning, never in normal operation.
    pub async fn delete_streams(&self) -> Result<(), BusError> {
        setup::delete_streams(&self.shared.js, &self.shared.names).await
    }
}

impl Bus for JetStreamBus {
    async fn consumer(&self, config: ConsumerConfig) -> Result<Consumer, BusError> {
        config.validate()?;
        if *self.shared.closed.borrow() {
            return Err(BusError::Closed);
        }
        let handle = consumer::open(Arc::clone(&self.shared), config).await?;
        Ok(handle.into_consumer())
    }

    async fn consumer_states(&self) -> Result<Vec<ConsumerState>, BusError> {
        state::consumer_states(&self.shared).await
    }

    async fn dead_letters(&self, consumer: &str) -> Result<Vec<DeadLetter>, BusError> {
        let stored = dead_letters::list(&self.shared, consumer).await?;
        Ok(stored.into_iter().map(|stored| stored.letter).collect())
    }

    async fn redrive(&self, consumer: &str, event_id: Uuid) -> Result<(), BusError> {
        dead_letters::redrive(&self.shared, consumer, event_id).await
    }

    /// Stops pulling, sends what settles are still buffered and closes the connection.
    /// Deliveries not settled are delivered again after their ack wait.
    async fn close(&self) {
        self.shared.closed.send_replace(true);
        let task = self
            .shared
            .advisory_task
            .lock()
            .ok()
            .and_then(|mut t| t.take());
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
        if let Err(error) = self.shared.client.flush().await {
            tracing::warn!(%error, "flushing NATS before closing failed");
        }
        if let Err(error) = self.shared.client.drain().await {
            tracing::warn!(%error, "draining the NATS connection failed");
        }
    }
}

/// Whether a JetStream error means "no such stream, consumer or message".
pub(crate) fn is_not_found(error: &dyn std::fmt::Display) -> bool {
    let text = error.to_string();
    text.contains("code 404") || text.contains("not found")
}

pub(crate) fn backend(context: &str, error: impl std::fmt::Display) -> BusError {
    BusError::Backend(format!("{context}: {error}"))
}
