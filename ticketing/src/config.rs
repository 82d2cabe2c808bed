//! Settings of `ticketing serve`, from flags or environment variables.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// `ticketing serve`: every service, the embedded log, bus and read models, one port.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
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

    /// Key that signs session tokens. Required outside the local all-in-one mode.
    #[arg(long, env = "JWT_KEY", hide_env_values = true)]
    pub jwt_key: Option<String>,

    /// Mark the session cookie Secure (on by default except for local all-in-one runs).
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
}
