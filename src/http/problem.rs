//! Errors as `application/problem+json` (RFC 9457). Every refusal has a
//! stable `type` a client can branch on, a `title` that never changes for
//! that type, and a `detail` for this occurrence. Causes of internal errors
//! are logged here and never sent.

use crate::app::{AppError, Candidate};
use crate::domain::handover_gate::NobodyToHandOver;
use crate::domain::lifecycle::RoStatus;
use crate::domain::validation::FieldError;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A stable URI reference naming the kind of problem, e.g.
    /// `/problems/validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field-level details for validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// For illegal transitions: where the RO is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_status: Option<String>,
    /// For illegal transitions: where it may go from there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// For stale versions: the version to retry against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// For the handover gate: why each candidate cannot hand the car over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<Candidate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_available_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The request's `X-Request-Id`: quote it to support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Anything else specific to this problem type.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            problem_type: format!("/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
            current_status: None,
            allowed: None,
            current_version: None,
            candidates: None,
            next_available_at: None,
            request_id: super::observe::current_request_id(),
            extra: None,
        }
    }

    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut builder = HttpResponse::build(status);
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if status == StatusCode::UNAUTHORIZED {
            builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        builder.body(serde_json::to_string(self).unwrap_or_default())
    }
}

/// Everything the HTTP layer can refuse a request with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("the body does not have the expected shape")]
    InvalidBody(Vec<FieldError>),
    #[error("body larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("expected application/json")]
    UnsupportedMediaType,
    #[error("bad {0} header: {1}")]
    BadHeader(&'static str, String),
    #[error("bad query: {0}")]
    BadQuery(String),
    #[error("bad webhook signature: {0}")]
    BadSignature(&'static str),
    /// A Stripe webhook whose Stripe-Signature is missing, wrong or stale.
    #[error("the Stripe signature is not valid: {0}")]
    BadStripeSignature(&'static str),
    #[error("the form's CSRF token does not match")]
    Csrf,
    #[error("no such resource")]
    NoRoute,
    /// The path exists; these are the methods it answers.
    #[error("method not allowed")]
    MethodNotAllowed(Vec<actix_web::http::Method>),
}

impl ApiError {
    fn problem(&self) -> Problem {
        use StatusCode as S;
        match self {
            ApiError::App(e) => app_problem(e),
            ApiError::MalformedJson(why) => Problem::new(
                S::BAD_REQUEST,
                "malformed-json",
                "The body is not valid JSON",
                why.clone(),
            ),
            ApiError::InvalidBody(errors) => field_problem(
                "invalid-body",
                "The body does not have the expected shape",
                errors,
            ),
            ApiError::PayloadTooLarge(limit) => Problem::new(
                S::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "The body is too large",
                format!("bodies are limited to {limit} bytes"),
            ),
            ApiError::UnsupportedMediaType => Problem::new(
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "The body must be JSON",
                "send Content-Type: application/json",
            ),
            ApiError::BadHeader(name, why) => Problem::new(
                S::BAD_REQUEST,
                "bad-header",
                "A request header is not acceptable",
                format!("{name}: {why}"),
            ),
            ApiError::BadQuery(why) => field_problem(
                "validation",
                "The request has invalid values",
                &[FieldError::new("query", why.clone())],
            ),
            ApiError::BadSignature(why) => Problem::new(
                S::FORBIDDEN,
                "bad-signature",
                "The request is not from Twilio",
                *why,
            ),
            ApiError::BadStripeSignature(why) => Problem::new(
                S::BAD_REQUEST,
                "bad-signature",
                "The request is not from Stripe",
                *why,
            ),
            ApiError::Csrf => Problem::new(
                S::FORBIDDEN,
                "csrf",
                "The form could not be checked",
                "reload the page from your link and try again",
            ),
            ApiError::NoRoute => Problem::new(
                S::NOT_FOUND,
                "not-found",
                "Not found",
                "there is nothing at this address",
            ),
            ApiError::MethodNotAllowed(allowed) => Problem::new(
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                format!(
                    "this address answers {}",
                    allowed
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
}

/// A 422 listing every bad field; `detail` repeats them in one sentence.
fn field_problem(slug: &str, title: &str, errors: &[FieldError]) -> Problem {
    let detail = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, slug, title, detail);
    p.errors = Some(errors.to_vec());
    p
}

fn app_problem(e: &AppError) -> Problem {
    use StatusCode as S;
    match e {
        AppError::Validation(errors) => {
            field_problem("validation", "The request has invalid values", errors)
        }
        AppError::NotFound(what) => Problem::new(
            S::NOT_FOUND,
            "not-found",
            "Not found",
            format!("no such {what}"),
        ),
        AppError::Unauthenticated(why) => Problem::new(
            S::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            *why,
        ),
        AppError::Forbidden(why) => Problem::new(
            S::FORBIDDEN,
            "forbidden",
            "Not allowed for your role",
            why.clone(),
        ),
        AppError::IllegalTransition { from, to, allowed } => {
            illegal_transition(*from, *to, allowed)
        }
        AppError::NotYet {
            from,
            to: _,
            reason,
        } => {
            let mut p = Problem::new(
                S::CONFLICT,
                "transition-blocked",
                "The repair order is not ready for that yet",
                reason.clone(),
            );
            p.current_status = Some(from.as_str().into());
            p.allowed = Some(
                from.allowed_next()
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect(),
            );
            p
        }
        AppError::Conflict {
            problem,
            detail,
            extra,
        } => {
            let mut p = Problem::new(
                S::CONFLICT,
                problem,
                "The request conflicts with the current state",
                detail.clone(),
            );
            p.extra = extra.as_ref().and_then(|v| v.as_object().cloned());
            p
        }
        AppError::StaleVersion { current } => {
            let mut p = Problem::new(
                S::PRECONDITION_FAILED,
                "stale-version",
                "The repair order has changed since you read it",
                format!(
                    "If-Match names an old version; the repair order is at version {current}. Reload it and decide again."
                ),
            );
            p.current_version = Some(*current);
            p
        }
        AppError::ConcurrentUpdate => Problem::new(
            S::CONFLICT,
            "concurrent-update",
            "The repair order changed while this request was processed",
            "another change landed first; reload the repair order and retry",
        ),
        AppError::IdempotencyMismatch => Problem::new(
            S::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "This Idempotency-Key was used with a different request",
            "use a new Idempotency-Key for a different request",
        ),
        AppError::NobodyToHandOver(nobody) => nobody_to_hand_over(nobody),
        AppError::Unavailable(why) => Problem::new(
            S::SERVICE_UNAVAILABLE,
            "unavailable",
            "Not available right now",
            why.clone(),
        ),
        AppError::Internal(_) | AppError::IdempotencyRace => Problem::new(
            S::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side",
            "the error was logged; try again, and tell support if it persists",
        ),
    }
}

fn illegal_transition(from: RoStatus, to: RoStatus, allowed: &[RoStatus]) -> Problem {
    let next: Vec<String> = allowed.iter().map(|s| s.as_str().to_owned()).collect();
    let mut p = Problem::new(
        StatusCode::CONFLICT,
        "illegal-transition",
        "The repair order cannot move there from its current status",
        format!(
            "a repair order that is {from} cannot become {to}; it can become: {}",
            if next.is_empty() {
                "nothing (it is closed)".to_owned()
            } else {
                next.join(", ")
            }
        ),
    );
    p.current_status = Some(from.as_str().into());
    p.allowed = Some(next);
    p
}

/// The gate's refusal: each candidate and why, and when someone is next there.
fn nobody_to_hand_over(nobody: &NobodyToHandOver) -> Problem {
    let mut p = Problem::new(
        StatusCode::CONFLICT,
        "nobody-to-hand-over",
        "Nobody is there to hand the car over",
        format!(
            "a car is ready only when its advisor or a delegate is there to hand it over: {}",
            nobody
                .candidates
                .iter()
                .map(|c| format!("{} is {}", c.name, c.reason))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    p.candidates = Some(
        nobody
            .candidates
            .iter()
            .map(|c| Candidate {
                staff_id: c.staff_id.uuid(),
                name: c.name.clone(),
                reason: c.reason.clone(),
            })
            .collect(),
    );
    p.next_available_at = nobody.next_available_at;
    p.extra = Some(serde_json::Map::from_iter([(
        "when_available".to_owned(),
        serde_json::Value::String(
            "send {\"when_available\": true} to make it ready as soon as someone is".into(),
        ),
    )]));
    p
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.problem().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::App(AppError::Internal(cause)) = self {
            // `{:#}` prints the whole chain of causes, for us only.
            tracing::error!(error = %format!("{cause:#}"), "request failed");
        }
        let mut response = self.problem().response();
        if let ApiError::MethodNotAllowed(allowed) = self {
            let allow = allowed
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            if let Ok(value) = header::HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
        }
        response
    }
}
