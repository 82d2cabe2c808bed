//! `ticketing`: the one binary. `serve` runs the marketplace; operator commands come beside it.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use gateways::http::{SessionConfig, shutdown_signal};
use services::infra::Settings;
use ticketing::app::{App, AppConfig};
use ticketing::config::ServeArgs;

#[derive(Debug, Parser)]
#[command(
    name = "ticketing",
    version,
    about = "An event-sourced ticket marketplace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every service on one port with the embedded log, bus and read models.
    Serve(ServeArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args)),
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let session = match &args.jwt_key {
        Some(key) if !key.trim().is_empty() => SessionConfig {
            jwt_key: key.clone(),
            secure_cookie: args.secure_cookie.unwrap_or(false),
            ttl: SessionConfig::DEFAULT_TTL,
        },
        _ => {
            tracing::warn!(
                "JWT_KEY is not set: using the public development key. Anyone can forge sessions; never deploy like this."
            );
            let mut dev = SessionConfig::dev_default();
            dev.secure_cookie = args.secure_cookie.unwrap_or(false);
            dev
        }
    };
    let payment_provider = payment_provider::ProviderConfig {
        kind: args
            .payment_provider
            .parse()
            .context("--payment-provider / PAYMENT_PROVIDER")?,
        stripe_key: std::env::var("STRIPE_KEY").ok(),
        stripe_base_url: std::env::var("STRIPE_BASE_URL").ok(),
    };
    let settings = Settings {
        expiration_window: args.expiration_window(),
        ..Settings::default()
    };
    let app = App::start(AppConfig {
        data_dir: args.data_dir.clone(),
        settings,
        session,
        payment_provider,
        body_limit: args.body_limit_bytes,
    })
    .await?;
    let listener = tokio::net::TcpListener::bind((args.bind.as_str(), args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.bind, args.port))?;
    let address = listener.local_addr().context("reading the bound address")?;
    println!("ticketing is up: http://{address}");
    println!("  data directory: {}", args.data_dir.display());
    println!("  mode: all-in-one (embedded file log, embedded bus, sled read models)");
    println!("  press Ctrl-C to stop");
    app.serve(listener, shutdown_signal()).await?;
    println!("ticketing stopped cleanly");
    Ok(())
}
