//! expiration: a durable timer per placed order; when it fires, `OrderExpirationDue` in
//! `expiration-{orderId}` (spec section 3). No HTTP routes besides health.
//!
//! The `expiration-orders` consumer turns order events into timer changes
//! (`domain::reactions::expiration::on_order_event`) stored in sled and flushed before the
//! event is acknowledged. The clock task fires due timers: it appends the expiry (the
//! domain records it once however often a timer fires, and the event id is derived from
//! the `OrderCreated` that scheduled it), then removes the timer. A crash between the two
//! only fires the timer again after the restart, which records nothing new.
//!
//! Readiness: the service is ready once started. Its state is the timers, which are
//! durable; a consumer catching up after a restart only adds timers for orders placed
//! while it was down, and those fire late rather than wrongly, so no read model gates it.
//!
//! # Layout
//! - `timers`: the sled timer store; `clock`: the task that fires them; here: the
//!   service handle and the consumer.

mod clock;
mod timers;

use std::sync::Arc;

use domain::reactions::expiration::{TimerAction, on_order_event};
use domain::{DomainEvent, EventMetadata, OrderEvent, OrderId};
use eventlog::RecordedEvent;
use projections::ReadModels;
use tokio::sync::Notify;

use crate::infra::{Handled, Readiness, Runtime, ServiceError, consumer_config, run_reaction};

pub use timers::{Timer, Timers};

/// The expiration service handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Expiration {
    timers: Timers,
    readiness: Readiness,
}

impl Expiration {
    /// Starts the `expiration-orders` consumer and the clock on `models` (expiration's
    /// own sled database). Timers stored before a restart fire as soon as they are due.
    pub async fn start(runtime: &Runtime, models: ReadModels) -> Result<Self, ServiceError> {
        let timers = Timers::open(&models)?;
        let wake = Arc::new(Notify::new());
        let consumer = Consumer {
            timers: timers.clone(),
            wake: wake.clone(),
        };
        let config = consumer_config(runtime, "expiration-orders", "order");
        run_reaction(runtime, config, 2, move |event| {
            let consumer = consumer.clone();
            async move { consumer.on_order_event(event).await }
        })
        .await?;
        runtime.spawn(
            "expiration-clock",
            clock::run(runtime.clone(), timers.clone(), wake),
        );
        Ok(Self {
            timers,
            readiness: Readiness::default(),
        })
    }

    /// Always ready once started (see the module documentation).
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// The pending timers, earliest first.
    pub fn pending(&self) -> Result<Vec<Timer>, ServiceError> {
        self.timers.pending()
    }
}

#[derive(Clone)]
struct Consumer {
    timers: Timers,
    wake: Arc<Notify>,
}

impl Consumer {
    /// `OrderCreated` → a timer at `expiresAt`; `OrderCancelled` / `OrderCompleted` → no
    /// timer. Acknowledged only once the change is flushed to disk.
    async fn on_order_event(&self, event: RecordedEvent) -> Result<Handled, ServiceError> {
        let Some(order_id) = crate::infra::stream_id::<OrderId>(&event) else {
            return Ok(Handled::Poison(format!(
                "not an order stream: {}",
                event.stream
            )));
        };
        let decoded = match OrderEvent::decode(&event.event_type, &event.data) {
            Ok(decoded) => decoded,
            Err(error) => return Ok(Handled::Poison(error.to_string())),
        };
        match on_order_event(order_id, &decoded) {
            None => return Ok(Handled::Done),
            Some(TimerAction::Schedule { order_id, at }) => {
                let chain = EventMetadata::from_json_bytes(&event.metadata).ok();
                self.timers.schedule(&Timer {
                    order_id,
                    due: at,
                    trigger_id: event.id,
                    correlation_id: chain.map_or(event.id, |m| m.correlation_id),
                    user_id: chain.and_then(|m| m.user_id),
                })?;
            }
            Some(TimerAction::Drop { order_id }) => self.timers.close(order_id)?,
        }
        self.timers.flush().await?;
        self.wake.notify_one();
        Ok(Handled::Done)
    }
}
