//! `POST /api/payments`: authorise on the order copy and the payment stream, charge
//! through the provider, record `PaymentCaptured` in `payment-{orderId}`.
//!
//! The charge's idempotency key is the order id, so however many requests race for one
//! order, the provider makes one charge; `payment-{orderId}` is appended expecting no
//! stream, so exactly one request records it and the others answer "Order already paid".
//!
//! A card the provider declined is not retried with the same key by Stripe: it replays
//! its first answer for that order for 24 hours (a different token with the same key is
//! refused as a changed request). The buyer's order expires long before; placing a new
//! order gives a new key. Safer against double charges than a key per attempt.

use domain::{
    Context, EventMetadata, OrderId, Payment, PaymentCommand, PaymentError, PaymentId, UserId,
    authorize_payment,
};
use payment_provider::{ChargeRequest, PaymentProvider as _, ProviderError};
use uuid::Uuid;

use super::{PaymentRow, Payments};
use crate::infra::{CommandError, EventIds, ServiceError, execute, load, now};

/// Why a payment was not made.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// A payment rule refused (unknown order 404, not the owner 401, cancelled or already
    /// paid 400): nothing was charged. Answer by the error's `ErrorKind`.
    #[error(transparent)]
    Refused(PaymentError),
    /// The provider refused the card or the request: nothing was charged. Answer 400
    /// with `message` (written for the buyer).
    #[error("{message}")]
    CardRefused { message: String },
    /// The payment stream kept changing: 409, the buyer may retry (the charge is keyed by
    /// the order, so a retry charges nothing twice).
    #[error("the payment kept changing; gave up after {attempts} attempts")]
    Conflict { attempts: u32 },
    /// The machinery or the provider failed: 500 (503 for a lagging read model). Whether
    /// money moved may be unknown; a retry of the same order is safe.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<CommandError<PaymentError>> for PayError {
    fn from(error: CommandError<PaymentError>) -> Self {
        match error {
            CommandError::Rejected(refused) => PayError::Refused(refused),
            CommandError::Conflict { attempts } => PayError::Conflict { attempts },
            CommandError::Service(error) => PayError::Service(error),
        }
    }
}

impl Payments {
    /// Pays for `order_id` on behalf of `payer` with the card behind `token`, and answers
    /// once the `payments` read model shows the payment.
    pub async fn pay(
        &self,
        payer: UserId,
        order_id: OrderId,
        token: String,
        correlation_id: Uuid,
    ) -> Result<PaymentRow, PayError> {
        let log = &self.runtime.log;
        let copy = self
            .copies
            .caught_up(log, order_id, self.options.copy_wait)
            .await?;
        let payment = load::<Payment>(log, order_id).await?;
        let request = authorize_payment(&copy, &payment.state, payer).map_err(PayError::Refused)?;
        let charge = self
            .provider
            .charge(ChargeRequest {
                order_id: order_id.as_uuid(),
                amount_cents: request.amount.cents(),
                currency: request.currency.to_owned(),
                token,
            })
            .await
            .map_err(charge_failed)?;

        let metadata = EventMetadata::for_command(correlation_id, Some(payer));
        let ctx = Context::at(now());
        let capture = |_: &_| PaymentCommand::CapturePayment {
            order_id,
            charge_id: charge.id.clone(),
            amount: request.amount,
        };
        let captured =
            execute::<Payment, _>(log, order_id, &ctx, &metadata, EventIds::Fresh, capture).await;
        let captured = match captured {
            Ok(captured) => captured,
            Err(CommandError::Rejected(PaymentError::AlreadyPaid)) => {
                // A concurrent request won; the provider gave both the one charge of
                // this order, so nobody paid twice.
                self.check_same_charge(order_id, &charge.id).await;
                return Err(PayError::Refused(PaymentError::AlreadyPaid));
            }
            Err(error) => return Err(error.into()),
        };
        if let Some(position) = captured.last_position {
            self.progress
                .wait_for(position, self.runtime.settings.read_your_writes_timeout)
                .await
                .map_err(ServiceError::from)?;
        }
        Ok(self.payment(order_id)?.unwrap_or_else(|| PaymentRow {
            id: PaymentId::for_order(order_id),
            order_id,
            charge_id: charge.id,
            amount: request.amount,
            refunded: false,
        }))
    }

    /// Logs loudly if the payment that won the race has another charge than ours: then
    /// the provider did not honour the order's idempotency key and an operator must
    /// refund `ours` by hand.
    async fn check_same_charge(&self, order_id: OrderId, ours: &str) {
        match load::<Payment>(&self.runtime.log, order_id).await {
            Ok(loaded) => {
                if let Some(recorded) = loaded.state.capture
                    && recorded.charge_id != ours
                {
                    tracing::error!(
                        %order_id, recorded = %recorded.charge_id, extra = %ours,
                        "a second charge was made for an already paid order; refund it by hand"
                    );
                }
            }
            Err(error) => {
                tracing::warn!(%order_id, %error, "could not compare the charges of a payment race")
            }
        }
    }
}

/// What a failed charge means for the buyer.
fn charge_failed(error: ProviderError) -> PayError {
    match error {
        ProviderError::Declined { message } | ProviderError::InvalidRequest { message } => {
            PayError::CardRefused { message }
        }
        other => PayError::Service(ServiceError::Provider(other.to_string())),
    }
}
