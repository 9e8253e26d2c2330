//! Turning use-case answers into responses: status, JSON, and for repair
//! orders the `ETag` (its version) and, on creation, `Location`.

use super::problem::ApiError;
use crate::app::{AppError, Outcome, Reply};
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use base64::Engine;
use serde::Serialize;

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_value(value).map_err(AppError::from)?;
    Ok(HttpResponse::build(status).json(body))
}

fn parts<T: Serialize>(reply: Reply<T>) -> Result<(StatusCode, serde_json::Value, bool), ApiError> {
    let (outcome, body, replayed) = match reply {
        Reply::Fresh { outcome, value } => (
            outcome,
            serde_json::to_value(&value).map_err(AppError::from)?,
            false,
        ),
        Reply::Replayed { outcome, body } => (outcome, body, true),
    };
    let status = match outcome {
        Outcome::Done => StatusCode::OK,
        Outcome::Created => StatusCode::CREATED,
        Outcome::Accepted => StatusCode::ACCEPTED,
    };
    Ok((status, body, replayed))
}

fn build(status: StatusCode, replayed: bool) -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    if replayed {
        // Tells the client this is the stored answer to an earlier request.
        b.insert_header(("Idempotent-Replayed", "true"));
    }
    b
}

/// Any answer that is not a repair order.
pub fn reply<T: Serialize>(reply: Reply<T>) -> Result<HttpResponse, ApiError> {
    let (status, body, replayed) = parts(reply)?;
    Ok(build(status, replayed).json(body))
}

/// A repair order, with its version as `ETag`.
pub fn repair_order<T: Serialize>(reply: Reply<T>) -> Result<HttpResponse, ApiError> {
    let (status, body, replayed) = parts(reply)?;
    Ok(with_etag(build(status, replayed), &body).json(body))
}

/// A newly checked-in repair order: `ETag` and `Location`.
pub fn created_repair_order<T: Serialize>(reply: Reply<T>) -> Result<HttpResponse, ApiError> {
    let (status, body, replayed) = parts(reply)?;
    let mut b = with_etag(build(status, replayed), &body);
    if let Some(id) = body.get("id").and_then(serde_json::Value::as_str) {
        b.insert_header((header::LOCATION, format!("/api/v1/repair-orders/{id}")));
    }
    Ok(b.json(body))
}

fn with_etag(
    mut b: actix_web::HttpResponseBuilder,
    body: &serde_json::Value,
) -> actix_web::HttpResponseBuilder {
    if let Some(version) = body.get("version").and_then(serde_json::Value::as_i64) {
        b.insert_header((header::ETAG, format!("\"{version}\"")));
    }
    b
}

/// A repair order read or written without idempotency bookkeeping.
pub fn repair_order_now<T: Serialize>(value: T) -> Result<HttpResponse, ApiError> {
    repair_order(Reply::Fresh {
        outcome: Outcome::Done,
        value,
    })
}

/// 128 random bits, base64url: a CSRF cookie or a CSP nonce. Without
/// randomness there is no page: a predictable token would protect nothing.
pub fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness available: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}
