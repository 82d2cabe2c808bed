//! Flags shared by the operator commands: where the data and the bus are.

use std::path::PathBuf;

use anyhow::Context as _;
use bus::jetstream::JetStreamOptions;
use bus::{AnyBus, EmbeddedBus, JetStreamBus};
use clap::Args;
use eventlog::FileLog;

#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// The data directory of the service (or of the all-in-one process).
    #[arg(long, env = "DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// The event log: `file://DIR` (default: `{data-dir}/log`).
    #[arg(long, env = "LOG_URL")]
    pub log: Option<String>,
}

impl DataArgs {
    pub fn log_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.log {
            None => Ok(self.data_dir.join("log")),
            Some(url) => url
                .strip_prefix("file://")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .with_context(|| format!("--log {url:?}: expected file://DIR")),
        }
    }

    /// The log, read-only: safe beside a running service.
    pub fn open_log(&self) -> anyhow::Result<FileLog> {
        let dir = self.log_dir()?;
        FileLog::open_read_only(&dir)
            .with_context(|| format!("opening the log at {}", dir.display()))
    }
}

#[derive(Debug, Clone, Args)]
pub struct BusArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// `embedded` (the bus state in the data directory; the service must be stopped) or a
    /// NATS URL (works while services run).
    #[arg(long, env = "NATS_URL", default_value = "embedded")]
    pub bus: String,

    /// Prefix of the JetStream stream and subject names.
    #[arg(long, env = "NATS_PREFIX", default_value = "ticketing")]
    pub nats_prefix: String,
}

impl BusArgs {
    pub async fn open(&self) -> anyhow::Result<AnyBus<FileLog>> {
        if self.bus == "embedded" {
            let log = self.data.open_log()?;
            let dir = self.data.data_dir.join("bus");
            let bus = EmbeddedBus::open(log, &dir).with_context(|| {
                format!(
                    "opening the embedded bus state at {} (is the service still running? \
                     the embedded bus can be inspected only while it is stopped)",
                    dir.display()
                )
            })?;
            return Ok(bus.into());
        }
        let options = JetStreamOptions {
            prefix: self.nats_prefix.clone(),
            ..JetStreamOptions::default()
        };
        let bus = JetStreamBus::connect(&self.bus, options)
            .await
            .with_context(|| format!("connecting to NATS at {}", self.bus))?;
        Ok(bus.into())
    }
}
