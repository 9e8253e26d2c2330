//! Repair orders: check-in, reading, the estimate and the customer's
//! decisions, and the timeline.

use super::extract::{Staff, Write};
use super::problem::{ApiError, Problem};
use super::respond;
use crate::app::Actor;
use crate::app::{
    App, ApprovalInput, CheckIn, EstimateInput, ListQuery, MessageView, NewMessage, RoList, RoView,
    TimelineView,
};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

/// Check a car in (advisor, manager).
#[utoipa::path(
    tag = "repair orders",
    request_body = CheckIn,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = RoView, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders")]
pub async fn check_in(
    app: web::Data<App>,
    w: Write<Actor, CheckIn>,
) -> Result<HttpResponse, ApiError> {
    respond::created_repair_order(app.check_in(&w.who, w.body, w.idem).await?)
}

/// Repair orders of my dealership, newest first.
#[utoipa::path(
    tag = "repair orders",
    params(ListQuery),
    responses((status = 200, body = RoList), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/repair-orders")]
pub async fn list(
    app: web::Data<App>,
    staff: Staff,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    respond::json(
        StatusCode::OK,
        &app.list_repair_orders(&staff.0, query.into_inner()).await?,
    )
}

/// One repair order with its concerns, lines, totals and handover person.
#[utoipa::path(
    tag = "repair orders",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = RoView, headers(("ETag" = String))),
        (status = 404, description = "no such RO at your dealership", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/repair-orders/{id}")]
pub async fn get(
    app: web::Data<App>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    respond::repair_order_now(
        app.get_repair_order(&staff.0, id.into_inner().into())
            .await?,
    )
}

/// Add estimate lines (advisor, manager). Customer-pay lines wait for the
/// customer's approval and move the RO to awaiting_approval.
#[utoipa::path(
    tag = "repair orders",
    request_body = EstimateInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = RoView),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/estimate")]
pub async fn estimate(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, EstimateInput>,
) -> Result<HttpResponse, ApiError> {
    respond::repair_order(
        app.add_estimate(&w.who, id.into_inner().into(), w.if_match, w.body, w.idem)
            .await?,
    )
}

/// Record the customer's decisions as told to the advisor (phone, counter).
#[utoipa::path(
    tag = "repair orders",
    request_body = ApprovalInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = RoView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/approvals")]
pub async fn approvals(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, ApprovalInput>,
) -> Result<HttpResponse, ApiError> {
    respond::repair_order(
        app.record_decisions(&w.who, id.into_inner().into(), w.if_match, w.body, w.idem)
            .await?,
    )
}

/// Every event of the RO, oldest first.
#[utoipa::path(
    tag = "repair orders",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = TimelineView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/repair-orders/{id}/timeline")]
pub async fn timeline(
    app: web::Data<App>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    respond::json(
        StatusCode::OK,
        &app.timeline(&staff.0, id.into_inner().into()).await?,
    )
}

/// Write to the customer (any staff). Goes by text or email as the customer
/// prefers; a reply to a customer who wrote in the last 30 minutes is sent
/// even in quiet hours. Answers their waiting messages.
#[utoipa::path(
    tag = "repair orders",
    request_body = NewMessage,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = MessageView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/messages")]
pub async fn message(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, NewMessage>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.send_message(&w.who, id.into_inner().into(), w.body, w.idem)
            .await?,
    )
}
