//! A handle on a durable pull consumer: it pulls a small batch (`pull_batch`) only while
//! `next` is waiting and the previous batch is used up, so at most that many messages
//! wait in the handle with their ack wait running. One pull is outstanding at a time, so
//! messages come in stream order. A reconnection does not replace the pull: the server
//! may still hold it (a message sent to a dropped pull would sit out its ack wait), and
//! if it forgot it, the pull ends by its expiry and the client's timeout after it. The pending pull request lives in the
//! handle, not in the `next` future: a cancelled `next` (a `select!` that picked another
//! branch) loses nothing, the following call picks up the same request.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::pull::{self, Batch};
use async_nats::jetstream::consumer::{self, AckPolicy, PullConsumer};
use async_nats::jetstream::{AckKind, Message};
use futures::StreamExt;
use tokio::sync::watch;

use super::dead_letters::{Origin, REDRIVES};
use super::names::Names;
use super::settle::Settler;
use super::{Shared, backend, codec, is_not_found};
use crate::port::{ConsumerInner, Settle};
use crate::{BusError, Consumer, ConsumerConfig, Delivery};

/// After a failed pull, wait this long before the next one.
const PULL_RETRY: Duration = Duration::from_millis(250);

/// One handle on a JetStream durable consumer and its re-drive companion.
pub struct ConsumerHandle {
    shared: Arc<Shared>,
    config: Arc<ConsumerConfig>,
    events: PullConsumer,
    redrive: PullConsumer,
    events_pull: Option<Batch>,
    redrive_pull: Option<Batch>,
    closed: watch::Receiver<bool>,
}

impl std::fmt::Debug for ConsumerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsumerHandle")
            .field("consumer", &self.config.name)
            .finish_non_exhaustive()
    }
}

fn pull_config(config: &ConsumerConfig, name: String, filter_subject: String) -> pull::Config {
    pull::Config {
        durable_name: Some(name),
        filter_subject,
        ack_policy: AckPolicy::Explicit,
        deliver_policy: consumer::DeliverPolicy::All,
        ack_wait: config.ack_wait,
        max_deliver: i64::from(config.max_deliver),
        max_ack_pending: i64::try_from(config.max_ack_pending).unwrap_or(i64::MAX),
        // Back-off between retries is applied by `retry` with a delayed NAK: JetStream's
        // own `backoff` would replace the ack wait, which must stay as configured.
        ..Default::default()
    }
}

/// Creates (or updates) the durable and its re-drive companion and binds a handle.
pub(crate) async fn open(
    shared: Arc<Shared>,
    config: ConsumerConfig,
) -> Result<ConsumerHandle, BusError> {
    let names = &shared.names;
    let filter = names.category_filter(&config.category);
    let events_stream = shared
        .js
        .get_stream_no_info(names.events_stream())
        .await
        .map_err(|e| backend("opening the event stream", e))?;
    match events_stream.consumer_info(&config.name).await {
        Ok(info) if info.config.filter_subject != filter => {
            return Err(BusError::InvalidConfig(format!(
                "consumer {} exists with filter {}, not {filter}",
                config.name, info.config.filter_subject
            )));
        }
        Ok(_) => {}
        Err(error) if is_not_found(&error) => {}
        Err(error) => return Err(backend("reading consumer info", error)),
    }
    let events: PullConsumer = events_stream
        .create_consumer(pull_config(&config, config.name.clone(), filter))
        .await
        .map_err(|e| {
            BusError::InvalidConfig(format!(
                "creating or updating consumer {}: {e}",
                config.name
            ))
        })?;
    let redrive: PullConsumer = shared
        .js
        .get_stream_no_info(names.dead_letter_stream())
        .await
        .map_err(|e| backend("opening the dead-letter stream", e))?
        .create_consumer(pull_config(
            &config,
            Names::redrive_consumer(&config.name),
            names.redrive_subject(&config.name),
        ))
        .await
        .map_err(|e| backend("creating the re-drive consumer", e))?;
    Ok(ConsumerHandle {
        closed: shared.closed.subscribe(),
        shared,
        config: Arc::new(config),
        events,
        redrive,
        events_pull: None,
        redrive_pull: None,
    })
}

