//! One process running services on the embedded log and bus: opens the data directory,
//! starts each service (its read models and reactions), builds the HTTP router, and on
//! shutdown stops in order: stop accepting, finish in-flight requests, stop reactions and
//! read models (their checkpoints stay consistent), close the bus, close the log.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use bus::{Bus as _, EmbeddedBus};
use eventlog::{FileLog, FileLogOptions};
use gateways::http::{ApiOptions, SessionConfig, SessionKeys, api_layers, health_routes};
use projections::ReadModels;
use services::infra::{Readiness, Runtime, Settings};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// What the all-in-one process is started with.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub data_dir: PathBuf,
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
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

fn open_models(data_dir: &Path, service: &str) -> anyhow::Result<ReadModels> {
    let dir = data_dir.join("readmodels").join(service);
    ReadModels::open(&dir).with_context(|| format!("opening the read models of {service}"))
}

impl App {
    /// Opens the data directory and starts every service.
    pub async fn start(config: AppConfig) -> anyhow::Result<App> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating {}", config.data_dir.display()))?;
        let log = FileLog::open(config.data_dir.join("log"), FileLogOptions::default())
            .context("opening the event log")?;
        let bus = EmbeddedBus::open(log.clone(), config.data_dir.join("bus"))
            .context("opening the bus state")?;
        let (stop, shutdown) = watch::channel(false);
        let runtime = Runtime::new(log.clone(), bus, config.settings.clone(), shutdown);
        let keys = SessionKeys::new(&config.session).context("session keys")?;
        let readiness: Arc<Mutex<Vec<(&'static str, Readiness)>>> = Arc::default();
        let mut router = Router::new();
        let data_dir = config.data_dir.as_path();

        // Services register here, one block each: start, route, readiness.
        let auth = services::auth::Auth::start(&runtime, open_models(data_dir, "auth")?)
            .await
            .context("starting auth")?;
        router = router.merge(gateways::auth::router(auth.clone(), keys.clone()));
        if let Ok(mut parts) = readiness.lock() {
            parts.push(("auth", auth.readiness().clone()));
        }
        let tickets =
            services::tickets::Tickets::start(&runtime, open_models(data_dir, "tickets")?)
                .await
                .context("starting tickets")?;
        router = router.merge(gateways::tickets::router(tickets.clone(), keys.clone()));
        if let Ok(mut parts) = readiness.lock() {
            parts.push(("tickets", tickets.readiness().clone()));
        }
        let orders = services::orders::Orders::start(&runtime, open_models(data_dir, "orders")?)
            .await
            .context("starting orders")?;
        router = router.merge(gateways::orders::router(orders.clone(), keys.clone()));
        if let Ok(mut parts) = readiness.lock() {
            parts.push(("orders", orders.readiness().clone()));
        }
        let expiration =
            services::expiration::Expiration::start(&runtime, open_models(data_dir, "expiration")?)
                .await
                .context("starting expiration")?;
        if let Ok(mut parts) = readiness.lock() {
            parts.push(("expiration", expiration.readiness().clone()));
        }
        let provider = payment_provider::AnyProvider::from_config(&config.payment_provider)
            .context("payment provider")?;
        let payments = services::payments::Payments::start(
            &runtime,
            open_models(data_dir, "payments")?,
            provider,
        )
        .await
        .context("starting payments")?;
        router = router.merge(gateways::payments::router(payments.clone(), keys.clone()));
        if let Ok(mut parts) = readiness.lock() {
            parts.push(("payments", payments.readiness().clone()));
        }

        let check = {
            let readiness = readiness.clone();
            move || -> Vec<String> {
                let Ok(parts) = readiness.lock() else {
                    return vec!["readiness registry poisoned".to_owned()];
                };
                parts
                    .iter()
                    .flat_map(|(service, r)| {
                        r.check()
                            .err()
                            .unwrap_or_default()
                            .into_iter()
                            .map(move |what| format!("{service}: {what}"))
                    })
                    .collect()
            }
        };
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

    /// Stops reactions and read models, then the bus and the log.
    pub async fn stop_background(&self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(Duration::from_secs(30), self.runtime.join())
            .await
            .is_err()
        {
            tracing::error!("background tasks did not stop within 30 s");
        }
        self.runtime.bus.close().await;
        self.log.close().await;
    }

    pub fn router(&self) -> Router {
        self.router.clone()
    }
}
