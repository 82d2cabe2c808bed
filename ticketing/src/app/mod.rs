//! One process running some or all services: opens the data directory (log, read models,
//! bus), starts each selected service (its read models and reactions), builds the HTTP
//! router, and on shutdown stops in order: stop accepting, finish in-flight requests,
//! stop reactions and read models (their checkpoints stay consistent), stop the relay,
//! close the bus, close the log.

mod bus;
mod register;
mod selection;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ::bus::Bus as _;
use ::bus::JetStreamBus;
use ::bus::jetstream::RelayHandle;
use anyhow::Context as _;
use axum::Router;
use eventlog::{FileLog, FileLogOptions};
use gateways::http::{ApiOptions, SessionConfig, SessionKeys, api_layers, health_routes};
use projections::ReadModels;
use services::infra::{Readiness, Runtime, Settings};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use self::bus::BusChoice;
pub use self::selection::{Selection, ServiceName};

/// What a process is started with.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub data_dir: PathBuf,
    /// The file log's directory (default: `{data_dir}/log`).
    pub log_dir: Option<PathBuf>,
    pub services: Selection,
    pub bus: BusChoice,
    pub settings: Settings,
    pub session: SessionConfig,
    pub payment_provider: payment_provider::ProviderConfig,
    pub body_limit: usize,
}

/// The running services and their router; `serve` it, then it shuts down cleanly.
pub struct App {
    router: Router,
    runtime: Runtime,
    stop: watch::Sender<bool>,
    log: FileLog,
    relay: Mutex<Option<RelayHandle>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

/// Per service, what its read models still lack; shared with `/readyz`.
pub(crate) type ReadinessParts = Arc<Mutex<Vec<(&'static str, Readiness)>>>;

pub(crate) fn open_models(data_dir: &Path, service: &str) -> anyhow::Result<ReadModels> {
    let dir = data_dir.join("readmodels").join(service);
    ReadModels::open(&dir).with_context(|| format!("opening the read models of {service}"))
}

impl App {
    /// Opens the data directory and starts the selected services.
    pub async fn start(config: AppConfig) -> anyhow::Result<App> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating {}", config.data_dir.display()))?;
        let log_dir = config
            .log_dir
            .clone()
            .unwrap_or_else(|| config.data_dir.join("log"));
        let log = FileLog::open(&log_dir, FileLogOptions::default())
            .with_context(|| format!("opening the event log at {}", log_dir.display()))?;
        let opened = bus::open_bus(&config.bus, &log, &config.data_dir, &config.services).await?;
        let (stop, shutdown) = watch::channel(false);
        let runtime = Runtime::new(log.clone(), opened.bus, config.settings.clone(), shutdown);
        let keys = SessionKeys::new(&config.session).context("session keys")?;
        let readiness = ReadinessParts::default();
        let router = register::start_services(&config, &runtime, &keys, &readiness).await?;
        let check = readiness_check(readiness, opened.nats);
        let router = api_layers(
            router.merge(health_routes(check)),
            ApiOptions {
                body_limit: config.body_limit,
            },
        );
        Ok(App {
            router,
            runtime,
            stop,
            log,
            relay: Mutex::new(opened.relay),
        })
    }

    /// Serves HTTP on `listener` until `shutdown` resolves, then stops everything in order.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let service = self
            .router
            .clone()
            .into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        self.stop_background().await;
        served.context("serving HTTP")
    }

    /// Stops reactions and read models, then the relay, the bus and the log.
    pub async fn stop_background(&self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(Duration::from_secs(30), self.runtime.join())
            .await
            .is_err()
        {
            tracing::error!("background tasks did not stop within 30 s");
        }
        let relay = self.relay.lock().ok().and_then(|mut r| r.take());
        if let Some(relay) = relay
            && let Err(error) = relay.stop().await
        {
            tracing::error!(%error, "the relay stopped with an error");
        }
        self.runtime.bus.close().await;
        self.log.close().await;
    }
}

/// `/readyz`: every read model caught up, and the NATS connection up when there is one.
fn readiness_check(
    parts: ReadinessParts,
    nats: Option<JetStreamBus>,
) -> impl Fn() -> Vec<String> + Send + Sync + 'static {
    move || {
        let mut behind = Vec::new();
        if let Some(nats) = &nats
            && !nats.is_connected()
        {
            behind.push(
                "bus: not connected to NATS (writes are kept in the log and relayed on reconnect)"
                    .to_owned(),
            );
        }
        let Ok(parts) = parts.lock() else {
            behind.push("readiness registry poisoned".to_owned());
            return behind;
        };
        for (service, readiness) in parts.iter() {
            if let Err(what) = readiness.check() {
                behind.extend(what.into_iter().map(|w| format!("{service}: {w}")));
            }
        }
        behind
    }
}
