//! Starting the selected services: each one's read models and reactions, its router, and
//! its readiness.

use anyhow::Context as _;
use axum::Router;
use gateways::http::SessionKeys;
use services::infra::{Readiness, Runtime};

use super::{AppConfig, ReadinessParts, ServiceName, open_models};

fn ready(parts: &ReadinessParts, service: &'static str, readiness: &Readiness) {
    if let Ok(mut parts) = parts.lock() {
        parts.push((service, readiness.clone()));
    }
}

pub(crate) async fn start_services(
    config: &AppConfig,
    runtime: &Runtime,
    keys: &SessionKeys,
    readiness: &ReadinessParts,
) -> anyhow::Result<Router> {
    let data_dir = config.data_dir.as_path();
    let selected = |name| config.services.contains(name);
    let mut router = Router::new();
    if selected(ServiceName::Auth) {
        let auth = services::auth::Auth::start(runtime, open_models(data_dir, "auth")?)
            .await
            .context("starting auth")?;
        router = router.merge(gateways::auth::router(auth.clone(), keys.clone()));
        ready(readiness, "auth", auth.readiness());
    }
    if selected(ServiceName::Tickets) {
        let models = open_models(data_dir, "tickets")?;
        let tickets = services::tickets::Tickets::start(runtime, models)
            .await
            .context("starting tickets")?;
        router = router.merge(gateways::tickets::router(tickets.clone(), keys.clone()));
        ready(readiness, "tickets", tickets.readiness());
    }
    if selected(ServiceName::Orders) {
        let orders = services::orders::Orders::start(runtime, open_models(data_dir, "orders")?)
            .await
            .context("starting orders")?;
        router = router.merge(gateways::orders::router(orders.clone(), keys.clone()));
        ready(readiness, "orders", orders.readiness());
    }
    if selected(ServiceName::Expiration) {
        let models = open_models(data_dir, "expiration")?;
        let expiration = services::expiration::Expiration::start(runtime, models)
            .await
            .context("starting expiration")?;
        ready(readiness, "expiration", expiration.readiness());
    }
    if selected(ServiceName::Payments) {
        let provider = payment_provider::AnyProvider::from_config(&config.payment_provider)
            .context("payment provider")?;
        let models = open_models(data_dir, "payments")?;
        let payments = services::payments::Payments::start(runtime, models, provider)
            .await
            .context("starting payments")?;
        router = router.merge(gateways::payments::router(payments.clone(), keys.clone()));
        ready(readiness, "payments", payments.readiness());
    }
    Ok(router)
}
