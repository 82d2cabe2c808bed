//! `/api/tickets`: create, list, show and update tickets (spec section 2, tickets).

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::{Money, MoneyError, TicketError, TicketId, UserId};
use serde_json::Value;
use services::tickets::Tickets;

use crate::http::{
    ApiError, ApiJson, CorrelationId, FieldError, JsonObject, PathId, RequireUser, SessionKeys,
};
use crate::service_errors::{command, fault};

#[derive(Clone)]
struct TicketsState {
    tickets: Tickets,
    keys: SessionKeys,
}

impl FromRef<TicketsState> for SessionKeys {
    fn from_ref(state: &TicketsState) -> Self {
        state.keys.clone()
    }
}

/// The routes of `/api/tickets`.
pub fn router(tickets: Tickets, keys: SessionKeys) -> Router {
    Router::new()
        .route("/api/tickets", post(create).get(list))
        .route("/api/tickets/{id}", get(show).put(update))
        .with_state(TicketsState { tickets, keys })
}

async fn create(
    RequireUser(user): RequireUser,
    State(state): State<TicketsState>,
    CorrelationId(correlation_id): CorrelationId,
    body: JsonObject,
) -> Result<(StatusCode, ApiJson<Value>), ApiError> {
    let (title, price) = ticket_fields(&body)?;
    let ticket = state
        .tickets
        .create(UserId::new(user.id), title, price, correlation_id)
        .await
        .map_err(command)?;
    Ok((StatusCode::CREATED, ApiJson(ticket.to_json())))
}

async fn list(State(state): State<TicketsState>) -> Result<ApiJson<Value>, ApiError> {
    let tickets = state.tickets.list_available().map_err(fault)?;
    Ok(ApiJson(Value::Array(
        tickets.iter().map(|ticket| ticket.to_json()).collect(),
    )))
}

async fn show(
    State(state): State<TicketsState>,
    PathId(id): PathId,
) -> Result<ApiJson<Value>, ApiError> {
    match state.tickets.get(TicketId::new(id)).map_err(fault)? {
        Some(ticket) => Ok(ApiJson(ticket.to_json())),
        None => Err(ApiError::NotFound),
    }
}

async fn update(
    RequireUser(user): RequireUser,
    State(state): State<TicketsState>,
    CorrelationId(correlation_id): CorrelationId,
    PathId(id): PathId,
    body: JsonObject,
) -> Result<ApiJson<Value>, ApiError> {
    let (title, price) = ticket_fields(&body)?;
    let ticket = state
        .tickets
        .update(
            TicketId::new(id),
            UserId::new(user.id),
            title,
            price,
            correlation_id,
        )
        .await
        .map_err(command)?;
    Ok(ApiJson(ticket.to_json()))
}

/// Title and price of a create or update, or every field rule the body breaks.
fn ticket_fields(body: &JsonObject) -> Result<(String, Money), ApiError> {
    // A title that is not a string (a number, null) is as good as missing.
    let title = body.str("title").unwrap_or_default();
    let price = body
        .get("price")
        .map_or(Err(MoneyError::Empty), Money::from_json);
    let mut errors = Vec::new();
    if title.trim().is_empty() {
        errors.push(FieldError::new(
            "title",
            TicketError::TitleRequired.to_string(),
        ));
    }
    match &price {
        Err(error) => errors.push(FieldError::new("price", error.to_string())),
        Ok(price) if price.is_zero() => errors.push(FieldError::new(
            "price",
            TicketError::PriceNotPositive.to_string(),
        )),
        Ok(_) => {}
    }
    match price {
        Ok(price) if errors.is_empty() => Ok((title.to_owned(), price)),
        _ => Err(ApiError::validation(errors)),
    }
}
