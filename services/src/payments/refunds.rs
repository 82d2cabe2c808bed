//! The reaction `payments-refunds` (over category `order`): `OrderPaymentRefused` →
//! refund the charge through the provider → `PaymentRefunded` in `payment-{orderId}`.
//! Nobody ends up charged for a ticket they do not get.
//!
//! The provider is asked first and the event recorded after it agreed. A crash between
//! the two redelivers the trigger; the refund's idempotency key (derived from the charge
//! id) makes the second call return the first refund, and the event ids derived from the
//! trigger make a repeated append a duplicate. A transient provider failure is retried
//! with the consumer's back-off, a bounded number of times, then dead-lettered for an
//! operator to re-drive.

use std::time::Duration;

use domain::reactions::payments::on_order_event;
use domain::{Context, DomainEvent, EventMetadata, OrderEvent, OrderId, Payment, PaymentCommand};
use eventlog::RecordedEvent;
use payment_provider::{AnyProvider, PaymentProvider as _, ProviderError, RefundRequest};

use crate::infra::{CommandError, EventIds, Handled, Log, ServiceError, execute, load, now};

/// Discriminator of the derived ids of `PaymentRefunded`.
const DISCRIMINATOR: &str = "payments/refund";
/// How soon a refund whose append kept conflicting runs again.
const CONFLICT_DELAY: Duration = Duration::from_millis(100);

/// The refund reaction: the log and the provider.
#[derive(Debug, Clone)]
pub(super) struct Refunds {
    log: Log,
    provider: AnyProvider,
}

impl Refunds {
    pub(super) fn new(log: Log, provider: AnyProvider) -> Self {
        Self { log, provider }
    }

    /// Handles one event of an `order-{id}` stream.
    pub(super) async fn handle(&self, event: RecordedEvent) -> Result<Handled, ServiceError> {
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
        let Some((order_id, command)) = on_order_event(order_id, &decoded) else {
            return Ok(Handled::Done);
        };
        let PaymentCommand::RefundPayment { reason } = &command else {
            return Ok(Handled::Done);
        };
        let payment = load::<Payment>(&self.log, order_id).await?;
        let Some(capture) = payment.state.refund_due() else {
            if payment.state.capture.is_none() {
                tracing::error!(%order_id, "order refused a payment that was never captured; nothing to refund");
            }
            return Ok(Handled::Done);
        };
        let refund = self
            .provider
            .refund(RefundRequest {
                charge_id: capture.charge_id.clone(),
                order_id: order_id.as_uuid(),
                reason: reason.clone(),
            })
            .await;
        match refund {
            Ok(refund) => {
                tracing::info!(%order_id, charge_id = %capture.charge_id, refund_id = %refund.id, "payment refunded");
            }
            Err(error) => return refund_failed(order_id, error),
        }

        let metadata = EventMetadata::from_json_bytes(&event.metadata).map_or_else(
            |_| EventMetadata::for_command(event.id, None),
            |trigger| EventMetadata::reacting_to(event.id, &trigger),
        );
        let ids = EventIds::DerivedFrom {
            trigger: event.id,
            discriminator: DISCRIMINATOR,
        };
        let ctx = Context::at(now());
        let recorded = execute::<Payment, _>(&self.log, order_id, &ctx, &metadata, ids, |_| {
            command.clone()
        })
        .await;
        match recorded {
            Ok(_) => Ok(Handled::Done),
            // Only "never captured" refuses, and the capture was just loaded: a bug.
            Err(CommandError::Rejected(refused)) => Ok(Handled::Poison(format!(
                "refund of order {order_id} refused: {refused}"
            ))),
            Err(CommandError::Conflict { attempts }) => Ok(Handled::Later {
                delay: CONFLICT_DELAY,
                reason: format!("payment {order_id} kept changing ({attempts} attempts)"),
            }),
            Err(CommandError::Service(error)) => Err(error),
        }
    }
}

/// How a failed refund settles its delivery: what may succeed later is retried (the key
/// makes that safe), what never will goes to the dead letters for an operator.
fn refund_failed(order_id: OrderId, error: ProviderError) -> Result<Handled, ServiceError> {
    match error {
        ProviderError::Transient { .. } | ProviderError::Unexpected { .. } => Err(
            ServiceError::Provider(format!("refund of order {order_id}: {error}")),
        ),
        ProviderError::Declined { .. }
        | ProviderError::InvalidRequest { .. }
        | ProviderError::Misconfigured { .. } => {
            tracing::error!(%order_id, %error, "refund refused by the provider; an operator must act");
            Ok(Handled::Poison(format!(
                "refund of order {order_id}: {error}"
            )))
        }
    }
}