/// The next message of a pending pull, or never when there is none.
async fn next_of(pull: &mut Option<Batch>) -> Option<Result<Message, async_nats::Error>> {
    match pull {
        Some(batch) => batch.next().await,
        None => std::future::pending().await,
    }
}

impl ConsumerHandle {
    pub(crate) fn into_consumer(self) -> Consumer {
        Consumer {
            inner: ConsumerInner::JetStream(Box::new(self)),
        }
    }

    /// Waits for the next delivery, riding out NATS outages; fails only once the bus is
    /// closed.
    pub(crate) async fn next(&mut self) -> Result<Delivery, BusError> {
        loop {
            if *self.closed.borrow() {
                return Err(BusError::Closed);
            }
            if let Err(error) = self.ensure_pulls().await {
                tracing::warn!(consumer = %self.config.name, %error, "pull request failed; retrying");
                tokio::time::sleep(PULL_RETRY).await;
                continue;
            }
            let (message, redriven) = tokio::select! {
                biased;
                changed = self.closed.changed() => {
                    if changed.is_err() || *self.closed.borrow() {
                        return Err(BusError::Closed);
                    }
                    continue;
                }
                item = next_of(&mut self.redrive_pull) => (item, true),
                item = next_of(&mut self.events_pull) => (item, false),
            };
            let slot = if redriven {
                &mut self.redrive_pull
            } else {
                &mut self.events_pull
            };
            match message {
                Some(Ok(message)) => {
                    if let Some(delivery) = self.delivery(message, redriven).await {
                        return Ok(delivery);
                    }
                }
                Some(Err(error)) => {
                    *slot = None;
                    tracing::warn!(consumer = %self.config.name, %error, "pull failed; retrying");
                    tokio::time::sleep(PULL_RETRY).await;
                }
                // The request expired (or was answered): make a new one.
                None => *slot = None,
            }
        }
    }

    async fn ensure_pulls(&mut self) -> Result<(), BusError> {
        let expires = self.shared.options.pull_expires;
        let batch_size = self.shared.options.pull_batch.max(1);
        if self.events_pull.is_none() {
            let batch = self
                .events
                .batch()
                .max_messages(batch_size)
                .expires(expires);
            self.events_pull = Some(batch.messages().await.map_err(|e| backend("pulling", e))?);
        }
        if self.redrive_pull.is_none() {
            let batch = self
                .redrive
                .batch()
                .max_messages(batch_size)
                .expires(expires);
            self.redrive_pull = Some(batch.messages().await.map_err(|e| backend("pulling", e))?);
        }
        Ok(())
    }

    /// Turns a message into a delivery; a message that is not an event of ours is
    /// terminated (it can never be handled) and `None` returned.
    async fn delivery(&self, message: Message, redriven: bool) -> Option<Delivery> {
        let (attempt, sequence) = match message.info() {
            Ok(info) => (
                u32::try_from(info.delivered).unwrap_or(u32::MAX),
                info.stream_sequence,
            ),
            Err(error) => {
                tracing::error!(consumer = %self.config.name, %error, "message without JetStream metadata");
                return None;
            }
        };
        let headers = message.headers.as_ref();
        let origin = if redriven {
            let dead_letter = headers
                .and_then(|h| h.get(REDRIVES))
                .and_then(|v| v.as_str().parse().ok())
                .unwrap_or(0);
            Origin::Redrive {
                sequence,
                dead_letter,
            }
        } else {
            Origin::Events { sequence }
        };
        match codec::decode(headers, &message.payload) {
            Ok(event) => {
                let (_, acker) = message.split();
                Some(Delivery {
                    event,
                    attempt,
                    settle: Settle::JetStream(Box::new(Settler {
                        shared: Arc::clone(&self.shared),
                        config: Arc::clone(&self.config),
                        acker,
                        origin,
                        attempt,
                    })),
                })
            }
            Err(error) => {
                tracing::error!(consumer = %self.config.name, sequence, %error, "not an event message; terminating it");
                if let Err(error) = message.ack_with(AckKind::Term).await {
                    tracing::warn!(%error, "terminating a foreign message failed");
                }
                None
            }
        }
    }
}
