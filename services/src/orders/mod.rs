//! orders: placing, cancelling and showing orders over the `order` and `reservation`
//! streams, and the reactions that keep them right (spec sections 2, 3 and 7).
//!
//! Placing an order holds the ticket in `reservation-{ticketId}` first (expecting the
//! revision read, so of racing buyers exactly one wins), then records `OrderCreated` in
//! `order-{id}`. Every way a hold could outlive its order is closed by a consumer:
//! - `orders-orders` frees the hold of every cancelled order (a crash between the
//!   cancellation and the free leaves nothing held);
//! - `orders-reservations` frees a hold whose order was never created (a crash between
//!   `TicketHeld` and `OrderCreated`) once it is older than a grace period;
//! - `orders-expiration` cancels orders whose time ran out, `orders-payments` completes
//!   paid ones, `orders-tickets` keeps the ticket copies.
//!
//! # Layout
//! - `place`, `cancel`: the commands; `queries` (here): one order, a buyer's orders;
//! - `projection`: the `orders` read model; `views`: the order JSON;
//! - `copies`: the ticket copies; `reactions`, `orphans`: the consumers;
//! - `events`: helpers for handling recorded events.

mod cancel;
mod copies;
mod events;
mod orphans;
mod place;
mod projection;
mod reactions;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
mod views;

use std::sync::Arc;
use std::time::Duration;

use domain::{OrderError, OrderId, UserId};
use projections::{Progress, ReadModels, View, run_projection};

use crate::infra::{CommandError, Readiness, Runtime, ServiceError};

pub use copies::TicketCopies;
pub use place::PlaceOrderError;
pub use projection::{OrderRow, OrdersProjection};
pub use views::{OrderTicketView, OrderView};

/// Tunables of the orders service.
#[derive(Debug, Clone)]
pub struct OrdersOptions {
    /// How old a hold without an order must be before it is freed as an orphan. Far
    /// longer than a request takes between `TicketHeld` and `OrderCreated`.
    pub orphan_grace: Duration,
    /// How long placing an order waits for the copy of a ticket that is not known yet
    /// (a ticket created a moment ago may still be on its way) before answering 404.
    pub copy_wait: Duration,
}

impl Default for OrdersOptions {
    fn default() -> Self {
        Self {
            orphan_grace: Duration::from_secs(30),
            copy_wait: Duration::from_secs(1),
        }
    }
}

/// The orders service handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Orders {
    runtime: Runtime,
    options: OrdersOptions,
    copies: TicketCopies,
    orders: View,
    progress: Progress,
    readiness: Readiness,
}

impl Orders {
    /// Starts the `orders` read model and the consumers on `models` (orders' own sled
    /// database), with the default options.
    pub async fn start(runtime: &Runtime, models: ReadModels) -> Result<Self, ServiceError> {
        Self::start_with(runtime, models, OrdersOptions::default()).await
    }

    /// Like [`Orders::start`] with `options`.
    pub async fn start_with(
        runtime: &Runtime,
        models: ReadModels,
        options: OrdersOptions,
    ) -> Result<Self, ServiceError> {
        let (progress, task) = run_projection(
            runtime.log.clone(),
            Arc::new(OrdersProjection),
            &models,
            runtime.shutdown(),
        )?;
        runtime.spawn("orders-projection", async move {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::error!(%error, "orders read model stopped"),
                Err(error) => tracing::error!(%error, "orders read model task failed"),
            }
        });
        let mut readiness = Readiness::default();
        readiness.track(&runtime.log, progress.clone()).await?;
        let copies = TicketCopies::open(&models)?;
        reactions::start(runtime, &copies, &options).await?;
        Ok(Self {
            runtime: runtime.clone(),
            options,
            copies,
            orders: models.view(OrdersProjection::NAME)?,
            progress,
            readiness,
        })
    }

    /// Whether the `orders` read model has caught up with the log as it was at start.
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// Order `order_id` as `user` may see it: 404 unknown, 401 someone else's.
    pub async fn order(
        &self,
        user: UserId,
        order_id: OrderId,
    ) -> Result<OrderView, CommandError<OrderError>> {
        let row = self
            .row(order_id)?
            .ok_or(CommandError::Rejected(OrderError::NotFound))?;
        if row.user_id != user {
            return Err(CommandError::Rejected(OrderError::NotOwner));
        }
        Ok(self.view(&row)?)
    }

    /// The orders `user` placed, oldest first, each with its ticket.
    pub async fn orders_of(&self, user: UserId) -> Result<Vec<OrderView>, ServiceError> {
        let ids: Vec<OrderId> = self
            .orders
            .scan_json(projection::user_prefix(user).as_bytes())?;
        let mut views = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = self.row(id)? {
                views.push(self.view(&row)?);
            }
        }
        Ok(views)
    }

    fn row(&self, order_id: OrderId) -> Result<Option<OrderRow>, ServiceError> {
        Ok(self
            .orders
            .get_json(projection::row_key(order_id).as_bytes())?)
    }

    fn view(&self, row: &OrderRow) -> Result<OrderView, ServiceError> {
        let copy = self.copies.get(row.ticket_id)?;
        Ok(OrderView::new(row, copy.as_ref()))
    }

    /// Waits until the `orders` read model shows the write at `position`.
    async fn wait_for(&self, position: Option<u64>) -> Result<(), ServiceError> {
        if let Some(position) = position {
            self.progress
                .wait_for(position, self.runtime.settings.read_your_writes_timeout)
                .await?;
        }
        Ok(())
    }
}
