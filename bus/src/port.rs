//! The bus port: what every backend promises (see `conformance` for the tests).

use std::future::Future;
use std::time::Duration;

use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::BusError;
use crate::{embedded, jetstream};

/// A durable consumer: one per service and purpose (e.g. `orders-tickets`), over one
/// category (one filter subject per consumer, which every NATS server supports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// Durable name, unique per bus: `[A-Za-z0-9_-]+`.
    pub name: String,
    /// The category of streams whose events this consumer receives.
    pub category: String,
    /// A delivery not settled within this time is delivered again.
    pub ack_wait: Duration,
    /// Deliveries of one event before it goes to the dead letters.
    pub max_deliver: u32,
    /// Delay before the n-th redelivery after a `retry` without an explicit delay
    /// (the last entry repeats).
    pub backoff: Vec<Duration>,
    /// Deliveries in flight at once (shared by all replicas of the consumer).
    pub max_ack_pending: usize,
}

impl ConsumerConfig {
    pub fn new(name: impl Into<String>, category: impl Into<String>) -> Self {
        ConsumerConfig {
            name: name.into(),
            category: category.into(),
            ack_wait: Duration::from_secs(30),
            max_deliver: 5,
            backoff: vec![
                Duration::from_millis(100),
                Duration::from_millis(500),
                Duration::from_secs(2),
                Duration::from_secs(10),
            ],
            max_ack_pending: 1000,
        }
    }

    pub fn validate(&self) -> Result<(), BusError> {
        let valid_name = !self.name.is_empty()
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_name {
            return Err(BusError::InvalidConfig(format!(
                "consumer name {:?} must be non-empty and use only A-Z a-z 0-9 - _",
                self.name
            )));
        }
        if self.category.is_empty() || self.category.contains(['-', '.', '*', '>', ' ']) {
            return Err(BusError::InvalidConfig(format!(
                "category {:?} must be a plain category name",
                self.category
            )));
        }
        if self.max_deliver == 0 || self.max_ack_pending == 0 || self.ack_wait.is_zero() {
            return Err(BusError::InvalidConfig(
                "max_deliver, max_ack_pending and ack_wait must be positive".into(),
            ));
        }
        Ok(())
    }

    /// The delay before redelivery number `attempt` (1-based count of deliveries so far).
    pub fn backoff_for(&self, attempt: u32) -> Duration {
        let index = (attempt.saturating_sub(1) as usize).min(self.backoff.len().saturating_sub(1));
        self.backoff.get(index).copied().unwrap_or(Duration::ZERO)
    }
}

/// What a consumer reports to operators, alike for every backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerState {
    pub name: String,
    pub category: String,
    /// Deliveries made (first deliveries and redeliveries).
    pub delivered: u64,
    /// Events of the category not delivered yet.
    pub pending: u64,
    /// Deliveries waiting for their acknowledgement.
    pub ack_pending: u64,
    /// Deliveries that were redeliveries.
    pub redelivered: u64,
    /// Events acknowledged.
    pub acknowledged: u64,
    /// Events in the dead letters now.
    pub dead_letters: u64,
}

/// An event that could not be handled within the allowed attempts, or was refused as
/// poison: kept for operators, who may re-drive it once the cause is fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub consumer: String,
    pub event_id: Uuid,
    pub stream: String,
    pub revision: u64,
    pub position: u64,
    pub event_type: String,
    pub attempts: u32,
    /// The last error the handler reported.
    pub error: String,
    pub dead_at_ms: u64,
}

/// One delivery of one event. Settle it exactly once: `ack` after the effect is stored,
/// `retry` when it may succeed later, `reject` when it never can. A delivery dropped
/// unsettled is redelivered after the ack wait.
#[derive(Debug)]
pub struct Delivery {
    pub event: RecordedEvent,
    /// 1 for the first delivery.
    pub attempt: u32,
    pub(crate) settle: Settle,
}

#[derive(Debug)]
pub(crate) enum Settle {
    Embedded(embedded::Settler),
    /// Boxed: it holds the JetStream context its acks go through.
    JetStream(Box<jetstream::Settler>),
}

impl Delivery {
    /// The effect is stored: never deliver this event to this consumer again.
    pub async fn ack(self) -> Result<(), BusError> {
        match self.settle {
            Settle::Embedded(settler) => settler.ack(),
            Settle::JetStream(settler) => settler.ack().await,
        }
    }

    /// Not now: deliver again after `delay` (or the configured back-off when `None`),
    /// counting an attempt. `error` is kept for the dead letter if attempts run out.
    pub async fn retry(self, delay: Option<Duration>, error: &str) -> Result<(), BusError> {
        match self.settle {
            Settle::Embedded(settler) => settler.retry(delay, error),
            Settle::JetStream(settler) => settler.retry(&self.event, delay, error).await,
        }
    }

    /// Never: this event can not succeed (poison). It goes to the dead letters at once.
    pub async fn reject(self, error: &str) -> Result<(), BusError> {
        match self.settle {
            Settle::Embedded(settler) => settler.reject(error),
            Settle::JetStream(settler) => settler.reject(&self.event, error).await,
        }
    }

    /// Still working on it: restart the ack wait.
    pub async fn in_progress(&self) -> Result<(), BusError> {
        match &self.settle {
            Settle::Embedded(settler) => settler.in_progress(),
            Settle::JetStream(settler) => settler.in_progress().await,
        }
    }
}

/// A handle on a durable consumer. Several handles of one consumer (in one process or,
/// with a network bus, in several) share its deliveries: each event goes to one of them.
#[derive(Debug)]
pub struct Consumer {
    pub(crate) inner: ConsumerInner,
}

#[derive(Debug)]
pub(crate) enum ConsumerInner {
    Embedded(embedded::ConsumerHandle),
    /// Boxed: a JetStream handle holds two consumers and two pending pulls.
    JetStream(Box<jetstream::ConsumerHandle>),
}

impl Consumer {
    /// The next delivery; waits until there is one. `Err(Closed)` when the bus stopped.
    pub async fn next(&mut self) -> Result<Delivery, BusError> {
        match &mut self.inner {
            ConsumerInner::Embedded(handle) => handle.next().await,
            ConsumerInner::JetStream(handle) => handle.next().await,
        }
    }
}

/// The bus port.
pub trait Bus: Send + Sync + 'static {
    /// Creates the durable consumer if needed (or checks that an existing one has the same
    /// category) and returns a handle on it.
    fn consumer(
        &self,
        config: ConsumerConfig,
    ) -> impl Future<Output = Result<Consumer, BusError>> + Send;

    /// State of every consumer known to the bus.
    fn consumer_states(&self) -> impl Future<Output = Result<Vec<ConsumerState>, BusError>> + Send;

    /// The dead letters of one consumer, oldest first.
    fn dead_letters(
        &self,
        consumer: &str,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, BusError>> + Send;

    /// Delivers a dead letter again (attempts start over) and removes it from the dead letters.
    fn redrive(
        &self,
        consumer: &str,
        event_id: Uuid,
    ) -> impl Future<Output = Result<(), BusError>> + Send;

    /// Stops this process's consumers; what they had not settled is delivered again later.
    fn close(&self) -> impl Future<Output = ()> + Send;
}
