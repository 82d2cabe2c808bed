//! The relay: follows a log from a checkpoint and publishes every event (of the
//! categories this process owns) to the event stream with the event id as
//! `Nats-Msg-Id`.
//!
//! Publishes are pipelined (up to `max_in_flight` acknowledgements outstanding) and the
//! acknowledgements are taken in log order; the checkpoint only ever moves past events
//! JetStream acknowledged. After any failure (NATS down, an ack timing out, a log read
//! error) the relay starts over from the last acknowledged event: what JetStream had
//! stored already comes back as a duplicate within the stream's duplicate window and is
//! dropped there, so consumers see each event once. Appends to the log never wait for
//! the relay.
//!
//! Order: the stream holds a category's events in log order, because one relay publishes
//! them over one connection and starts over from the first unacknowledged event after a
//! failure. The window this does not close: an event stored by the server whose
//! acknowledgement was lost, re-published after the duplicate window has passed (an
//! outage longer than the window, 2 minutes by default), is stored twice; consumers
//! apply events by stream revision, so the copy changes nothing.
//!
//! # One relay per log
//! Two relays over one log would still not duplicate events (same ids, same window), but
//! would race for the checkpoint. With the file log, the relay runs in the process that
//! opened the log for writing: `FileLog::open` holds the directory's `LOCK`, so there is
//! at most one such process, and the checkpoint file lives beside the log. A log shared
//! by several processes (KurrentDB) needs a lease instead — a NATS KV key with a TTL
//! renewed by the holder — which is future work: run the relay in exactly one replica
//! there until it exists.

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::context::PublishError;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::publish::PublishAck;
use eventlog::{CategoryFilter, EventLog, RecordedEvent};
use futures::StreamExt;
use tokio::sync::watch;

use super::checkpoint::CheckpointFile;
use super::relay_handle::RelayHandle;
use super::{JetStreamBus, Shared, backend, codec};
use crate::BusError;

/// Tuning of a relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayOptions {
    /// Publishes whose acknowledgement is still outstanding.
    pub max_in_flight: usize,
    /// How often the checkpoint is saved while events flow.
    pub checkpoint_interval: Duration,
    /// The longest pause between attempts after a failure.
    pub max_retry_delay: Duration,
}

impl Default for RelayOptions {
    fn default() -> Self {
        RelayOptions {
            max_in_flight: 256,
            checkpoint_interval: Duration::from_millis(200),
            max_retry_delay: Duration::from_secs(2),
        }
    }
}

/// A relay from one log to the bus's event stream. It uses the bus's connection: stop
/// the relay before closing that bus.
pub struct Relay<L> {
    log: L,
    shared: Arc<Shared>,
    checkpoint: CheckpointFile,
    filter: CategoryFilter,
    options: RelayOptions,
}

impl<L> std::fmt::Debug for Relay<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("checkpoint", &self.checkpoint)
            .field("filter", &self.filter)
            .finish_non_exhaustive()
    }
}

type AckFuture = Pin<Box<dyn Future<Output = Result<PublishAck, PublishError>> + Send>>;

/// Why a session ended.
enum End {
    Stopped,
    Failed,
}

impl<L: EventLog> Relay<L> {
    /// A relay of `log`'s events matching `filter` to `bus`, resuming from `checkpoint`.
    pub fn new(
        log: L,
        bus: &JetStreamBus,
        checkpoint: CheckpointFile,
        filter: CategoryFilter,
    ) -> Self {
        Relay {
            log,
            shared: Arc::clone(bus.shared()),
            checkpoint,
            filter,
            options: RelayOptions::default(),
        }
    }

    pub fn with_options(mut self, options: RelayOptions) -> Self {
        self.options = options;
        self
    }

    /// Starts the relay on the tokio runtime.
    pub fn spawn(self) -> Result<RelayHandle, BusError> {
        let start = self.checkpoint.load()?;
        let (stop, stop_rx) = watch::channel(false);
        let (published_tx, published) = watch::channel(start);
        let task = tokio::spawn(self.run(start, stop_rx, published_tx));
        Ok(RelayHandle::new(stop, published, task))
    }

