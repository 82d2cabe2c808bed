//! The fake's routes: `POST /v1/charges`, `POST /v1/refunds`, `GET /v1/refunds`, with
//! Stripe's documented status codes, error bodies and idempotency rules (an answer is
//! saved per key once the endpoint ran, i.e. for 200 and 402; the same key with other
//! parameters is a 400 `idempotency_error`).

use std::collections::BTreeMap;

use axum::extract::{Form, Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{RecordedRequest, SavedAnswer, Shared, State, StoredCharge};

type Answer = (StatusCode, Json<Value>);
type Decided = (u16, Value);

pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/v1/charges", post(create_charge))
        .route("/v1/refunds", post(create_refund).get(list_refunds))
        .with_state(state)
}

fn error(status: u16, kind: &str, code: Option<&str>, message: &str) -> Decided {
    let mut body = json!({"type": kind, "message": message});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    (status, json!({ "error": body }))
}

fn answer((status, body): Decided) -> Answer {
    (StatusCode::from_u16(status).unwrap(), Json(body))
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Records the request and answers it, then waits the configured delay before sending
/// the answer: like Stripe, the work is done even if the client gives up waiting.
async fn handle(
    state: &Shared,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    form: BTreeMap<String, String>,
    decide: fn(&mut State, &BTreeMap<String, String>) -> Decided,
) -> Answer {
    let (delay, answer) = {
        let mut state = state.lock().unwrap();
        state.requests.push(RecordedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            authorization: header(headers, "authorization"),
            idempotency_key: header(headers, "idempotency-key"),
            content_type: header(headers, "content-type"),
            form: form.clone(),
        });
        let endpoint = format!("{method} {path}");
        (
            state.delay,
            respond(&mut state, &endpoint, headers, form, decide),
        )
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    answer
}

/// Outage, key check, idempotency; then `decide` for a fresh request.
fn respond(
    state: &mut State,
    endpoint: &str,
    headers: &HeaderMap,
    params: BTreeMap<String, String>,
    decide: fn(&mut State, &BTreeMap<String, String>) -> Decided,
) -> Answer {
    if let Some(status) = state.forced_status {
        return answer(error(
            status,
            "api_error",
            None,
            "An unknown error occurred",
        ));
    }
    let expected = format!("Bearer {}", state.secret_key);
    match header(headers, "authorization") {
        Some(given) if given == expected => {}
        Some(_) => {
            return answer(error(
                401,
                "invalid_request_error",
                None,
                "Invalid API Key provided: sk_test_****",
            ));
        }
        None => {
            return answer(error(
                401,
                "invalid_request_error",
                None,
                "You did not provide an API key.",
            ));
        }
    }
    let key = header(headers, "idempotency-key").map(|k| (endpoint.to_owned(), k));
    if let Some(saved) = key.as_ref().and_then(|k| state.saved.get(k)) {
        if saved.params != params {
            return answer(error(
                400,
                "idempotency_error",
                None,
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            ));
        }
        return answer((saved.status, saved.body.clone()));
    }
    let (status, body) = decide(state, &params);
    if let Some(key) = key.filter(|_| matches!(status, 200 | 402)) {
        let saved = SavedAnswer {
            params,
            status,
            body: body.clone(),
        };
        state.saved.insert(key, saved);
    }
    answer((status, body))
}

fn next_id(state: &mut State, prefix: &str) -> String {
    state.next_id += 1;
    format!("{prefix}_fake{:08}", state.next_id)
}

fn decide_charge(state: &mut State, form: &BTreeMap<String, String>) -> Decided {
    let Some(raw_amount) = form.get("amount") else {
        return error(
            400,
            "invalid_request_error",
            Some("parameter_missing"),
            "Missing required param: amount.",
        );
    };
    let Ok(amount) = raw_amount.parse::<u64>() else {
        let message = format!("Invalid integer: {raw_amount}");
        return error(
            400,
            "invalid_request_error",
            Some("parameter_invalid_integer"),
            &message,
        );
    };
    if amount < 50 {
        return error(
            400,
            "invalid_request_error",
            Some("amount_too_small"),
            "Amount must be at least $0.50 usd",
        );
    }
    let Some(currency) = form.get("currency") else {
        return error(
            400,
            "invalid_request_error",
            Some("parameter_missing"),
            "Missing required param: currency.",
        );
    };
    let Some(source) = form.get("source") else {
        return error(
            400,
            "invalid_request_error",
            None,
            "Must provide source or customer.",
        );
    };
    let declined = |state: &mut State, decline_code: &str, message: &str| {
        let (status, mut body) = error(402, "card_error", Some("card_declined"), message);
        body["error"]["decline_code"] = json!(decline_code);
        body["error"]["charge"] = json!(next_id(state, "ch"));
        (status, body)
    };
    match source.as_str() {
        "tok_visa" | "tok_mastercard" | "tok_amex" => {}
        "tok_chargeDeclined" => {
            return declined(state, "generic_decline", "Your card was declined.");
        }
        "tok_chargeDeclinedInsufficientFunds" => {
            return declined(
                state,
                "insufficient_funds",
                "Your card has insufficient funds.",
            );
        }
        other => {
            let message = format!("No such token: '{other}'");
            return error(
                400,
                "invalid_request_error",
                Some("resource_missing"),
                &message,
            );
        }
    }
    let id = next_id(state, "ch");
    let stored = StoredCharge {
        amount,
        refund: None,
    };
    state.charges.insert(id.clone(), stored);
    let order_id = form.get("metadata[order_id]").cloned().unwrap_or_default();
    let body = json!({
        "id": id, "object": "charge", "amount": amount, "amount_captured": amount,
        "currency": currency, "status": "succeeded", "paid": true, "captured": true,
        "refunded": false, "description": form.get("description"),
        "metadata": {"order_id": order_id},
    });
    (200, body)
}

fn decide_refund(state: &mut State, form: &BTreeMap<String, String>) -> Decided {
    let Some(charge_id) = form.get("charge").cloned() else {
        return error(
            400,
            "invalid_request_error",
            Some("parameter_missing"),
            "Missing required param: charge.",
        );
    };
    let refund_id = next_id(state, "re");
    let Some(charge) = state.charges.get_mut(&charge_id) else {
        let message = format!("No such charge: '{charge_id}'");
        return error(
            400,
            "invalid_request_error",
            Some("resource_missing"),
            &message,
        );
    };
    if charge.refund.is_some() {
        let message = format!("Charge {charge_id} has already been refunded.");
        return error(
            400,
            "invalid_request_error",
            Some("charge_already_refunded"),
            &message,
        );
    }
    let metadata: BTreeMap<&str, &String> = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("metadata[")?.strip_suffix(']')?, v)))
        .collect();
    let refund = json!({
        "id": refund_id, "object": "refund", "amount": charge.amount, "charge": charge_id,
        "currency": "usd", "status": "succeeded", "metadata": metadata,
    });
    charge.refund = Some(refund.clone());
    (200, refund)
}

fn decide_refund_list(state: &mut State, query: &BTreeMap<String, String>) -> Decided {
    let refunds: Vec<Value> = query
        .get("charge")
        .and_then(|id| state.charges.get(id))
        .and_then(|charge| charge.refund.clone())
        .into_iter()
        .collect();
    (
        200,
        json!({"object": "list", "data": refunds, "has_more": false, "url": "/v1/refunds"}),
    )
}

async fn create_charge(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Answer {
    handle(&state, "POST", "/v1/charges", &headers, form, decide_charge).await
}

async fn create_refund(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Answer {
    handle(&state, "POST", "/v1/refunds", &headers, form, decide_refund).await
}

async fn list_refunds(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
) -> Answer {
    // The adapter sends no Idempotency-Key on a GET, so nothing is saved for it.
    handle(
        &state,
        "GET",
        "/v1/refunds",
        &headers,
        query,
        decide_refund_list,
    )
    .await
}
