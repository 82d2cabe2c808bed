//! tickets: tickets for sale (`ticket-{id}`), their read model, and the reaction that
//! mirrors orders' holds onto the ticket (a held ticket is hidden from the list and
//! cannot be edited).
//!
//! # Layout
//! - `projection.rs`: the `tickets` read model ([`TicketRow`]).
//! - `views.rs`: the contract's ticket JSON.
//! - `reactions.rs`: consumer `tickets-orders` (order copies, reserve / release);
//!   `reaction_tests.rs` exercises it on a real log with chosen order events.

mod projection;
#[cfg(test)]
mod reaction_tests;
mod reactions;
mod views;

use std::sync::Arc;

use domain::{Context, EventMetadata, Money, Ticket, TicketCommand, TicketError, TicketId, UserId};
use eventlog::RecordedEvent;
use projections::{Progress, ReadModels, View, run_projection};
use uuid::Uuid;

use crate::infra::{
    CommandError, EventIds, Handled, Readiness, Runtime, ServiceError, consumer_config, execute,
    now, run_reaction,
};

pub use projection::{TicketRow, TicketsProjection};
use reactions::OrderReaction;

/// Durable consumer name of the reaction to orders.
pub const ORDERS_CONSUMER: &str = "tickets-orders";
/// Deliveries of one order event before it is dead-lettered. Waiting for an earlier event
/// retries every 200 ms, so this allows about half a minute for it to arrive.
const MAX_DELIVERIES: u32 = 150;

/// The tickets service handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Tickets {
    runtime: Runtime,
    view: View,
    progress: Progress,
    readiness: Readiness,
    reaction: Arc<OrderReaction>,
}

impl Tickets {
    /// Starts the `tickets` read model and the reaction to orders on `models` (tickets'
    /// own sled database).
    pub async fn start(runtime: &Runtime, models: ReadModels) -> Result<Self, ServiceError> {
        let (progress, task) = run_projection(
            runtime.log.clone(),
            Arc::new(TicketsProjection),
            &models,
            runtime.shutdown(),
        )?;
        runtime.spawn("tickets-projection", async move {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::error!(%error, "tickets read model stopped"),
                Err(error) => tracing::error!(%error, "tickets read model task failed"),
            }
        });
        let mut readiness = Readiness::default();
        readiness.track(&runtime.log, progress.clone()).await?;
        let reaction = Arc::new(OrderReaction::new(
            runtime.log.clone(),
            models.tree("order_copies")?,
        ));
        let mut config = consumer_config(runtime, ORDERS_CONSUMER, "order");
        config.max_deliver = MAX_DELIVERIES;
        let handler = {
            let reaction = reaction.clone();
            move |event: RecordedEvent| {
                let reaction = reaction.clone();
                async move { reaction.handle(event).await }
            }
        };
        run_reaction(runtime, config, 1, handler).await?;
        Ok(Self {
            runtime: runtime.clone(),
            view: models.view(TicketsProjection::NAME)?,
            progress,
            readiness,
            reaction,
        })
    }

    /// Whether the read model has caught up with the log as it was at start.
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// Puts a ticket up for sale for `seller`.
    pub async fn create(
        &self,
        seller: UserId,
        title: String,
        price: Money,
        correlation_id: Uuid,
    ) -> Result<TicketRow, CommandError<TicketError>> {
        let id = TicketId::new(Uuid::new_v4());
        let command = |_: &_| TicketCommand::CreateTicket {
            title: title.clone(),
            price,
            user_id: seller,
        };
        self.run(id, seller, correlation_id, command).await
    }

    /// Changes title and price; only the seller may, and not while an order holds it.
    pub async fn update(
        &self,
        id: TicketId,
        by: UserId,
        title: String,
        price: Money,
        correlation_id: Uuid,
    ) -> Result<TicketRow, CommandError<TicketError>> {
        let command = |_: &_| TicketCommand::UpdateTicket {
            title: title.clone(),
            price,
            by,
        };
        self.run(id, by, correlation_id, command).await
    }

    /// The ticket `id`, held or not.
    pub fn get(&self, id: TicketId) -> Result<Option<TicketRow>, ServiceError> {
        Ok(self.view.get_json(&TicketsProjection::key(id))?)
    }

    /// Every ticket no order holds, oldest first.
    pub fn list_available(&self) -> Result<Vec<TicketRow>, ServiceError> {
        let mut rows: Vec<TicketRow> = self.view.scan_json(TicketsProjection::PREFIX)?;
        rows.retain(|row| row.order_id.is_none());
        rows.sort_by_key(|row| row.created_position);
        Ok(rows)
    }

    /// Handles one event of category `order` as the `tickets-orders` consumer does.
    /// Exposed so that the reaction can be exercised with a chosen event.
    pub async fn react_to_order_event(
        &self,
        event: RecordedEvent,
    ) -> Result<Handled, ServiceError> {
        self.reaction.handle(event).await
    }

    /// Runs a user's command on `ticket-{id}` and answers from the read model once it
    /// shows the change.
    async fn run(
        &self,
        id: TicketId,
        user: UserId,
        correlation_id: Uuid,
        command: impl FnMut(&domain::TicketState) -> TicketCommand,
    ) -> Result<TicketRow, CommandError<TicketError>> {
        let metadata = EventMetadata::for_command(correlation_id, Some(user));
        let ctx = Context::at(now());
        let executed = execute::<Ticket, _>(
            &self.runtime.log,
            id,
            &ctx,
            &metadata,
            EventIds::Fresh,
            command,
        )
        .await?;
        if let Some(position) = executed.last_position {
            self.progress
                .wait_for(position, self.runtime.settings.read_your_writes_timeout)
                .await
                .map_err(ServiceError::from)?;
        }
        self.get(id)?.ok_or_else(|| {
            CommandError::Service(ServiceError::Store(format!(
                "ticket {id} is missing from the read model after its write"
            )))
        })
    }
}
