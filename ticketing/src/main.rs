//! `ticketing`: the one binary. `serve` runs the marketplace; operator commands come beside it.

use anyhow::Context as _;
use bus::jetstream::JetStreamOptions;
use clap::{Parser, Subcommand};
use gateways::http::{SessionConfig, shutdown_signal};
use services::infra::Settings;
use ticketing::app::ServiceName;
use ticketing::app::{App, AppConfig, BusChoice, Selection};
use ticketing::config::ServeArgs;
use ticketing::ops;
use ticketing::ops::args::{BusArgs, DataArgs};
use ticketing::ops::consumers::ConsumersCommand;
use ticketing::ops::streams::StreamsCommand;

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
    /// Run services (all, or the ones named) on one port.
    Serve(ServeArgs),
    /// Inspect the log: categories, streams, events, follow, trace a correlation id.
    Streams {
        #[command(flatten)]
        data: DataArgs,
        #[command(subcommand)]
        command: StreamsCommand,
    },
    /// Inspect durable consumers and their dead letters; re-drive a dead letter.
    Consumers {
        #[command(flatten)]
        bus: BusArgs,
        #[command(subcommand)]
        command: ConsumersCommand,
    },
    /// Rebuild a stopped service's read models from the log.
    Replay {
        #[command(flatten)]
        data: DataArgs,
        /// auth, tickets, orders or payments.
        service: ServiceName,
    },
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
        Command::Streams { data, command } => runtime.block_on(ops::streams::run(&data, command)),
        Command::Consumers { bus, command } => runtime.block_on(ops::consumers::run(&bus, command)),
        Command::Replay { data, service } => runtime.block_on(ops::replay::run(&data, service)),
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let log_dir = args.log_dir().map_err(anyhow::Error::msg)?;
    let bus = match args.bus.as_str() {
        "embedded" => BusChoice::Embedded,
        url if url.starts_with("nats://") || url.starts_with("tls://") => BusChoice::Nats {
            url: url.to_owned(),
            options: JetStreamOptions {
                prefix: args.nats_prefix.clone(),
                replicas: usize::from(args.nats_replicas),
                ..JetStreamOptions::default()
            },
        },
        other => {
            anyhow::bail!("--bus / NATS_URL {other:?}: expected `embedded` or nats://HOST:PORT")
        }
    };
    // Secure cookies by default, except on a loopback address (a local run over plain HTTP).
    let loopback = matches!(args.bind.as_str(), "127.0.0.1" | "localhost" | "::1");
    let secure_cookie = args.secure_cookie.unwrap_or(!loopback);
    let all_in_one = args.bus == "embedded" && args.services.is_empty();
    let session = match &args.jwt_key {
        Some(key) if !key.trim().is_empty() => SessionConfig {
            jwt_key: key.clone(),
            secure_cookie,
            ttl: SessionConfig::DEFAULT_TTL,
        },
        _ if all_in_one => {
            tracing::warn!(
                "JWT_KEY is not set: using the public development key. Anyone can forge sessions; never deploy like this."
            );
            let mut dev = SessionConfig::dev_default();
            dev.secure_cookie = secure_cookie;
            dev
        }
        _ => anyhow::bail!(
            "JWT_KEY is not set: every service of a deployment must sign and check sessions with \
             the same key (e.g. kubectl create secret generic jwt-secret --from-literal=JWT_KEY=...). \
             Only the all-in-one embedded mode falls back to a development key."
        ),
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
        ack_wait: std::time::Duration::from_secs(args.ack_wait_seconds),
        ..Settings::default()
    };
    let selection = Selection::of(&args.services);
    let mode = match (&bus, selection.is_all()) {
        (BusChoice::Embedded, true) => {
            "all-in-one (embedded file log, embedded bus, sled read models)".to_owned()
        }
        (BusChoice::Embedded, false) => "some services, embedded bus".to_owned(),
        (BusChoice::Nats { url, .. }, _) => format!("services over NATS JetStream at {url}"),
    };
    let names: Vec<&str> = selection.names().iter().map(|s| s.as_str()).collect();
    let app = App::start(AppConfig {
        log_dir: log_dir.clone(),
        services: selection,
        bus,
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
    println!("  services: {}", names.join(", "));
    println!("  mode: {mode}");
    if let Some(log_dir) = &log_dir {
        println!("  log: {}", log_dir.display());
    }
    println!("  press Ctrl-C to stop");
    app.serve(listener, shutdown_signal()).await?;
    println!("ticketing stopped cleanly");
    Ok(())
}
