//! Settling one JetStream delivery: ack, delayed NAK, dead letter then TERM, progress.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::AckKind;
use async_nats::jetstream::message::Acker;
use eventlog::RecordedEvent;

use super::dead_letters::{self, Origin};
use super::{Shared, backend};
use crate::{BusError, ConsumerConfig};

/// Settles one JetStream delivery.
pub struct Settler {
    pub(crate) shared: Arc<Shared>,
    pub(crate) config: Arc<ConsumerConfig>,
    pub(crate) acker: Acker,
    pub(crate) origin: Origin,
    pub(crate) attempt: u32,
}

impl std::fmt::Debug for Settler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settler")
            .field("consumer", &self.config.name)
            .field("origin", &self.origin)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

impl Settler {
    /// Fire-and-forget: the server applies acks in order and `close` flushes them.
    pub(crate) async fn ack(self) -> Result<(), BusError> {
        if let Origin::Redrive { dead_letter, .. } = self.origin
            && dead_letter > 0
        {
            // Letter first: a crash in between re-delivers a handled event (harmless),
            // the other order would leave a letter for an event already handled.
            dead_letters::remove(&self.shared, dead_letter).await?;
        }
        self.acker
            .ack()
            .await
            .map_err(|e| backend("acknowledging", e))
    }

    pub(crate) async fn retry(
        self,
        event: &RecordedEvent,
        delay: Option<Duration>,
        error: &str,
    ) -> Result<(), BusError> {
        if self.attempt >= self.config.max_deliver {
            let error = format!("gave up after {} deliveries: {error}", self.attempt);
            return self.dead(event, error).await;
        }
        let delay = delay.unwrap_or_else(|| self.config.backoff_for(self.attempt));
        let kind = if delay.is_zero() {
            AckKind::Nak(None)
        } else {
            AckKind::Nak(Some(delay))
        };
        self.acker
            .ack_with(kind)
            .await
            .map_err(|e| backend("asking for a redelivery", e))
    }

    pub(crate) async fn reject(self, event: &RecordedEvent, error: &str) -> Result<(), BusError> {
        self.dead(event, format!("rejected: {error}")).await
    }

    pub(crate) async fn in_progress(&self) -> Result<(), BusError> {
        self.acker
            .ack_with(AckKind::Progress)
            .await
            .map_err(|e| backend("extending the ack wait", e))
    }

    /// The letter is stored before the TERM: a crash in between only re-delivers.
    async fn dead(self, event: &RecordedEvent, error: String) -> Result<(), BusError> {
        dead_letters::write(
            &self.shared,
            &self.config.name,
            event,
            self.origin,
            self.attempt,
            error,
        )
        .await?;
        // Waits for the server, so the consumer's state no longer counts it as pending.
        self.acker
            .double_ack_with(AckKind::Term)
            .await
            .map_err(|e| backend("terminating a dead delivery", e))
    }
}
