//! The provider chosen at start-up: an enum over the backends, so callers stay generic
//! over one concrete type without boxing.

use std::fmt;
use std::str::FromStr;

use crate::{
    Charge, ChargeRequest, DEFAULT_STRIPE_BASE_URL, PaymentProvider, ProviderError, Refund,
    RefundRequest, SandboxProvider, StripeProvider,
};

/// Which backend to use: `"sandbox"` or `"stripe"` in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProviderKind {
    /// [`SandboxProvider`], the embedded default.
    #[default]
    Sandbox,
    /// [`StripeProvider`].
    Stripe,
}

impl FromStr for ProviderKind {
    type Err = ProviderError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "sandbox" => Ok(ProviderKind::Sandbox),
            "stripe" => Ok(ProviderKind::Stripe),
            _ => Err(ProviderError::Misconfigured {
                message: format!("unknown payment provider {name:?}: expected sandbox or stripe"),
            }),
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProviderKind::Sandbox => "sandbox",
            ProviderKind::Stripe => "stripe",
        })
    }
}

/// How to build the provider, as read from flags or the environment.
#[derive(Clone, Default)]
pub struct ProviderConfig {
    /// Which backend.
    pub kind: ProviderKind,
    /// Stripe's secret key; required for [`ProviderKind::Stripe`].
    pub stripe_key: Option<String>,
    /// Stripe's base URL; [`DEFAULT_STRIPE_BASE_URL`] when absent.
    pub stripe_base_url: Option<String>,
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("kind", &self.kind)
            .field(
                "stripe_key",
                &self.stripe_key.as_ref().map(|_| "<redacted>"),
            )
            .field("stripe_base_url", &self.stripe_base_url)
            .finish()
    }
}

impl ProviderConfig {
    /// Reads `PAYMENT_PROVIDER` (`sandbox` when unset), `STRIPE_KEY` and
    /// `STRIPE_BASE_URL`.
    pub fn from_env() -> Result<Self, ProviderError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Ok(ProviderConfig {
            kind: var("PAYMENT_PROVIDER")
                .map(|name| name.parse())
                .transpose()?
                .unwrap_or_default(),
            stripe_key: var("STRIPE_KEY"),
            stripe_base_url: var("STRIPE_BASE_URL"),
        })
    }
}

/// One of the backends, chosen at start-up.
// One value per process, built once: the unequal variant sizes cost nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum AnyProvider {
    /// The embedded sandbox.
    Sandbox(SandboxProvider),
    /// Real Stripe calls.
    Stripe(StripeProvider),
}

impl AnyProvider {
    /// Builds the configured backend. Stripe without a key is
    /// [`ProviderError::Misconfigured`], so a deployment fails at start-up rather than
    /// at the first payment.
    pub fn from_config(config: &ProviderConfig) -> Result<Self, ProviderError> {
        match config.kind {
            ProviderKind::Sandbox => Ok(AnyProvider::Sandbox(SandboxProvider::new())),
            ProviderKind::Stripe => {
                let key =
                    config
                        .stripe_key
                        .clone()
                        .ok_or_else(|| ProviderError::Misconfigured {
                            message: "provider is stripe but STRIPE_KEY is not set".to_owned(),
                        })?;
                let base = config
                    .stripe_base_url
                    .clone()
                    .unwrap_or_else(|| DEFAULT_STRIPE_BASE_URL.to_owned());
                StripeProvider::new(key, base).map(AnyProvider::Stripe)
            }
        }
    }

    /// Which backend this is.
    pub fn kind(&self) -> ProviderKind {
        match self {
            AnyProvider::Sandbox(_) => ProviderKind::Sandbox,
            AnyProvider::Stripe(_) => ProviderKind::Stripe,
        }
    }
}

impl PaymentProvider for AnyProvider {
    async fn charge(&self, request: ChargeRequest) -> Result<Charge, ProviderError> {
        match self {
            AnyProvider::Sandbox(provider) => provider.charge(request).await,
            AnyProvider::Stripe(provider) => provider.charge(request).await,
        }
    }

    async fn refund(&self, request: RefundRequest) -> Result<Refund, ProviderError> {
        match self {
            AnyProvider::Sandbox(provider) => provider.refund(request).await,
            AnyProvider::Stripe(provider) => provider.refund(request).await,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_parse_whatever_their_case() {
        assert_eq!(
            "sandbox".parse::<ProviderKind>().unwrap(),
            ProviderKind::Sandbox
        );
        assert_eq!(
            " Stripe ".parse::<ProviderKind>().unwrap(),
            ProviderKind::Stripe
        );
        assert!(matches!(
            "paypal".parse::<ProviderKind>(),
            Err(ProviderError::Misconfigured { .. })
        ));
    }

    #[test]
    fn the_default_configuration_is_the_sandbox() {
        let provider = AnyProvider::from_config(&ProviderConfig::default()).unwrap();
        assert_eq!(provider.kind(), ProviderKind::Sandbox);
    }

    #[test]
    fn stripe_without_a_key_is_refused_at_start_up() {
        let config = ProviderConfig {
            kind: ProviderKind::Stripe,
            ..ProviderConfig::default()
        };
        assert!(matches!(
            AnyProvider::from_config(&config),
            Err(ProviderError::Misconfigured { .. })
        ));
    }

    #[test]
    fn stripe_with_a_key_builds_a_stripe_provider() {
        let config = ProviderConfig {
            kind: ProviderKind::Stripe,
            stripe_key: Some("sk_test_123".to_owned()),
            stripe_base_url: None,
        };
        assert_eq!(
            AnyProvider::from_config(&config).unwrap().kind(),
            ProviderKind::Stripe
        );
    }

    #[test]
    fn the_configuration_never_prints_the_secret_key() {
        let config = ProviderConfig {
            kind: ProviderKind::Stripe,
            stripe_key: Some("sk_live_secret".to_owned()),
            stripe_base_url: None,
        };
        assert!(!format!("{config:?}").contains("sk_live_secret"));
        let provider = AnyProvider::from_config(&config).unwrap();
        assert!(!format!("{provider:?}").contains("sk_live_secret"));
    }
}
