//! `[payments.stripe]`: online payment through Stripe Checkout, off while
//! the secret key is empty (every setting is documented in
//! config/default.toml).

use crate::config::{ConfigError, Secret};
use secrecy::ExposeSecret;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSettings {
    pub stripe: StripeSettings,
}

/// Online payment through Stripe Checkout; off while `secret_key` is empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeSettings {
    pub secret_key: Secret,
    /// The webhook endpoint's signing secret; several, comma-separated,
    /// while one is being rolled.
    pub webhook_secret: Secret,
    pub api_base: String,
    pub checkout_expires_minutes: i64,
}

impl StripeSettings {
    pub fn enabled(&self) -> bool {
        !self.secret_key.expose_secret().is_empty()
    }

    /// The signing secrets, new and old during a roll.
    pub fn webhook_secrets(&self) -> Vec<String> {
        self.webhook_secret
            .expose_secret()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_owned()));
        if !self.enabled() {
            return Ok(());
        }
        if self.webhook_secrets().is_empty() {
            return bad("payments.stripe.webhook_secret is required with a secret_key");
        }
        if !(self.api_base.starts_with("https://") || self.api_base.starts_with("http://")) {
            return bad("payments.stripe.api_base must be an http(s) URL");
        }
        if !(30..=1440).contains(&self.checkout_expires_minutes) {
            return bad(
                "payments.stripe.checkout_expires_minutes must be between 30 and 1440 (Stripe's limits)",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripe(key: &str, webhook: &str, minutes: i64) -> StripeSettings {
        StripeSettings {
            secret_key: Secret::from(key),
            webhook_secret: Secret::from(webhook),
            api_base: "https://api.stripe.com".into(),
            checkout_expires_minutes: minutes,
        }
    }

    #[test]
    fn off_without_a_key_and_complete_with_one() {
        assert!(!stripe("", "", 0).enabled());
        assert!(stripe("", "", 0).validate().is_ok());
        assert!(
            stripe("sk_test_x", "", 60).validate().is_err(),
            "a webhook secret is needed"
        );
        assert!(
            stripe("sk_test_x", "whsec_a", 20).validate().is_err(),
            "Stripe's 30-minute floor"
        );
        assert!(stripe("sk_test_x", "whsec_a", 60).validate().is_ok());
        assert_eq!(
            stripe("sk", " whsec_new , whsec_old,", 60).webhook_secrets(),
            ["whsec_new", "whsec_old"]
        );
    }
}
