//! The streams a deployment needs, created at start-up or brought to the configured
//! limits when they exist.

use std::time::Duration;

use async_nats::jetstream::{self, stream};

use super::names::Names;
use crate::BusError;

/// How the JetStream backend sets up its streams and pulls messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JetStreamOptions {
    /// Seeds every stream and subject name (`{prefix}.{category}.{EventType}`): one per
    /// deployment. `A-Z a-z 0-9 - _`.
    pub prefix: String,
    /// Copies of each stream in a cluster: 1 on one server, 3 in a three-node cluster.
    pub replicas: usize,
    /// How long the event stream keeps events. `None` keeps everything: a service that
    /// owns its log rebuilds its copies of other services' state by re-reading it.
    pub max_age: Option<Duration>,
    /// Republishing an event with the same id within this window is dropped as a duplicate
    /// (a relay restarting from its checkpoint relies on it).
    pub duplicate_window: Duration,
    /// How long one pull request waits on the server before it is renewed.
    pub pull_expires: Duration,
    /// Messages one pull request may bring to a handle at once. 1 costs a round trip per
    /// event; more amortises it, at the price of messages waiting in the handle (their
    /// ack wait running) while the handler works through the ones before them.
    pub pull_batch: usize,
    /// How long max-deliveries advisories are kept if no process turns them into dead letters.
    pub advisory_max_age: Duration,
    /// Bound on each JetStream API request and publish acknowledgement.
    pub request_timeout: Duration,
}

impl Default for JetStreamOptions {
    fn default() -> Self {
        JetStreamOptions {
            prefix: "ticketing".into(),
            replicas: 1,
            max_age: None,
            duplicate_window: Duration::from_secs(120),
            pull_expires: Duration::from_secs(2),
            pull_batch: 16,
            advisory_max_age: Duration::from_secs(7 * 24 * 3600),
            request_timeout: Duration::from_secs(5),
        }
    }
}

/// Creates or updates the event, dead-letter and advisory streams.
pub(crate) async fn ensure_streams(
    js: &jetstream::Context,
    names: &Names,
    options: &JetStreamOptions,
) -> Result<(), BusError> {
    let events = stream::Config {
        name: names.events_stream().to_owned(),
        description: Some("every relayed event, kept for replay".into()),
        subjects: vec![names.all_events()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        max_age: options.max_age.unwrap_or(Duration::ZERO),
        duplicate_window: options.duplicate_window,
        num_replicas: options.replicas,
        ..Default::default()
    };
    let dead_letters = stream::Config {
        name: names.dead_letter_stream(),
        description: Some("dead letters (with their event) and re-driven copies".into()),
        subjects: vec![names.dead_letter_subjects(), names.redrive_subjects()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        duplicate_window: options.duplicate_window,
        num_replicas: options.replicas,
        ..Default::default()
    };
    // Advisories are plain NATS messages: captured in a stream, they are not lost when
    // no process of the consumer is listening at the moment the server gives up.
    let advisories = stream::Config {
        name: names.advisory_stream(),
        description: Some("max-deliveries advisories, turned into dead letters".into()),
        subjects: vec![
            Names::max_deliveries_advisories(names.events_stream()),
            Names::max_deliveries_advisories(&names.dead_letter_stream()),
        ],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        max_age: options.advisory_max_age,
        num_replicas: options.replicas,
        ..Default::default()
    };
    for config in [events, dead_letters, advisories] {
        let name = config.name.clone();
        js.create_or_update_stream(config)
            .await
            .map_err(|e| BusError::Backend(format!("setting up stream {name}: {e}")))?;
    }
    Ok(())
}

/// Deletes the deployment's streams and with them every consumer, event and dead letter.
pub(crate) async fn delete_streams(js: &jetstream::Context, names: &Names) -> Result<(), BusError> {
    for name in [
        names.events_stream().to_owned(),
        names.dead_letter_stream(),
        names.advisory_stream(),
    ] {
        match js.delete_stream(&name).await {
            Ok(_) => {}
            Err(e) if e.to_string().contains("not found") => {}
            Err(e) => return Err(BusError::Backend(format!("deleting stream {name}: {e}"))),
        }
    }
    Ok(())
}
