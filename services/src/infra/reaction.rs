//! Reaction loops: a durable consumer whose deliveries go through a handler, settled by
//! what the handler says. The handler stores its effect before returning `Done`, so an
//! acknowledged event is never lost; it is idempotent, so a redelivered one changes nothing.

use std::future::Future;
use std::time::Duration;

use bus::{Bus as _, ConsumerConfig};
use eventlog::RecordedEvent;

use super::{Runtime, ServiceError};

/// What became of one delivered event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// The effect is stored (or there was none to have): acknowledge.
    Done,
    /// Not yet (an earlier event is still on its way, or a transient failure): deliver
    /// again after `delay`, counting an attempt.
    Later { delay: Duration, reason: String },
    /// Can never succeed (undecodable event): straight to the dead letters.
    Poison(String),
}

/// Runs `replicas` loops sharing the durable consumer `config` until shutdown. Each loop
/// finishes the event in hand before it stops.
pub async fn run_reaction<H, Fut>(
    runtime: &Runtime,
    config: ConsumerConfig,
    replicas: usize,
    handler: H,
) -> Result<(), ServiceError>
where
    H: Fn(RecordedEvent) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Handled, ServiceError>> + Send + 'static,
{
    for replica in 0..replicas.max(1) {
        let mut consumer = runtime.bus.consumer(config.clone()).await?;
        let mut shutdown = runtime.shutdown();
        let handler = handler.clone();
        let name = config.name.clone();
        runtime.spawn(format!("{name}#{replica}"), async move {
            loop {
                let delivery = tokio::select! {
                    _ = shutdown.wait_for(|stop| *stop) => return,
                    delivery = consumer.next() => delivery,
                };
                let delivery = match delivery {
                    Ok(delivery) => delivery,
                    Err(error) => {
                        tracing::error!(consumer = %name, %error, "consumer stopped");
                        return;
                    }
                };
                let position = delivery.event.position;
                let event_type = delivery.event.event_type.clone();
                let settled = match handler(delivery.event.clone()).await {
                    Ok(Handled::Done) => delivery.ack().await,
                    Ok(Handled::Later { delay, reason }) => {
                        tracing::debug!(consumer = %name, position, %event_type, %reason, "retry later");
                        delivery.retry(Some(delay), &reason).await
                    }
                    Ok(Handled::Poison(reason)) => {
                        tracing::error!(consumer = %name, position, %event_type, %reason, "poison event");
                        delivery.reject(&reason).await
                    }
                    Err(error) => {
                        tracing::warn!(consumer = %name, position, %event_type, %error, "handler failed; will retry");
                        delivery.retry(None, &error.to_string()).await
                    }
                };
                if let Err(error) = settled {
                    tracing::error!(consumer = %name, %error, "could not settle a delivery");
                    return;
                }
            }
        });
    }
    Ok(())
}

/// The consumer configuration the services use: `{service}-{purpose}` over `category`.
pub fn consumer_config(runtime: &Runtime, name: &str, category: &str) -> ConsumerConfig {
    let mut config = ConsumerConfig::new(name, category);
    config.ack_wait = runtime.settings.ack_wait;
    config
}
