//! `POST /api/orders`: hold the ticket, then create the order (ADR 0003).

use domain::{
    CancelReason, Context, DomainError, ErrorKind, EventMetadata, Order, OrderCommand, OrderId,
    Reservation, ReservationCommand, ReservationError, TicketId, UserId,
};
use uuid::Uuid;

use super::{OrderView, Orders};
use crate::infra::{CommandError, EventIds, ServiceError, execute, load, now};

/// Why an order cannot be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceOrderError {
    /// No such ticket (orders never heard of it): 404.
    #[error("Not Found")]
    UnknownTicket,
    /// Another live (or the completed) order holds the ticket: 400, nothing recorded.
    #[error("Ticket is already reserved")]
    AlreadyReserved,
}

impl DomainError for PlaceOrderError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::UnknownTicket => ErrorKind::NotFound,
            Self::AlreadyReserved => ErrorKind::Rejected,
        }
    }
}

impl Orders {
    /// Places an order of `user` for `ticket_id`, expiring after the configured window,
    /// and answers once the `orders` read model shows it.
    pub async fn place_order(
        &self,
        user: UserId,
        ticket_id: TicketId,
        correlation_id: Uuid,
    ) -> Result<OrderView, CommandError<PlaceOrderError>> {
        let copy = self
            .copies
            .wait_for(ticket_id, self.options.copy_wait)
            .await?
            .ok_or(CommandError::Rejected(PlaceOrderError::UnknownTicket))?;
        let log = &self.runtime.log;
        let order_id = OrderId::new(Uuid::new_v4());
        let ctx = Context::at(now());
        let metadata = EventMetadata::for_command(correlation_id, Some(user));

        // The consistency boundary: of racing buyers exactly one append succeeds; the
        // others reload inside `execute`, decide again and are refused.
        let hold = |_: &_| ReservationCommand::HoldTicket { order_id };
        execute::<Reservation, _>(log, ticket_id, &ctx, &metadata, EventIds::Fresh, hold)
            .await
            .map_err(|error| match error {
                CommandError::Rejected(ReservationError::AlreadyReserved) => {
                    CommandError::Rejected(PlaceOrderError::AlreadyReserved)
                }
                CommandError::Conflict { attempts } => CommandError::Conflict { attempts },
                CommandError::Service(error) => CommandError::Service(error),
            })?;

        let window_ms =
            u64::try_from(self.runtime.settings.expiration_window.as_millis()).unwrap_or(u64::MAX);
        let place = |_: &_| OrderCommand::PlaceOrder {
            user_id: user,
            ticket_id,
            price: copy.price,
            expires_at: ctx.now.plus_millis(window_ms),
        };
        let placed = execute::<Order, _>(log, order_id, &ctx, &metadata, EventIds::Fresh, place)
            .await
            .map_err(|error| match error {
                // A fresh v4 id already taken: astronomically unlikely; the client may retry.
                CommandError::Rejected(_) => CommandError::Conflict { attempts: 1 },
                CommandError::Conflict { attempts } => CommandError::Conflict { attempts },
                CommandError::Service(error) => CommandError::Service(error),
            })?;

        self.confirm_hold(ticket_id, order_id, &ctx, &metadata)
            .await?;
        self.wait_for(placed.last_position).await?;
        let row = self.row(order_id)?.ok_or_else(|| {
            ServiceError::Store(format!("order {order_id} missing from its read model"))
        })?;
        Ok(self.view(&row)?)
    }

    /// Makes sure the hold still belongs to the new order. It does unless this request
    /// stalled for longer than the orphan grace period between the two appends and the
    /// `orders-reservations` consumer freed the hold as an orphan; then the order, created
    /// too late, is cancelled (its ticket may already be someone else's) and the buyer
    /// gets a 409 to try again.
    async fn confirm_hold(
        &self,
        ticket_id: TicketId,
        order_id: OrderId,
        ctx: &Context,
        metadata: &EventMetadata,
    ) -> Result<(), CommandError<PlaceOrderError>> {
        let log = &self.runtime.log;
        let reservation = load::<Reservation>(log, ticket_id).await?;
        if reservation.state.holder == Some(order_id) {
            return Ok(());
        }
        tracing::warn!(%order_id, %ticket_id, "hold freed as an orphan before the order was created; cancelling the order");
        let cancel = |_: &_| OrderCommand::CancelOrder {
            by: None,
            reason: CancelReason::Expired,
        };
        execute::<Order, _>(log, order_id, ctx, metadata, EventIds::Fresh, cancel)
            .await
            .map_err(|error| match error {
                CommandError::Rejected(refusal) => {
                    // Only a completed order refuses: it was paid during the stall.
                    tracing::error!(%order_id, %refusal, "an order created after its hold was freed could not be cancelled");
                    CommandError::Conflict { attempts: 1 }
                }
                CommandError::Conflict { attempts } => CommandError::Conflict { attempts },
                CommandError::Service(error) => CommandError::Service(error),
            })?;
        Err(CommandError::Conflict { attempts: 1 })
    }
}
