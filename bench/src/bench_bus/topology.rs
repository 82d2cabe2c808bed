//! The two ways an event travels from the producing service's log to the consuming
//! service: `embedded` (one process: the embedded bus tails the same file log) and
//! `nats` (a relay publishes the log's category to JetStream on its own connection; the
//! consumer pulls from a durable on another connection, as a second process would).

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use bus::{
    AnyBus, Bus, CheckpointFile, Consumer, ConsumerConfig, EmbeddedBus, JetStreamBus,
    JetStreamOptions, Relay, RelayHandle,
};
use eventlog::{CategoryFilter, FileLog};

use crate::load::CATEGORY;

/// The bus under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusKind {
    Embedded,
    Nats,
}

impl BusKind {
    pub const ALL: [BusKind; 2] = [BusKind::Embedded, BusKind::Nats];

    pub fn name(self) -> &'static str {
        match self {
            BusKind::Embedded => "embedded",
            BusKind::Nats => "nats",
        }
    }

    pub fn parse(name: &str) -> Result<BusKind, String> {
        BusKind::ALL
            .into_iter()
            .find(|b| b.name() == name)
            .ok_or_else(|| format!("unknown bus {name:?} (embedded, nats)"))
    }

    /// The path an event takes, for the report.
    pub fn path(self) -> &'static str {
        match self {
            BusKind::Embedded => {
                "FileLog append -> EmbeddedBus (tails the same log, checkpoint in sled) -> handler"
            }
            BusKind::Nats => {
                "FileLog append -> Relay (own connection) -> JetStream file stream -> durable pull consumer (own connection) -> handler"
            }
        }
    }
}

/// A running bus for one cell, and what must be stopped after it.
pub struct Topology {
    pub bus: AnyBus<FileLog>,
    relay: Option<(RelayHandle, JetStreamBus)>,
}

/// The durable every handler of a cell shares. Early arrivals are retried, so the
/// attempts allowed are many: a dead letter would stall the cell, not measure it.
pub fn consumer_config() -> ConsumerConfig {
    let mut config = ConsumerConfig::new("benchbus-readmodel", CATEGORY);
    config.max_deliver = 1_000;
    config
}

impl Topology {
    /// `dir` is the cell's own directory; `nats` the server URL and this cell's stream
    /// prefix (required for `BusKind::Nats`).
    pub async fn start(
        kind: BusKind,
        log: &FileLog,
        dir: &Path,
        nats: Option<(&str, &str)>,
    ) -> anyhow::Result<Topology> {
        match kind {
            BusKind::Embedded => {
                let bus = EmbeddedBus::open(log.clone(), dir.join("bus"))
                    .context("opening the embedded bus")?;
                Ok(Topology {
                    bus: bus.into(),
                    relay: None,
                })
            }
            BusKind::Nats => {
                let (url, prefix) = nats.context("the nats bus needs a server")?;
                let options = JetStreamOptions {
                    prefix: prefix.to_owned(),
                    ..JetStreamOptions::default()
                };
                let publisher = JetStreamBus::connect(url, options.clone())
                    .await
                    .with_context(|| format!("connecting the relay to {url}"))?;
                let relay = Relay::new(
                    log.clone(),
                    &publisher,
                    CheckpointFile::new(dir.join("relay.checkpoint")),
                    CategoryFilter::categories([CATEGORY]),
                )
                .spawn()
                .context("starting the relay")?;
                let consumer = JetStreamBus::connect(url, options)
                    .await
                    .with_context(|| format!("connecting the consumer to {url}"))?;
                Ok(Topology {
                    bus: consumer.into(),
                    relay: Some((relay, publisher)),
                })
            }
        }
    }

    /// `count` handles sharing the cell's durable consumer.
    pub async fn consumers(&self, count: usize) -> anyhow::Result<Vec<Consumer>> {
        let mut consumers = Vec::with_capacity(count);
        for _ in 0..count {
            consumers.push(
                self.bus
                    .consumer(consumer_config())
                    .await
                    .context("opening a consumer handle")?,
            );
        }
        Ok(consumers)
    }

    /// The relay's progress (log positions stored in JetStream), if there is a relay.
    pub fn relayed(&self) -> Option<u64> {
        self.relay.as_ref().map(|(relay, _)| relay.published())
    }

    /// Stops the relay, deletes the cell's streams and closes both connections (call
    /// after every consumer handle is dropped). Always runs to the end; the first
    /// failure is returned.
    pub async fn stop(self) -> anyhow::Result<()> {
        let mut outcome = Ok(());
        if let Some((relay, publisher)) = self.relay {
            if let Err(e) = relay.stop().await {
                outcome = Err(anyhow::anyhow!("stopping the relay: {e}"));
            }
            let deleted = tokio::time::timeout(Duration::from_secs(10), publisher.delete_streams())
                .await
                .map_err(|_| anyhow::anyhow!("deleting the streams timed out"))
                .and_then(|d| d.map_err(|e| anyhow::anyhow!("deleting the streams: {e}")));
            if let Err(e) = deleted
                && outcome.is_ok()
            {
                outcome = Err(e);
            }
            publisher.close().await;
        }
        self.bus.close().await;
        outcome
    }
}
