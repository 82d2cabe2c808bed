//! Settings of `ticketing serve`, from flags or environment variables.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::app::ServiceName;

/// `ticketing serve [SERVICE...]`: the named services (all when none is named) on one
/// port, with the embedded bus or, between processes, NATS JetStream.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Services to run in this process: auth, tickets, orders, expiration, payments.
    /// None means all of them.
    #[arg(value_name = "SERVICE")]
    pub services: Vec<ServiceName>,

    /// The event log: `file://DIR` (default: `{data-dir}/log`).
    #[arg(long, env = "LOG_URL")]
    pub log: Option<String>,

    /// The bus: `embedded` (one process) or a NATS URL such as `nats://127.0.0.1:4222`.
    #[arg(long, env = "NATS_URL", default_value = "embedded")]
    pub bus: String,

    /// Prefix of the JetStream stream and subject names.
    #[arg(long, env = "NATS_PREFIX", default_value = "ticketing")]
    pub nats_prefix: String,

    /// JetStream stream replicas (3 in a NATS cluster).
    #[arg(long, env = "NATS_REPLICAS", default_value_t = 1,
          value_parser = clap::value_parser!(u8).range(1..=5))]
    pub nats_replicas: u8,

    /// Seconds a consumer may hold a delivery before it is delivered again.
    #[arg(long, env = "ACK_WAIT_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub ack_wait_seconds: u64,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,

    /// Address to bind.
    #[arg(long, env = "BIND", default_value = "127.0.0.1")]
    pub bind: String,

    /// Where the log, the bus state and the read models live.
    #[arg(long, env = "DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// How long an order holds its ticket, in seconds.
    #[arg(long, env = "EXPIRATION_WINDOW_SECONDS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub expiration_window_seconds: u64,

    /// Key that signs session tokens. Required unless all services run in one process on
    /// the embedded bus (then a public development key is used, with a warning).
    #[arg(long, env = "JWT_KEY", hide_env_values = true)]
    pub jwt_key: Option<String>,

    /// Mark the session cookie Secure (default: on, except when bound to a loopback address).
    #[arg(long, env = "SECURE_COOKIE")]
    pub secure_cookie: Option<bool>,

    /// Payment provider: sandbox (Stripe test tokens, no network) or stripe (STRIPE_KEY).
    #[arg(long, env = "PAYMENT_PROVIDER", default_value = "sandbox")]
    pub payment_provider: String,

    /// Largest accepted request body in bytes.
    #[arg(long, env = "BODY_LIMIT_BYTES", default_value_t = 64 * 1024)]
    pub body_limit_bytes: usize,
}

impl ServeArgs {
    pub fn expiration_window(&self) -> Duration {
        Duration::from_secs(self.expiration_window_seconds)
    }

    /// The log directory from `--log`, if given.
    pub fn log_dir(&self) -> Result<Option<PathBuf>, String> {
        let Some(url) = &self.log else {
            return Ok(None);
        };
        if let Some(path) = url.strip_prefix("file://") {
            if path.is_empty() {
                return Err("--log file:// needs a directory, e.g. file://./data/log".into());
            }
            return Ok(Some(PathBuf::from(path)));
        }
        if url.starts_with("esdb://") || url.starts_with("kurrentdb://") {
            return Err(format!(
                "--log {url}: the KurrentDB backend is not part of this build yet; use file://DIR"
            ));
        }
        Err(format!("--log {url:?}: expected file://DIR"))
    }
}
