//! `ticketing replay <service>`: rebuilds a stopped service's read models from the log
//! into a new generation, swapped in only when complete (the old one stays until then).
//! Copies of other services' aggregates are fed by the bus, not rebuilt here.

use std::time::Instant;

use anyhow::Context as _;
use projections::{Projection, ReadModels, rebuild};

use super::args::DataArgs;
use crate::app::ServiceName;

pub async fn run(data: &DataArgs, service: ServiceName) -> anyhow::Result<()> {
    let log = data.open_log()?;
    let dir = data.data_dir.join("readmodels").join(service.as_str());
    let models = ReadModels::open(&dir).with_context(|| {
        format!(
            "opening {} (stop the {service} service first: its read models are locked while it runs)",
            dir.display()
        )
    })?;
    match service {
        ServiceName::Auth => replay(&log, &services::auth::UsersProjection, &models).await?,
        ServiceName::Tickets => {
            replay(&log, &services::tickets::TicketsProjection, &models).await?
        }
        ServiceName::Orders => replay(&log, &services::orders::OrdersProjection, &models).await?,
        ServiceName::Payments => {
            replay(&log, &services::payments::PaymentsProjection, &models).await?
        }
        ServiceName::Expiration => {
            println!("expiration keeps no projection: its timers are state fed by the bus");
        }
    }
    models.flush()?;
    log.close().await;
    Ok(())
}

async fn replay<P: Projection>(
    log: &eventlog::FileLog,
    projection: &P,
    models: &ReadModels,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut last_report = Instant::now();
    let applied = rebuild(log, projection, models, |applied, head| {
        if last_report.elapsed().as_millis() >= 500 {
            eprintln!("  {}: {applied}/{head} events", projection.name());
            last_report = Instant::now();
        }
    })
    .await
    .with_context(|| format!("rebuilding {}", projection.name()))?;
    println!(
        "rebuilt {} from {applied} events in {:.1} s (generation {})",
        projection.name(),
        started.elapsed().as_secs_f64(),
        models.view(projection.name())?.generation()
    );
    Ok(())
}
