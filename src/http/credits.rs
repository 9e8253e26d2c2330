//! Putting a bill right after the fact: credits, and the cashier's word
//! that a refund was handed back at the counter.

use super::extract::{Staff, Write};
use super::problem::{ApiError, Problem};
use super::respond;
use crate::app::{Actor, App, CreditList, CreditView, NewCredit, RefundConfirmation};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

/// Credit a billing mistake (cashier, manager), also after pickup: an
/// amount, or the tax rate that should have applied. Paid back the way the
/// money came: online payments through Stripe, the rest by the cashier.
/// The customer is told the amount and the reason in their language.
#[utoipa::path(
    tag = "cashier",
    request_body = NewCredit,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, description = "the credit and how each share of it goes back", body = CreditView),
        (status = 409, description = "more than was paid less what was already credited (`creditable_cents`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/credits")]
pub async fn create(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, NewCredit>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.issue_credit(&w.who, id.into_inner().into(), w.body, w.idem)
            .await?,
    )
}

/// The RO's credits, their refunds, and what can still be credited.
#[utoipa::path(
    tag = "cashier",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = CreditList)),
    security(("bearer" = []))
)]
#[get("/api/v1/repair-orders/{id}/credits")]
pub async fn list(
    app: web::Data<App>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    respond::json(
        StatusCode::OK,
        &app.credits(&staff.0, id.into_inner().into()).await?,
    )
}

/// The cashier handed a refund back at the counter (cashier, manager).
#[utoipa::path(
    tag = "cashier",
    request_body = RefundConfirmation,
    params(("id" = Uuid, Path), ("refund_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, description = "the credit, this refund now refunded", body = CreditView),
        (status = 409, description = "the refund is not waiting for the cashier (sent through Stripe, or already refunded)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/refunds/{refund_id}/confirm")]
pub async fn confirm(
    app: web::Data<App>,
    path: web::Path<(Uuid, Uuid)>,
    w: Write<Actor, RefundConfirmation>,
) -> Result<HttpResponse, ApiError> {
    let (id, refund_id) = path.into_inner();
    respond::reply(
        app.confirm_refund(&w.who, id.into(), refund_id.into(), w.body, w.idem)
            .await?,
    )
}
