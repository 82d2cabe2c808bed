//! The `payments` read model over the `payment` category: one row per order's payment
//! (key `payment/{orderId}`), with the charge and whether it was refunded.

use domain::Aggregate as _;
use domain::{DomainEvent, Money, OrderId, Payment, PaymentEvent, PaymentId};
use eventlog::{CategoryFilter, RecordedEvent};
use projections::{Projection, ProjectionError, Tx};
use serde::{Deserialize, Serialize};

/// The payment of one order as the read model keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRow {
    /// The payment (derived from the order id: one payment per order).
    pub id: PaymentId,
    /// The order paid for.
    pub order_id: OrderId,
    /// The provider's charge id.
    pub charge_id: String,
    /// The amount charged.
    pub amount: Money,
    /// Whether the charge was given back (the order had been cancelled first).
    pub refunded: bool,
}

/// Builds `payments` from the `payment` category.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentsProjection;

impl PaymentsProjection {
    /// The projection's name (its sled trees and checkpoint derive from it).
    pub const NAME: &'static str = "payments";

    /// The key of the payment row of `order_id`.
    pub fn key(order_id: OrderId) -> Vec<u8> {
        format!("payment/{order_id}").into_bytes()
    }
}

impl Projection for PaymentsProjection {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn filter(&self) -> CategoryFilter {
        CategoryFilter::categories([Payment::CATEGORY])
    }

    fn apply(&self, event: &RecordedEvent, tx: &mut Tx<'_>) -> Result<(), ProjectionError> {
        let failed = |reason: String| ProjectionError::Apply {
            position: event.position,
            event_type: event.event_type.clone(),
            reason,
        };
        let order_id: OrderId = crate::infra::stream_id(event)
            .ok_or_else(|| failed(format!("stream {:?} does not name an order", event.stream)))?;
        let decoded = PaymentEvent::decode(&event.event_type, &event.data)
            .map_err(|e| failed(e.to_string()))?;
        let key = Self::key(order_id);
        let row = match decoded {
            PaymentEvent::PaymentCaptured(captured) => PaymentRow {
                id: PaymentId::for_order(order_id),
                order_id,
                charge_id: captured.charge_id,
                amount: captured.amount,
                refunded: false,
            },
            PaymentEvent::PaymentRefunded(_) => {
                // The log is read in order, so the stream's capture always came first.
                let mut row: PaymentRow = tx.get_json(&key)?.ok_or_else(|| {
                    failed(format!(
                        "payment of {order_id} refunded before it was captured"
                    ))
                })?;
                row.refunded = true;
                row
            }
        };
        tx.insert_json(key, &row)
    }
}
