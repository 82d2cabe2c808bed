//! `AnyBus`: the backend chosen at start-up (embedded for one process, JetStream for
//! several), behind the one `Bus` trait, without boxing.

use eventlog::EventLog;
use uuid::Uuid;

use crate::{
    Bus, BusError, Consumer, ConsumerConfig, ConsumerState, DeadLetter, EmbeddedBus, JetStreamBus,
};

/// Either backend of the bus port.
#[derive(Debug, Clone)]
pub enum AnyBus<L> {
    Embedded(EmbeddedBus<L>),
    JetStream(JetStreamBus),
}

impl<L> From<EmbeddedBus<L>> for AnyBus<L> {
    fn from(bus: EmbeddedBus<L>) -> Self {
        AnyBus::Embedded(bus)
    }
}

impl<L> From<JetStreamBus> for AnyBus<L> {
    fn from(bus: JetStreamBus) -> Self {
        AnyBus::JetStream(bus)
    }
}

impl<L: EventLog + Clone> Bus for AnyBus<L> {
    async fn consumer(&self, config: ConsumerConfig) -> Result<Consumer, BusError> {
        match self {
            AnyBus::Embedded(bus) => bus.consumer(config).await,
            AnyBus::JetStream(bus) => bus.consumer(config).await,
        }
    }

    async fn consumer_states(&self) -> Result<Vec<ConsumerState>, BusError> {
        match self {
            AnyBus::Embedded(bus) => bus.consumer_states().await,
            AnyBus::JetStream(bus) => bus.consumer_states().await,
        }
    }

    async fn dead_letters(&self, consumer: &str) -> Result<Vec<DeadLetter>, BusError> {
        match self {
            AnyBus::Embedded(bus) => bus.dead_letters(consumer).await,
            AnyBus::JetStream(bus) => bus.dead_letters(consumer).await,
        }
    }

    async fn redrive(&self, consumer: &str, event_id: Uuid) -> Result<(), BusError> {
        match self {
            AnyBus::Embedded(bus) => bus.redrive(consumer, event_id).await,
            AnyBus::JetStream(bus) => bus.redrive(consumer, event_id).await,
        }
    }

    async fn close(&self) {
        match self {
            AnyBus::Embedded(bus) => bus.close().await,
            AnyBus::JetStream(bus) => bus.close().await,
        }
    }
}
