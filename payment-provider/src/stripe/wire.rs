//! Stripe's answers, read: the JSON objects it returns and how its documented status
//! codes and error types map onto [`ProviderError`]. Pure functions, no I/O.

use serde::Deserialize;

use crate::{Charge, ProviderError, Refund};

#[derive(Debug, Deserialize)]
struct ChargeObject {
    id: String,
    amount: u64,
    status: String,
}

#[derive(Debug, Deserialize)]
struct RefundObject {
    id: String,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RefundList {
    data: Vec<RefundObject>,
}

#[derive(Debug, Deserialize)]
struct ErrorEnvelope {
    error: StripeError,
}

/// The `error` object of a Stripe error answer.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct StripeError {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

fn unexpected(what: &str, detail: impl std::fmt::Display) -> ProviderError {
    ProviderError::Unexpected {
        message: format!("{what}: {detail}"),
    }
}

/// A 200 answer to `POST /v1/charges`.
pub(crate) fn parse_charge(body: &[u8]) -> Result<Charge, ProviderError> {
    let charge: ChargeObject =
        serde_json::from_slice(body).map_err(|e| unexpected("unreadable charge object", e))?;
    // Card charges through /v1/charges are either captured or refused with 402; any
    // other status (pending, failed) must not be recorded as a captured payment.
    if charge.status != "succeeded" {
        return Err(unexpected(
            "charge not captured",
            format!("{} has status {}", charge.id, charge.status),
        ));
    }
    Ok(Charge {
        id: charge.id,
        amount_cents: charge.amount,
    })
}

fn accepted_refund(refund: RefundObject) -> Result<Refund, ProviderError> {
    // `pending` is an accepted refund the card network has not settled yet.
    match refund.status.as_deref() {
        None | Some("succeeded") | Some("pending") => Ok(Refund { id: refund.id }),
        Some(other) => Err(unexpected(
            "refund not accepted",
            format!("{} has status {other}", refund.id),
        )),
    }
}

/// A 200 answer to `POST /v1/refunds`.
pub(crate) fn parse_refund(body: &[u8]) -> Result<Refund, ProviderError> {
    let refund: RefundObject =
        serde_json::from_slice(body).map_err(|e| unexpected("unreadable refund object", e))?;
    accepted_refund(refund)
}

/// A 200 answer to `GET /v1/refunds?charge=...`: the charge's refund, if any.
pub(crate) fn parse_refund_list(body: &[u8]) -> Result<Option<Refund>, ProviderError> {
    let list: RefundList =
        serde_json::from_slice(body).map_err(|e| unexpected("unreadable refund list", e))?;
    list.data
        .into_iter()
        .next()
        .map(accepted_refund)
        .transpose()
}

/// The `error` object of an error answer, if the body is one.
pub(crate) fn parse_error(body: &[u8]) -> Option<StripeError> {
    serde_json::from_slice::<ErrorEnvelope>(body)
        .ok()
        .map(|envelope| envelope.error)
}

/// Maps a non-2xx answer to what the caller should do, following Stripe's documented
/// status codes (400, 401, 402, 403, 404, 409, 424, 429, 5xx) and error types.
pub(crate) fn error_from_response(status: u16, error: Option<&StripeError>) -> ProviderError {
    let message = error.and_then(|e| e.message.clone());
    let kind = error.and_then(|e| e.kind.as_deref());
    let described = || {
        message
            .clone()
            .unwrap_or_else(|| format!("Stripe answered {status}"))
    };
    match status {
        // Stripe's 401 body says `invalid_request_error`; the status decides here.
        401 | 403 => ProviderError::Misconfigured {
            message: format!("Stripe refused the secret key ({status}): {}", described()),
        },
        402 => ProviderError::Declined {
            message: message.unwrap_or_else(|| "Your card was declined.".to_owned()),
        },
        409 | 424 | 429 | 500..=599 => ProviderError::Transient {
            message: format!("Stripe answered {status}: {}", described()),
        },
        // A 404 without Stripe's error object is not Stripe: the base URL is wrong.
        404 if error.is_none() => ProviderError::Misconfigured {
            message: "the Stripe base URL answered 404 without a Stripe error".to_owned(),
        },
        400 | 404 => match kind {
            Some("card_error") => ProviderError::Declined {
                message: described(),
            },
            // The order's key was first used with other details (another card or
            // amount); Stripe keeps that first answer for 24 hours.
            Some("idempotency_error") => ProviderError::InvalidRequest {
                message: "A payment for this order was already attempted with different details."
                    .to_owned(),
            },
            _ => ProviderError::InvalidRequest {
                message: described(),
            },
        },
        _ => ProviderError::Unexpected {
            message: format!("Stripe answered {status}: {}", described()),
        },
    }
}

/// Maps a failure to send the request or read the answer.
pub(crate) fn error_from_transport(error: &reqwest::Error) -> ProviderError {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_builder() {
        ProviderError::Misconfigured { message }
    } else {
        // Timeouts and connection failures leave the outcome unknown; the idempotency
        // key makes the retry safe.
        ProviderError::Transient { message }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn error(status: u16, body: &str) -> ProviderError {
        error_from_response(status, parse_error(body.as_bytes()).as_ref())
    }

    #[test]
    fn a_card_error_with_402_is_a_decline_with_stripes_message() {
        let body = r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline","message":"Your card was declined.","charge":"ch_1"}}"#;
        assert_eq!(
            error(402, body),
            ProviderError::Declined {
                message: "Your card was declined.".to_owned()
            }
        );
    }

    #[test]
    fn a_401_is_a_misconfiguration_even_though_stripe_calls_it_an_invalid_request() {
        let body = r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****1234"}}"#;
        assert!(matches!(
            error(401, body),
            ProviderError::Misconfigured { .. }
        ));
    }

    #[test]
    fn rate_limits_conflicts_and_server_faults_are_transient() {
        for status in [409, 424, 429, 500, 502, 503, 504] {
            assert!(error(status, "").is_retryable(), "{status}");
        }
    }

    #[test]
    fn an_invalid_request_error_keeps_stripes_message() {
        let body = r#"{"error":{"type":"invalid_request_error","code":"resource_missing","param":"source","message":"No such token: 'tok_x'"}}"#;
        assert_eq!(
            error(400, body),
            ProviderError::InvalidRequest {
                message: "No such token: 'tok_x'".to_owned()
            }
        );
    }

    #[test]
    fn an_idempotency_error_is_an_invalid_request_the_buyer_can_understand() {
        let body = r#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}"#;
        assert!(
            matches!(error(400, body), ProviderError::InvalidRequest { message } if message.contains("already attempted"))
        );
    }

    #[test]
    fn a_404_without_a_stripe_error_points_at_a_wrong_base_url() {
        assert!(matches!(
            error(404, "<html>"),
            ProviderError::Misconfigured { .. }
        ));
    }

    #[test]
    fn a_succeeded_charge_object_reads_as_a_charge_in_cents() {
        let body = br#"{"id":"ch_1","object":"charge","amount":1999,"currency":"usd","status":"succeeded","paid":true}"#;
        assert_eq!(
            parse_charge(body).unwrap(),
            Charge {
                id: "ch_1".to_owned(),
                amount_cents: 1999
            }
        );
    }

    #[test]
    fn a_pending_charge_is_not_taken_as_captured() {
        let body = br#"{"id":"ch_1","amount":1999,"status":"pending"}"#;
        assert!(matches!(
            parse_charge(body),
            Err(ProviderError::Unexpected { .. })
        ));
    }

    #[test]
    fn a_pending_refund_is_accepted_and_a_failed_one_is_not() {
        assert!(parse_refund(br#"{"id":"re_1","status":"pending"}"#).is_ok());
        assert!(parse_refund(br#"{"id":"re_1","status":"failed"}"#).is_err());
    }

    #[test]
    fn an_empty_refund_list_means_no_refund() {
        assert_eq!(
            parse_refund_list(br#"{"object":"list","data":[]}"#).unwrap(),
            None
        );
    }
}
