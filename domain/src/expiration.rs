//! The expiry of an order (stream `expiration-{orderId}`), owned by expiration.
//!
//! The timer itself is state in expiration's read model (see
//! [`crate::reactions::expiration`]); this stream records only that it fired, once.

use std::convert::Infallible;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, domain_event};
use crate::ids::OrderId;
use crate::metadata::Context;

/// The order's time to pay has run out; orders cancels it if it is still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderExpirationDue {
    /// The order that expired.
    pub order_id: OrderId,
}

/// Events of `expiration-{orderId}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpirationEvent {
    /// See [`OrderExpirationDue`].
    OrderExpirationDue(OrderExpirationDue),
}
domain_event!(ExpirationEvent { OrderExpirationDue });

/// Commands of `expiration-{orderId}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpirationCommand {
    /// The timer fired (or fired again after a restart).
    MarkExpirationDue {
        /// The order whose timer fired.
        order_id: OrderId,
    },
}

/// Whether the expiry was recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpirationState {
    /// True once `OrderExpirationDue` is recorded.
    pub due: bool,
}

/// The expiration aggregate; its stream id is the order id.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expiration;

impl Aggregate for Expiration {
    const CATEGORY: &'static str = "expiration";
    type State = ExpirationState;
    type Command = ExpirationCommand;
    type Event = ExpirationEvent;
    type Error = Infallible;

    fn decide(
        state: &ExpirationState,
        command: ExpirationCommand,
        _ctx: &Context,
    ) -> Result<Vec<ExpirationEvent>, Infallible> {
        match command {
            // A timer that fires again after a crash must not expire the order twice.
            ExpirationCommand::MarkExpirationDue { order_id } => match state.due {
                true => Ok(vec![]),
                false => Ok(vec![OrderExpirationDue { order_id }.into()]),
            },
        }
    }

    fn evolve(state: &mut ExpirationState, event: &ExpirationEvent) {
        match event {
            ExpirationEvent::OrderExpirationDue(_) => state.due = true,
        }
    }
}
