//! Stripe's API as Handover uses it: create a Checkout Session for exactly
//! what is due, and expire one whose amount is no longer right. Requests
//! are form-encoded with the secret key as a bearer token and an
//! Idempotency-Key, as Stripe documents; the key is never logged.

use crate::config::{Secret, StripeSettings};
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::time::Duration;

pub struct Stripe {
    client: reqwest::Client,
    secret_key: Secret,
    api_base: String,
}

/// What a Checkout Session is made for.
pub struct CheckoutRequest {
    pub amount_cents: i64,
    pub currency: String,
    /// "Order 1003 — 2019 Ford Escape".
    pub name: String,
    pub ro_id: String,
    pub success_url: String,
    pub cancel_url: String,
    /// Unix seconds, 30 minutes to 24 hours ahead.
    pub expires_at: i64,
    pub idempotency_key: String,
}

/// Stripe's answer, the parts we keep.
#[derive(Debug, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub url: Option<String>,
    pub expires_at: i64,
    pub amount_total: Option<i64>,
}

/// A refund of part or all of a payment made on Checkout.
pub struct RefundRequest {
    pub payment_intent: String,
    pub amount_cents: i64,
    pub ro_id: String,
    pub refund_id: String,
    /// The refund's own id: sent again after a crash, Stripe answers with
    /// the refund it already made instead of making a second.
    pub idempotency_key: String,
}

/// Stripe's refund object, the parts we keep.
#[derive(Debug, Deserialize)]
pub struct Refund {
    pub id: String,
    /// pending, requires_action, succeeded, failed or canceled.
    pub status: String,
}

impl Refund {
    /// Whether Stripe took it on (it may still be on its way to the bank).
    pub fn taken(&self) -> bool {
        !matches!(self.status.as_str(), "failed" | "canceled")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error("could not reach Stripe: {0}")]
    Unreachable(String),
    #[error("Stripe answered {status}: {message}")]
    Refused { status: u16, message: String },
}

impl StripeError {
    /// Worth trying again later: Stripe unreachable, busy (429), in
    /// trouble (5xx), or still working on the same key (409).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable(_) => true,
            Self::Refused { status, .. } => matches!(status, 409 | 429 | 500..=599),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: Option<String>,
}

impl Stripe {
    /// The client, or None while online payment is off.
    pub fn from_settings(s: &StripeSettings) -> anyhow::Result<Option<Self>> {
        if !s.enabled() {
            return Ok(None);
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(Some(Self {
            client,
            secret_key: s.secret_key.clone(),
            api_base: s.api_base.trim_end_matches('/').to_owned(),
        }))
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: &str,
    ) -> Result<T, StripeError> {
        let response = self
            .client
            .post(format!("{}{path}", self.api_base))
            .bearer_auth(self.secret_key.expose_secret())
            .header("Idempotency-Key", idempotency_key)
            .form(form)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| StripeError::Unreachable(e.without_url().to_string()))?;
        if !status.is_success() {
            let message = serde_json::from_str::<ErrorBody>(&body)
                .ok()
                .and_then(|b| b.error.message)
                .unwrap_or_else(|| "no message".into());
            return Err(StripeError::Refused {
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_str(&body).map_err(|e| StripeError::Refused {
            status: status.as_u16(),
            message: format!("unreadable answer: {e}"),
        })
    }

    /// `POST /v1/checkout/sessions`, one line for the whole balance.
    pub async fn create_checkout(
        &self,
        r: &CheckoutRequest,
    ) -> Result<CheckoutSession, StripeError> {
        let form = [
            ("mode", "payment".to_owned()),
            ("line_items[0][price_data][currency]", r.currency.clone()),
            (
                "line_items[0][price_data][unit_amount]",
                r.amount_cents.to_string(),
            ),
            (
                "line_items[0][price_data][product_data][name]",
                r.name.clone(),
            ),
            ("line_items[0][quantity]", "1".to_owned()),
            ("client_reference_id", r.ro_id.clone()),
            ("metadata[ro_id]", r.ro_id.clone()),
            ("success_url", r.success_url.clone()),
            ("cancel_url", r.cancel_url.clone()),
            ("expires_at", r.expires_at.to_string()),
        ];
        self.post("/v1/checkout/sessions", &form, &r.idempotency_key)
            .await
    }

    /// `POST /v1/checkout/sessions/{id}/expire`: nobody can pay on it any
    /// more. One that is already expired or complete answers 400 at
    /// Stripe; that is reported as `Refused` for the caller to judge.
    pub async fn expire_checkout(&self, id: &str) -> Result<CheckoutSession, StripeError> {
        self.post(
            &format!("/v1/checkout/sessions/{id}/expire"),
            &[],
            &format!("expire-{id}"),
        )
        .await
    }

    /// `POST /v1/refunds` against the payment intent the Checkout paid with.
    pub async fn create_refund(&self, r: &RefundRequest) -> Result<Refund, StripeError> {
        let form = [
            ("payment_intent", r.payment_intent.clone()),
            ("amount", r.amount_cents.to_string()),
            ("metadata[ro_id]", r.ro_id.clone()),
            ("metadata[refund_id]", r.refund_id.clone()),
        ];
        self.post("/v1/refunds", &form, &r.idempotency_key).await
    }
}
