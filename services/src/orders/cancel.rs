//! `DELETE /api/orders/:id`, and freeing the hold of a cancelled order (shared with the
//! reactions that cancel orders).

use domain::reactions::orders::free_reservation;
use domain::{
    CancelReason, Context, EventMetadata, Order, OrderCommand, OrderError, OrderId, OrderState,
    Reservation, ReservationError, UserId,
};
use uuid::Uuid;

use super::Orders;
use crate::infra::{CommandError, EventIds, Log, execute, now};

impl Orders {
    /// Cancels `user`'s order `order_id` and frees its ticket. Cancelling a cancelled
    /// order records nothing; a completed one is refused, someone else's is `NotOwner`.
    pub async fn cancel_order(
        &self,
        user: UserId,
        order_id: OrderId,
        correlation_id: Uuid,
    ) -> Result<(), CommandError<OrderError>> {
        let log = &self.runtime.log;
        let ctx = Context::at(now());
        let metadata = EventMetadata::for_command(correlation_id, Some(user));
        let cancel = |_: &_| OrderCommand::CancelOrder {
            by: Some(user),
            reason: CancelReason::User,
        };
        let cancelled =
            execute::<Order, _>(log, order_id, &ctx, &metadata, EventIds::Fresh, cancel).await?;
        // The `orders-orders` consumer frees it too; doing it here makes the ticket
        // available as soon as the answer arrives. Both are idempotent.
        free_hold(
            log,
            order_id,
            &cancelled.state,
            &ctx,
            &metadata,
            EventIds::Fresh,
        )
        .await
        .map_err(|error| match error {
            CommandError::Rejected(_) => CommandError::Conflict { attempts: 1 },
            CommandError::Conflict { attempts } => CommandError::Conflict { attempts },
            CommandError::Service(error) => CommandError::Service(error),
        })?;
        self.wait_for(cancelled.last_position).await?;
        Ok(())
    }
}

/// Frees the ticket held by `order_id` if the order (in `order`) is cancelled and still
/// holds it; does nothing otherwise. Returns whether `TicketFreed` was appended.
pub(crate) async fn free_hold(
    log: &Log,
    order_id: OrderId,
    order: &OrderState,
    ctx: &Context,
    metadata: &EventMetadata,
    ids: EventIds<'_>,
) -> Result<bool, CommandError<ReservationError>> {
    let Some((ticket_id, free)) = free_reservation(order_id, order) else {
        return Ok(false);
    };
    let freed = execute::<Reservation, _>(log, ticket_id, ctx, metadata, ids, |_| free).await?;
    Ok(!freed.events.is_empty())
}
