//! Orders' consumers: ticket copies, its own cancellations, expiries and payments (and,
//! in `orphans`, holds without an order). Each appends with ids derived from the trigger
//! (a distinct discriminator per reaction), so a redelivered event appends nothing new.

use domain::reactions::orders::{on_expiration_event, on_payment_event};
use domain::{Context, ExpirationEvent, Order, OrderEvent, OrderId, PaymentEvent};
use eventlog::RecordedEvent;

use super::OrdersOptions;
use super::cancel::free_hold;
use super::copies::TicketCopies;
use super::events::{decode, reacting_to, settle, stream_id};
use super::orphans::Orphans;
use crate::infra::{
    EventIds, Handled, Runtime, ServiceError, consumer_config, execute, load, now, run_reaction,
};

/// Deliveries of one event before it is dead-lettered, for consumers whose handler may
/// ask to be called again later many times (early copies, young holds).
const PATIENT_MAX_DELIVER: u32 = 50;

/// Starts every consumer of the orders service.
pub(crate) async fn start(
    runtime: &Runtime,
    copies: &TicketCopies,
    options: &OrdersOptions,
) -> Result<(), ServiceError> {
    // Copies: one replica, so the events of one ticket are applied one at a time.
    let mut config = consumer_config(runtime, "orders-tickets", "ticket");
    config.max_deliver = PATIENT_MAX_DELIVER;
    let tickets = copies.clone();
    run_reaction(runtime, config, 1, move |event| {
        let copies = tickets.clone();
        async move { copies.apply(&event).await }
    })
    .await?;

    let reactor = Reactor {
        runtime: runtime.clone(),
    };
    let own = reactor.clone();
    let config = consumer_config(runtime, "orders-orders", "order");
    run_reaction(runtime, config, 2, move |event| {
        let reactor = own.clone();
        async move { reactor.on_order_event(event).await }
    })
    .await?;

    let expiries = reactor.clone();
    let config = consumer_config(runtime, "orders-expiration", "expiration");
    run_reaction(runtime, config, 2, move |event| {
        let reactor = expiries.clone();
        async move { reactor.on_expiration_event(event).await }
    })
    .await?;

    let payments = reactor;
    let config = consumer_config(runtime, "orders-payments", "payment");
    run_reaction(runtime, config, 2, move |event| {
        let reactor = payments.clone();
        async move { reactor.on_payment_event(event).await }
    })
    .await?;

    let orphans = Orphans::new(runtime.clone(), options.orphan_grace);
    let mut config = consumer_config(runtime, "orders-reservations", "reservation");
    config.max_deliver = PATIENT_MAX_DELIVER;
    // Most holds wait a moment here for their order; do not let them stall the consumer.
    config.max_ack_pending = 10_000;
    run_reaction(runtime, config, 1, move |event| {
        let orphans = orphans.clone();
        async move { orphans.on_reservation_event(event).await }
    })
    .await
}

#[derive(Clone)]
struct Reactor {
    runtime: Runtime,
}

impl Reactor {
    /// `OrderCancelled` → free the hold of the order (idempotent; closes the gap of a
    /// crash between the cancellation and the free).
    async fn on_order_event(&self, event: RecordedEvent) -> Result<Handled, ServiceError> {
        let decoded = match decode::<OrderEvent>(&event) {
            Ok(decoded) => decoded,
            Err(poison) => return Ok(poison),
        };
        if !matches!(decoded, OrderEvent::OrderCancelled(_)) {
            return Ok(Handled::Done);
        }
        let Some(order_id) = stream_id::<OrderId>(&event) else {
            return Ok(Handled::Poison(format!(
                "not an order stream: {}",
                event.stream
            )));
        };
        let order = load::<Order>(&self.runtime.log, order_id).await?;
        let ids = EventIds::DerivedFrom {
            trigger: event.id,
            discriminator: "orders/free-cancelled",
        };
        let ctx = Context::at(now());
        let freed = free_hold(
            &self.runtime.log,
            order_id,
            &order.state,
            &ctx,
            &reacting_to(&event),
            ids,
        )
        .await;
        settle(freed)
    }

    /// `OrderExpirationDue` → cancel the order if it is still open, then free its hold.
    async fn on_expiration_event(&self, event: RecordedEvent) -> Result<Handled, ServiceError> {
        let decoded = match decode::<ExpirationEvent>(&event) {
            Ok(decoded) => decoded,
            Err(poison) => return Ok(poison),
        };
        let (order_id, command) = on_expiration_event(&decoded);
        let log = &self.runtime.log;
        let ctx = Context::at(now());
        let metadata = reacting_to(&event);
        let ids = EventIds::DerivedFrom {
            trigger: event.id,
            discriminator: "orders/expire",
        };
        let expired =
            match execute::<Order, _>(log, order_id, &ctx, &metadata, ids, |_| command).await {
                Ok(expired) => expired,
                Err(error) => return settle::<(), _>(Err(error)),
            };
        let ids = EventIds::DerivedFrom {
            trigger: event.id,
            discriminator: "orders/expire-free",
        };
        settle(free_hold(log, order_id, &expired.state, &ctx, &metadata, ids).await)
    }

    /// `PaymentCaptured` → complete the order (or, if it was cancelled first, record
    /// `OrderPaymentRefused` so that payments refunds the charge).
    async fn on_payment_event(&self, event: RecordedEvent) -> Result<Handled, ServiceError> {
        let decoded = match decode::<PaymentEvent>(&event) {
            Ok(decoded) => decoded,
            Err(poison) => return Ok(poison),
        };
        let Some((order_id, command)) = on_payment_event(&decoded) else {
            return Ok(Handled::Done);
        };
        let ids = EventIds::DerivedFrom {
            trigger: event.id,
            discriminator: "orders/complete",
        };
        let completed = execute::<Order, _>(
            &self.runtime.log,
            order_id,
            &Context::at(now()),
            &reacting_to(&event),
            ids,
            |_| command,
        )
        .await;
        settle(completed)
    }
}