    async fn run(
        self,
        start: u64,
        mut stop: watch::Receiver<bool>,
        published: watch::Sender<u64>,
    ) -> Result<(), BusError> {
        let mut delay = Duration::from_millis(100);
        loop {
            let before = *published.borrow();
            let end = self.session(&mut stop, &published).await;
            let position = *published.borrow();
            self.save(position).await?;
            match end {
                End::Stopped => return Ok(()),
                End::Failed => {
                    let position = *published.borrow();
                    if position > before.max(start) {
                        delay = Duration::from_millis(100);
                    }
                    tokio::select! {
                        _ = stopped(&mut stop) => return Ok(()),
                        _ = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(self.options.max_retry_delay);
                }
            }
        }
    }

    /// Publishes from the last acknowledged event until stopped or something fails.
    async fn session(
        &self,
        stop: &mut watch::Receiver<bool>,
        published: &watch::Sender<u64>,
    ) -> End {
        let mut events = self.log.subscribe(current(published), self.filter.clone());
        let mut in_flight: VecDeque<(u64, AckFuture)> = VecDeque::new();
        let mut tick = tokio::time::interval(self.options.checkpoint_interval);
        let mut saved = current(published);
        let mut stopping = false;
        let stop_flag = stop.clone();
        loop {
            if stopping && in_flight.is_empty() {
                return End::Stopped;
            }
            let can_read = !stopping && in_flight.len() < self.options.max_in_flight;
            tokio::select! {
                biased;
                _ = stopped(stop), if !stopping => {
                    stopping = true;
                }
                acked = front(&mut in_flight), if !in_flight.is_empty() => {
                    let Some((position, _)) = in_flight.pop_front() else { continue };
                    match acked {
                        Ok(_) => { published.send_replace(position + 1); }
                        Err(error) => {
                            tracing::warn!(position, %error, "publish not acknowledged; relaying again from the last acknowledged event");
                            return if stopping { End::Stopped } else { End::Failed };
                        }
                    }
                }
                item = events.next(), if can_read => match item {
                    Some(Ok(event)) => match self.publish(&event, &stop_flag).await {
                        Ok(ack) => in_flight.push_back((event.position, ack)),
                        Err(error) => {
                            tracing::warn!(position = event.position, %error, "publishing failed; relaying again from the last acknowledged event");
                            return End::Failed;
                        }
                    },
                    Some(Err(error)) => {
                        tracing::warn!(%error, "reading the log failed; relaying again");
                        return End::Failed;
                    }
                    None => {
                        // The log was closed: finish what is in flight, then stop.
                        stopping = true;
                    }
                },
                _ = tick.tick() => {
                    let position = current(published);
                    if position != saved && self.save(position).await.is_ok() {
                        saved = position;
                    }
                }
            }
        }
    }

    async fn publish(
        &self,
        event: &RecordedEvent,
        stop: &watch::Receiver<bool>,
    ) -> Result<AckFuture, BusError> {
        self.wait_for_connection(stop).await;
        let (headers, payload) = codec::encode(event)?;
        let subject = self
            .shared
            .names
            .event_subject(eventlog::category_of(&event.stream), &event.event_type);
        let publish = PublishMessage::build()
            .headers(headers)
            .payload(payload)
            .message_id(event.id.to_string());
        let ack = self
            .shared
            .js
            .send_publish(subject, publish)
            .await
            .map_err(|e| backend("publishing", e))?;
        Ok(ack.into_future())
    }

    /// While disconnected, publishes would only pile up in the client's buffer.
    async fn wait_for_connection(&self, stop: &watch::Receiver<bool>) {
        let mut connections = self.shared.connections.subscribe();
        while self.shared.client.connection_state() != async_nats::connection::State::Connected
            && !*stop.borrow()
        {
            let _ = tokio::time::timeout(Duration::from_millis(500), connections.changed()).await;
        }
    }

    async fn save(&self, position: u64) -> Result<(), BusError> {
        let checkpoint = self.checkpoint.clone();
        let outcome = tokio::task::spawn_blocking(move || checkpoint.save(position))
            .await
            .map_err(|e| BusError::Store(format!("saving the relay checkpoint: {e}")))
            .and_then(|saved| saved);
        if let Err(error) = &outcome {
            tracing::error!(%error, "saving the relay checkpoint failed");
        }
        outcome
    }
}

/// The acknowledgement of the oldest publish in flight.
async fn front(in_flight: &mut VecDeque<(u64, AckFuture)>) -> Result<PublishAck, PublishError> {
    match in_flight.front_mut() {
        Some((_, ack)) => ack.as_mut().await,
        None => std::future::pending().await,
    }
}

fn current(published: &watch::Sender<u64>) -> u64 {
    *published.borrow()
}

/// Returns once a stop is requested (or the handle is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
