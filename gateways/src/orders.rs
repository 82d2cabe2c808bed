//! The orders API (`/api/orders`, spec section 2): place, list, show and cancel orders.
//!
//! `ticketId` must be a UUID: a missing, empty or malformed one is the validation error
//! "TicketId must be provided" on field `ticketId` (the original validated it the same
//! way, with the same message). A well-formed id of a ticket nobody created is a 404.

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::{OrderId, TicketId, UserId};
use services::orders::{OrderView, Orders};

use crate::http::{ApiError, ApiJson, CorrelationId, JsonObject, PathId, RequireUser, SessionKeys};
use crate::service_errors;

#[derive(Clone)]
struct OrdersState {
    orders: Orders,
    keys: SessionKeys,
}

impl FromRef<OrdersState> for SessionKeys {
    fn from_ref(state: &OrdersState) -> Self {
        state.keys.clone()
    }
}

/// The routes of `/api/orders`.
pub fn router(orders: Orders, keys: SessionKeys) -> Router {
    Router::new()
        .route("/api/orders", get(list).post(create))
        .route("/api/orders/{id}", get(show).delete(cancel))
        .with_state(OrdersState { orders, keys })
}

/// The `ticketId` of the body, or the contract's validation error.
fn ticket_id(body: &JsonObject) -> Result<TicketId, ApiError> {
    body.str("ticketId")
        .map(str::trim)
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| ApiError::field("ticketId", "TicketId must be provided"))
}

async fn create(
    RequireUser(user): RequireUser,
    CorrelationId(correlation_id): CorrelationId,
    State(state): State<OrdersState>,
    body: JsonObject,
) -> Result<(StatusCode, ApiJson<OrderView>), ApiError> {
    let ticket_id = ticket_id(&body)?;
    let order = state
        .orders
        .place_order(UserId::new(user.id), ticket_id, correlation_id)
        .await
        .map_err(service_errors::command)?;
    Ok((StatusCode::CREATED, ApiJson(order)))
}

async fn list(
    RequireUser(user): RequireUser,
    State(state): State<OrdersState>,
) -> Result<ApiJson<Vec<OrderView>>, ApiError> {
    let orders = state
        .orders
        .orders_of(UserId::new(user.id))
        .await
        .map_err(service_errors::fault)?;
    Ok(ApiJson(orders))
}

async fn show(
    RequireUser(user): RequireUser,
    State(state): State<OrdersState>,
    PathId(id): PathId,
) -> Result<ApiJson<OrderView>, ApiError> {
    let order = state
        .orders
        .order(UserId::new(user.id), OrderId::new(id))
        .await
        .map_err(service_errors::command)?;
    Ok(ApiJson(order))
}

async fn cancel(
    RequireUser(user): RequireUser,
    CorrelationId(correlation_id): CorrelationId,
    State(state): State<OrdersState>,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    state
        .orders
        .cancel_order(UserId::new(user.id), OrderId::new(id), correlation_id)
        .await
        .map_err(service_errors::command)?;
    Ok(StatusCode::NO_CONTENT)
}
