//! Identifiers: one newtype per kind of thing, all over `Uuid`, so that an order id can
//! never be passed where a ticket id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A string that is not a UUID was given where an id was expected.
///
/// Callers at the HTTP edge answer 404, as for an unknown id (spec section 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed id: {input:?}")]
pub struct MalformedId {
    /// The text that failed to parse (kept for logs, never shown to users).
    pub input: String,
}

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID chosen by the caller (new ids come in from outside the domain).
            pub const fn new(id: Uuid) -> Self {
                Self(id)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Hyphenated lowercase: the form stream names and URLs use.
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = MalformedId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| MalformedId { input: s.to_owned() })
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

id_newtype!(
    /// A registered user (stream `user-{id}`).
    UserId
);
id_newtype!(
    /// A ticket offered for sale (streams `ticket-{id}` and `reservation-{id}`).
    TicketId
);
id_newtype!(
    /// An order (streams `order-{id}`, `expiration-{id}`, `payment-{id}`).
    OrderId
);
id_newtype!(
    /// A payment. There is at most one per order, so it is derived from the order id.
    PaymentId
);

/// Fixed namespace for payment ids; never change it, ids already issued depend on it.
const PAYMENT_NAMESPACE: Uuid = Uuid::from_u128(0x6f1d_2c3a_8b4e_4f7a_9c21_5d0e_3b7a_1c44);

impl PaymentId {
    /// The id of the (single) payment of an order.
    ///
    /// Payments live in `payment-{orderId}`, one stream per order, so a second payment is
    /// impossible; deriving the id makes the 201 `{id}` answer, `OrderCompleted {paymentId}`
    /// and any retry agree without storing a mapping.
    pub fn for_order(order_id: OrderId) -> Self {
        Self(Uuid::new_v5(
            &PAYMENT_NAMESPACE,
            order_id.as_uuid().as_bytes(),
        ))
    }
}
