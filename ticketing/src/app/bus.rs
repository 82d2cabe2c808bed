//! The bus of one process: embedded (one process, a tail of the local log per consumer)
//! or JetStream (several processes; this process relays the categories it owns).

use std::path::Path;

use anyhow::Context as _;
use bus::jetstream::{CheckpointFile, JetStreamOptions, Relay, RelayHandle};
use bus::{AnyBus, EmbeddedBus, JetStreamBus};
use eventlog::{CategoryFilter, FileLog};

use super::selection::Selection;

/// Which bus a process uses.
#[derive(Debug, Clone)]
pub enum BusChoice {
    /// In-process consumers over the local log: the all-in-one topology.
    Embedded,
    /// NATS JetStream at `url`: services in separate processes.
    Nats {
        url: String,
        options: JetStreamOptions,
    },
}

/// The opened bus, and for JetStream the relay and the connection (for readiness).
pub(crate) struct OpenedBus {
    pub bus: AnyBus<FileLog>,
    pub relay: Option<RelayHandle>,
    pub nats: Option<JetStreamBus>,
}

pub(crate) async fn open_bus(
    choice: &BusChoice,
    log: &FileLog,
    data_dir: &Path,
    selection: &Selection,
) -> anyhow::Result<OpenedBus> {
    match choice {
        BusChoice::Embedded => {
            let bus = EmbeddedBus::open(log.clone(), data_dir.join("bus"))
                .context("opening the bus state")?;
            Ok(OpenedBus {
                bus: bus.into(),
                relay: None,
                nats: None,
            })
        }
        BusChoice::Nats { url, options } => {
            let nats = JetStreamBus::connect(url, options.clone())
                .await
                .with_context(|| format!("connecting to NATS at {url}"))?;
            // This process holds the log's write lock, so it is the only relay of this log.
            let relay = Relay::new(
                log.clone(),
                &nats,
                CheckpointFile::new(data_dir.join("relay.checkpoint")),
                CategoryFilter::Categories(selection.owned_categories()),
            )
            .spawn()
            .context("starting the relay to JetStream")?;
            Ok(OpenedBus {
                bus: nats.clone().into(),
                relay: Some(relay),
                nats: Some(nats),
            })
        }
    }
}
