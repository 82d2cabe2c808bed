//! The `orders-reservations` consumer: frees holds whose order was never created.
//!
//! Placing an order appends `TicketHeld`, then `OrderCreated`. A crash (or a fault of the
//! second append) in between would leave the ticket held by an order that does not exist,
//! forever. Every `TicketHeld` therefore comes here: once its order exists there is
//! nothing to do; if the hold is older than the grace period (measured from the time the
//! log recorded it) and the order still does not exist, the hold is freed
//! (`FreeTicket::never_placed`). If the order was created in the moment between the
//! check and the free, it is cancelled right after; a request that creates its order
//! after the free sees the lost hold itself and cancels its order (`place::confirm_hold`).
//! Either way no order lives without its hold.

use std::time::Duration;

use domain::{
    Context, FreeTicket, Order, OrderCommand, Reservation, ReservationCommand, ReservationEvent,
    TicketId,
};
use eventlog::RecordedEvent;

use super::events::{decode, reacting_to, settle, stream_id};
use crate::infra::{EventIds, Handled, Runtime, ServiceError, execute, load, now};

/// The first look at a young hold comes this long after it was recorded: by then its
/// order exists in all but the orphan case, so only orphans wait the whole grace period.
const FIRST_LOOK: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub(crate) struct Orphans {
    runtime: Runtime,
    grace: Duration,
}

impl Orphans {
    pub(crate) fn new(runtime: Runtime, grace: Duration) -> Self {
        Self { runtime, grace }
    }

    pub(crate) async fn on_reservation_event(
        &self,
        event: RecordedEvent,
    ) -> Result<Handled, ServiceError> {
        let held = match decode::<ReservationEvent>(&event) {
            Ok(ReservationEvent::TicketHeld(held)) => held,
            Ok(ReservationEvent::TicketFreed(_)) => return Ok(Handled::Done),
            Err(poison) => return Ok(poison),
        };
        let Some(ticket_id) = stream_id::<TicketId>(&event) else {
            return Ok(Handled::Poison(format!(
                "not a reservation stream: {}",
                event.stream
            )));
        };
        let log = &self.runtime.log;
        let order_id = held.order_id;
        let order = load::<Order>(log, order_id).await?;
        let Some(free) = FreeTicket::never_placed(order_id, &order.state) else {
            return Ok(Handled::Done);
        };
        let reservation = load::<Reservation>(log, ticket_id).await?;
        if reservation.state.holder != Some(order_id) {
            return Ok(Handled::Done);
        }
        let age = Duration::from_millis(now().as_millis().saturating_sub(event.recorded_at_ms));
        if age < self.grace {
            let remaining = self.grace - age;
            let wait = match FIRST_LOOK.checked_sub(age) {
                Some(until_first_look) if !until_first_look.is_zero() => {
                    remaining.min(until_first_look)
                }
                _ => remaining,
            };
            return Ok(Handled::Later {
                delay: wait,
                reason: format!("hold of order {order_id} is young; its order may still come"),
            });
        }

        tracing::warn!(%order_id, %ticket_id, "freeing the hold of an order that was never created");
        let ctx = Context::at(now());
        let metadata = reacting_to(&event);
        let ids = EventIds::DerivedFrom {
            trigger: event.id,
            discriminator: "orders/free-orphan",
        };
        let command = ReservationCommand::FreeTicket(free);
        let freed =
            execute::<Reservation, _>(log, ticket_id, &ctx, &metadata, ids, |_| command).await;
        if let Err(error) = freed {
            return settle::<(), _>(Err(error));
        }

        // The order may have been created between the check above and the free.
        let ids = EventIds::DerivedFrom {
            trigger: event.id,
            discriminator: "orders/cancel-orphan",
        };
        let order = load::<Order>(log, order_id).await?;
        if order.state.placed.is_none() {
            return Ok(Handled::Done);
        }
        // Cancels it while open (as an expiry: its hold is gone); a paid one stays.
        let expire = |_: &_| OrderCommand::ExpireOrder;
        settle(execute::<Order, _>(log, order_id, &ctx, &metadata, ids, expire).await)
    }
}
