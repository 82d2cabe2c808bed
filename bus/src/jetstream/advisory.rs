//! Dead letters for deliveries nobody settled: when a handler crashes or hangs on the
//! last allowed attempt, the server gives up and publishes a max-deliveries advisory.
//! The advisory stream keeps those; every bus process pulls them through one shared
//! durable, stores the dead letter (its id makes a duplicate harmless) and only then
//! acknowledges the advisory.

use std::sync::Weak;
use std::time::Duration;

use async_nats::jetstream::AckKind;
use async_nats::jetstream::consumer::{self, PullConsumer, pull};
use futures::StreamExt;
use serde::Deserialize;

use super::dead_letters::{self, Origin, REDRIVES};
use super::{Shared, backend, codec, is_not_found};
use crate::BusError;

/// The durable, on the advisory stream, shared by every process of the deployment.
const WRITER: &str = "dead-letter-writer";

/// `io.nats.jetstream.advisory.v1.max_deliver`.
#[derive(Debug, Deserialize)]
struct MaxDeliveries {
    stream: String,
    consumer: String,
    stream_seq: u64,
    deliveries: u64,
}

/// Runs until the bus is closed (the task is aborted then) or dropped.
pub(crate) async fn run(shared: Weak<Shared>) {
    let mut writer = None;
    loop {
        // Holding the bus only while working keeps a dropped bus from living on here.
        let Some(strong) = shared.upgrade() else {
            return;
        };
        if let Err(error) = pull_batch(&strong, &mut writer).await {
            tracing::warn!(%error, "max-deliveries advisories: retrying");
            writer = None;
            drop(strong);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

async fn writer_consumer(shared: &Shared) -> Result<PullConsumer, BusError> {
    shared
        .js
        .get_stream_no_info(shared.names.advisory_stream())
        .await
        .map_err(|e| backend("opening the advisory stream", e))?
        .create_consumer(pull::Config {
            durable_name: Some(WRITER.into()),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            ..Default::default()
        })
        .await
        .map_err(|e| backend("creating the advisory consumer", e))
}

/// Handles the advisories of one pull request.
async fn pull_batch(shared: &Shared, writer: &mut Option<PullConsumer>) -> Result<(), BusError> {
    let consumer = match writer {
        Some(consumer) => consumer,
        None => writer.insert(writer_consumer(shared).await?),
    };
    let mut connections = shared.connections.subscribe();
    let mut batch = consumer
        .batch()
        .max_messages(16)
        .expires(shared.options.pull_expires)
        .messages()
        .await
        .map_err(|e| backend("pulling advisories", e))?;
    loop {
        let message = tokio::select! {
            // The server forgot the pull request with the old connection.
            _ = connections.changed() => return Ok(()),
            message = batch.next() => message,
        };
        let Some(message) = message else {
            return Ok(());
        };
        let message = message.map_err(|e| backend("pulling advisories", e))?;
        match handle(shared, &message.payload).await {
            Ok(()) => message.ack().await,
            Err(error) => {
                tracing::warn!(%error, "could not turn an advisory into a dead letter; retrying");
                message
                    .ack_with(AckKind::Nak(Some(Duration::from_secs(1))))
                    .await
            }
        }
        .map_err(|e| backend("settling an advisory", e))?;
    }
}

async fn handle(shared: &Shared, payload: &[u8]) -> Result<(), BusError> {
    let Ok(advisory) = serde_json::from_slice::<MaxDeliveries>(payload) else {
        tracing::warn!("skipping a malformed max-deliveries advisory");
        return Ok(());
    };
    let names = &shared.names;
    let dead_letter_stream = names.dead_letter_stream();
    let consumer = if advisory.stream == names.events_stream() {
        advisory.consumer.clone()
    } else if advisory.stream == dead_letter_stream
        && let Some(consumer) = advisory.consumer.strip_suffix("-redrive")
    {
        consumer.to_owned()
    } else {
        return Ok(());
    };
    let stream = shared
        .js
        .get_stream_no_info(&advisory.stream)
        .await
        .map_err(|e| backend("opening a stream", e))?;
    let message = match stream.get_raw_message(advisory.stream_seq).await {
        Ok(message) => message,
        Err(error) if is_not_found(&error) => {
            tracing::error!(stream = %advisory.stream, sequence = advisory.stream_seq, "the message of a max-deliveries advisory is gone");
            return Ok(());
        }
        Err(error) => return Err(backend("reading an undeliverable message", error)),
    };
    let event = codec::decode(Some(&message.headers), &message.payload)?;
    let origin = if advisory.stream == dead_letter_stream {
        let dead_letter = message
            .headers
            .get(REDRIVES)
            .and_then(|v| v.as_str().parse().ok())
            .unwrap_or(0);
        Origin::Redrive {
            sequence: advisory.stream_seq,
            dead_letter,
        }
    } else {
        Origin::Events {
            sequence: advisory.stream_seq,
        }
    };
    let attempts = u32::try_from(advisory.deliveries).unwrap_or(u32::MAX);
    let error = format!(
        "not acknowledged within the ack wait after {attempts} deliveries (the handler crashed or hung)"
    );
    dead_letters::write(shared, &consumer, &event, origin, attempts, error).await
}
