//! payments: paying for orders (`payment-{orderId}`, one stream per order, so a second
//! payment is impossible), the `payments` read model, the copies of orders a payment is
//! authorised on, and the refund of a payment that came after its order's cancellation
//! (spec sections 2, 3 and 7).
//!
//! Consumers, both over category `order`:
//! - `payments-orders` keeps the order copies (revision-checked, one replica);
//! - `payments-refunds` refunds through the provider on `OrderPaymentRefused`.
//!
//! # Layout
//! - `pay`: the command ([`PayError`]); `projection`: the `payments` read model
//!   ([`PaymentRow`]); `copies`: the order copies; `refunds`: the refund reaction.

mod copies;
mod pay;
mod projection;
mod refunds;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use domain::{OrderCopy, OrderId};
use eventlog::RecordedEvent;
use payment_provider::AnyProvider;
use projections::{Progress, ReadModels, View, run_projection};

use crate::infra::{Handled, Readiness, Runtime, ServiceError, consumer_config, run_reaction};

pub use copies::OrderCopies;
pub use pay::PayError;
pub use projection::{PaymentRow, PaymentsProjection};
use refunds::Refunds;

/// Durable consumer name of the order copies.
pub const COPIES_CONSUMER: &str = "payments-orders";
/// Durable consumer name of the refund reaction.
pub const REFUNDS_CONSUMER: &str = "payments-refunds";
/// Deliveries of one order event to the copies before it is dead-lettered. Waiting for an
/// earlier event retries every 200 ms, so this allows about ten seconds for it to arrive.
const COPIES_MAX_DELIVER: u32 = 50;
/// Deliveries of one refusal before its refund is dead-lettered for an operator.
const REFUNDS_MAX_DELIVER: u32 = 8;
/// Back-off between refund attempts: a provider outage gets about two minutes.
const REFUNDS_BACKOFF: [Duration; 4] = [
    Duration::from_millis(500),
    Duration::from_secs(2),
    Duration::from_secs(10),
    Duration::from_secs(30),
];

/// Tunables of the payments service.
#[derive(Debug, Clone)]
pub struct PaymentsOptions {
    /// How long a payment waits for the copy of its order to catch up (an order placed
    /// or cancelled a moment ago may still be on its way) before deciding on what it has.
    pub copy_wait: Duration,
}

impl Default for PaymentsOptions {
    fn default() -> Self {
        Self {
            copy_wait: Duration::from_secs(1),
        }
    }
}

/// The payments service handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Payments {
    runtime: Runtime,
    options: PaymentsOptions,
    provider: AnyProvider,
    copies: OrderCopies,
    refunds: Arc<Refunds>,
    view: View,
    progress: Progress,
    readiness: Readiness,
}

impl Payments {
    /// Starts the `payments` read model and both consumers on `models` (payments' own
    /// sled database), charging and refunding through `provider`.
    pub async fn start(
        runtime: &Runtime,
        models: ReadModels,
        provider: AnyProvider,
    ) -> Result<Self, ServiceError> {
        Self::start_with(runtime, models, provider, PaymentsOptions::default()).await
    }

    /// Like [`Payments::start`] with `options`.
    pub async fn start_with(
        runtime: &Runtime,
        models: ReadModels,
        provider: AnyProvider,
        options: PaymentsOptions,
    ) -> Result<Self, ServiceError> {
        let (progress, task) = run_projection(
            runtime.log.clone(),
            Arc::new(PaymentsProjection),
            &models,
            runtime.shutdown(),
        )?;
        runtime.spawn("payments-projection", async move {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::error!(%error, "payments read model stopped"),
                Err(error) => tracing::error!(%error, "payments read model task failed"),
            }
        });
        let mut readiness = Readiness::default();
        readiness.track(&runtime.log, progress.clone()).await?;

        // One replica: the events of one order are applied one at a time.
        let copies = OrderCopies::open(&models)?;
        let mut config = consumer_config(runtime, COPIES_CONSUMER, "order");
        config.max_deliver = COPIES_MAX_DELIVER;
        let feed = copies.clone();
        run_reaction(runtime, config, 1, move |event| {
            let copies = feed.clone();
            async move { copies.apply(&event).await }
        })
        .await?;

        let refunds = Arc::new(Refunds::new(runtime.log.clone(), provider.clone()));
        let mut config = consumer_config(runtime, REFUNDS_CONSUMER, "order");
        config.max_deliver = REFUNDS_MAX_DELIVER;
        config.backoff = REFUNDS_BACKOFF.to_vec();
        let reaction = refunds.clone();
        run_reaction(runtime, config, 1, move |event| {
            let refunds = reaction.clone();
            async move { refunds.handle(event).await }
        })
        .await?;

        Ok(Self {
            runtime: runtime.clone(),
            options,
            provider,
            copies,
            refunds,
            view: models.view(PaymentsProjection::NAME)?,
            progress,
            readiness,
        })
    }

    /// Whether the `payments` read model has caught up with the log as it was at start.
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// The payment of `order_id` as the read model shows it.
    pub fn payment(&self, order_id: OrderId) -> Result<Option<PaymentRow>, ServiceError> {
        Ok(self.view.get_json(&PaymentsProjection::key(order_id))?)
    }

    /// Payments' copy of `order_id`, if any event of the order arrived.
    pub fn order_copy(&self, order_id: OrderId) -> Result<Option<OrderCopy>, ServiceError> {
        self.copies.get(order_id)
    }

    /// Handles one event of category `order` as the `payments-refunds` consumer does.
    /// Exposed so that the reaction can be exercised with a chosen event.
    pub async fn react_to_order_event(
        &self,
        event: RecordedEvent,
    ) -> Result<Handled, ServiceError> {
        self.refunds.handle(event).await
    }
}
