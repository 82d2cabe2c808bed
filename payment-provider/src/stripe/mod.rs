//! The Stripe adapter: real HTTPS calls to Stripe's Charges and Refunds API.
//!
//! Idempotency rides on Stripe's `Idempotency-Key` header: the order id for a charge,
//! `refund-{charge id}` for a refund. Stripe keeps keys for 24 hours; a refund retried
//! later than that finds the charge already refunded and looks the refund up instead.

mod wire;

use std::time::Duration;

use reqwest::{Client, Url};

use crate::{Charge, ChargeRequest, PaymentProvider, ProviderError, Refund, RefundRequest};

/// Stripe's production API.
pub const DEFAULT_STRIPE_BASE_URL: &str = "https://api.stripe.com";

/// Everything the Stripe adapter is configured with.
#[derive(Clone)]
pub struct StripeSettings {
    /// The secret key (`sk_live_...` or `sk_test_...`).
    pub secret_key: String,
    /// Where the API lives; [`DEFAULT_STRIPE_BASE_URL`] outside tests.
    pub base_url: String,
    /// Giving up on connecting after this long.
    pub connect_timeout: Duration,
    /// Giving up on a whole request after this long.
    pub request_timeout: Duration,
}

impl StripeSettings {
    /// Settings with the default timeouts (connect 5 s, request 30 s).
    pub fn new(secret_key: impl Into<String>, base_url: impl Into<String>) -> Self {
        StripeSettings {
            secret_key: secret_key.into(),
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("secret_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

/// Charges and refunds through Stripe.
#[derive(Clone)]
pub struct StripeProvider {
    client: Client,
    secret_key: String,
    charges_url: Url,
    refunds_url: Url,
}

impl std::fmt::Debug for StripeProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeProvider")
            .field("secret_key", &"<redacted>")
            .field("charges_url", &self.charges_url.as_str())
            .finish()
    }
}

fn misconfigured(message: impl Into<String>) -> ProviderError {
    ProviderError::Misconfigured {
        message: message.into(),
    }
}

impl StripeProvider {
    /// A provider for `base_url` (e.g. [`DEFAULT_STRIPE_BASE_URL`]) with default timeouts.
    pub fn new(
        secret_key: impl Into<String>,
        base_url: impl Into<String>,
    ) -> Result<Self, ProviderError> {
        Self::from_settings(StripeSettings::new(secret_key, base_url))
    }

    /// A provider for Stripe's production API with the key in `STRIPE_KEY`.
    pub fn from_env() -> Result<Self, ProviderError> {
        let secret_key = std::env::var("STRIPE_KEY")
            .map_err(|_| misconfigured("STRIPE_KEY is not set (the Stripe secret key)"))?;
        Self::new(secret_key, DEFAULT_STRIPE_BASE_URL)
    }

    /// A provider from explicit settings.
    pub fn from_settings(settings: StripeSettings) -> Result<Self, ProviderError> {
        let secret_key = settings.secret_key.trim().to_owned();
        if secret_key.is_empty() {
            return Err(misconfigured("the Stripe secret key is empty"));
        }
        // A trailing slash keeps a path prefix of the base (a proxy's) when joining.
        let with_slash = format!("{}/", settings.base_url.trim_end_matches('/'));
        let base = Url::parse(&with_slash).map_err(|e| {
            misconfigured(format!("bad Stripe base URL {:?}: {e}", settings.base_url))
        })?;
        if !matches!(base.scheme(), "https" | "http") {
            return Err(misconfigured(format!(
                "bad Stripe base URL {:?}: expected https://...",
                settings.base_url
            )));
        }
        let endpoint = |path: &str| {
            base.join(path)
                .map_err(|e| misconfigured(format!("bad Stripe base URL {base}: {e}")))
        };
        let client = Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            // A redirect would turn a POST into a GET and carry the key elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| misconfigured(format!("cannot build the HTTP client: {e}")))?;
        Ok(StripeProvider {
            client,
            secret_key,
            charges_url: endpoint("v1/charges")?,
            refunds_url: endpoint("v1/refunds")?,
        })
    }

    /// Sends one request and returns the body of a 2xx answer, or the mapped error
    /// together with Stripe's error object.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, (ProviderError, Option<wire::StripeError>)> {
        let response = request
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(|e| (wire::error_from_transport(&e), None))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| (wire::error_from_transport(&e), None))?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        let stripe_error = wire::parse_error(&body);
        let error = wire::error_from_response(status.as_u16(), stripe_error.as_ref());
        tracing::warn!(status = status.as_u16(), error = %error, "Stripe refused a request");
        Err((error, stripe_error))
    }

    /// The refund already made for `charge_id`, found after Stripe said the charge was
    /// refunded (the refund's idempotency key had expired).
    async fn existing_refund(&self, charge_id: &str) -> Result<Refund, ProviderError> {
        let mut url = self.refunds_url.clone();
        url.query_pairs_mut()
            .append_pair("charge", charge_id)
            .append_pair("limit", "1");
        let body = self
            .send(self.client.get(url))
            .await
            .map_err(|(error, _)| error)?;
        wire::parse_refund_list(&body)?.ok_or_else(|| ProviderError::Unexpected {
            message: format!("Stripe says {charge_id} is refunded but lists no refund"),
        })
    }
}

impl PaymentProvider for StripeProvider {
    async fn charge(&self, request: ChargeRequest) -> Result<Charge, ProviderError> {
        let order_id = request.order_id.to_string();
        let form = [
            ("amount", request.amount_cents.to_string()),
            ("currency", request.currency),
            ("source", request.token),
            ("description", format!("Order {order_id}")),
            ("metadata[order_id]", order_id.clone()),
        ];
        let http = self
            .client
            .post(self.charges_url.clone())
            .header("Idempotency-Key", &order_id)
            .form(&form);
        let body = self.send(http).await.map_err(|(error, _)| error)?;
        let charge = wire::parse_charge(&body)?;
        tracing::info!(order_id = %order_id, charge_id = %charge.id, "Stripe charge captured");
        Ok(charge)
    }

    async fn refund(&self, request: RefundRequest) -> Result<Refund, ProviderError> {
        // Stripe's `reason` only takes three fixed values; ours is free text, so it
        // travels as metadata.
        let form = [
            ("charge", request.charge_id.clone()),
            ("metadata[order_id]", request.order_id.to_string()),
            ("metadata[reason]", request.reason),
        ];
        let http = self
            .client
            .post(self.refunds_url.clone())
            .header("Idempotency-Key", format!("refund-{}", request.charge_id))
            .form(&form);
        match self.send(http).await {
            Ok(body) => wire::parse_refund(&body),
            Err((_, Some(stripe))) if stripe.code.as_deref() == Some("charge_already_refunded") => {
                self.existing_refund(&request.charge_id).await
            }
            Err((error, _)) => Err(error),
        }
    }
}
