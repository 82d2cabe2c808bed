//! The payments API (`/api/payments`, spec section 2): pay for an order with a card token.
//!
//! `token` and `orderId` must be non-empty strings ("Token must be provided", "OrderId
//! must be provided"; both reported when both are missing). A present `orderId` that is
//! not a UUID names no order: 404, as a malformed id is everywhere else.

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use domain::{OrderId, UserId};
use serde_json::{Value, json};
use services::payments::{PayError, Payments};

use crate::http::{
    ApiError, ApiJson, CorrelationId, FieldError, JsonObject, RequireUser, SessionKeys,
};
use crate::service_errors;

#[derive(Clone)]
struct PaymentsState {
    payments: Payments,
    keys: SessionKeys,
}

impl FromRef<PaymentsState> for SessionKeys {
    fn from_ref(state: &PaymentsState) -> Self {
        state.keys.clone()
    }
}

/// The routes of `/api/payments`.
pub fn router(payments: Payments, keys: SessionKeys) -> Router {
    Router::new()
        .route("/api/payments", post(create))
        .with_state(PaymentsState { payments, keys })
}

/// A non-empty (after trimming) string field.
fn present<'a>(body: &'a JsonObject, field: &str) -> Option<&'a str> {
    body.str(field).map(str::trim).filter(|s| !s.is_empty())
}

/// The body's token and order id, or every field error at once.
fn parse(body: &JsonObject) -> Result<(String, Option<OrderId>), ApiError> {
    let token = present(body, "token");
    let order_id = present(body, "orderId");
    let mut errors = Vec::new();
    if token.is_none() {
        errors.push(FieldError::new("token", "Token must be provided"));
    }
    if order_id.is_none() {
        errors.push(FieldError::new("orderId", "OrderId must be provided"));
    }
    match (token, order_id) {
        (Some(token), Some(order_id)) => Ok((token.to_owned(), order_id.parse().ok())),
        _ => Err(ApiError::validation(errors)),
    }
}

async fn create(
    RequireUser(user): RequireUser,
    CorrelationId(correlation_id): CorrelationId,
    State(state): State<PaymentsState>,
    body: JsonObject,
) -> Result<(StatusCode, ApiJson<Value>), ApiError> {
    let (token, order_id) = parse(&body)?;
    let order_id = order_id.ok_or(ApiError::NotFound)?;
    let payment = state
        .payments
        .pay(UserId::new(user.id), order_id, token, correlation_id)
        .await
        .map_err(pay_failed)?;
    Ok((
        StatusCode::CREATED,
        ApiJson(json!({ "id": payment.id.to_string() })),
    ))
}

fn pay_failed(error: PayError) -> ApiError {
    match error {
        PayError::Refused(refused) => service_errors::refusal(&refused),
        PayError::CardRefused { message } => ApiError::bad_request(message),
        PayError::Conflict { .. } => {
            ApiError::conflict("The payment kept changing; please try again")
        }
        PayError::Service(error) => service_errors::fault(error),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn body(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => JsonObject(map),
            _ => panic!("not an object"),
        }
    }

    fn fields(error: ApiError) -> Vec<(String, String)> {
        match error {
            ApiError::Validation(errors) => {
                errors.into_iter().map(|e| (e.field, e.message)).collect()
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_body_without_token_and_order_reports_both_fields() {
        let error = parse(&body(json!({}))).unwrap_err();
        assert_eq!(
            fields(error),
            vec![
                ("token".to_owned(), "Token must be provided".to_owned()),
                ("orderId".to_owned(), "OrderId must be provided".to_owned()),
            ]
        );
    }

    #[test]
    fn blank_or_non_string_fields_are_not_provided() {
        let error = parse(&body(json!({"token": "  ", "orderId": 42}))).unwrap_err();
        assert_eq!(fields(error).len(), 2);
    }

    #[test]
    fn a_malformed_order_id_is_present_but_names_no_order() {
        let (token, order_id) =
            parse(&body(json!({"token": "tok_visa", "orderId": "nope"}))).unwrap();
        assert_eq!(token, "tok_visa");
        assert_eq!(order_id, None);
    }
}
