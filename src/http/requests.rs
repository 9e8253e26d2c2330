//! Requests between colleagues, and the report that makes everyone's
//! service to their colleagues visible.

use super::extract::{Staff, Write};
use super::problem::{ApiError, Problem};
use super::respond;
use super::staff::Empty;
use crate::app::requests::{
    AnswerInput, HandOnInput, NewRequest, RequestList, RequestView, ResponsivenessQuery,
    ResponsivenessReport,
};
use crate::app::{Actor, App, AppError};
use crate::domain::request::RequestStatus;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Ask a colleague (any staff): a person (`to_staff_id`) or a role
/// (`to_role`). It goes to them if they are here, else to their delegates
/// in order who are, else (a role) to the first of it on duty; with nobody
/// here it waits, and says who is expected when. Due within the
/// dealership's `internal_response_target_minutes` of business time
/// (never past 24 hours), then a manager is told, once.
#[utoipa::path(
    tag = "requests",
    request_body = NewRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, description = "where it went, who was passed over and why, when it is due", body = RequestView)),
    security(("bearer" = []))
)]
#[post("/api/v1/requests")]
pub async fn create(
    app: web::Data<App>,
    w: Write<Actor, NewRequest>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(app.open_request(&w.who, w.body, w.idem).await?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// open or answered.
    pub status: Option<String>,
    /// Only those about this repair order.
    pub ro_id: Option<Uuid>,
}

/// What I asked and what is with me, newest first.
#[utoipa::path(
    tag = "requests",
    params(RequestQuery),
    responses((status = 200, body = RequestList), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/requests")]
pub async fn list(
    app: web::Data<App>,
    staff: Staff,
    query: web::Query<RequestQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let status = match q.status.as_deref() {
        Some(s) => {
            Some(RequestStatus::parse(s).map_err(|e| AppError::field("status", e.to_string()))?)
        }
        None => None,
    };
    let list = app
        .list_requests(&staff.0, status, q.ro_id.map(Into::into))
        .await?;
    respond::json(StatusCode::OK, &list)
}

/// One request (its asker, whoever has it, or a manager).
#[utoipa::path(
    tag = "requests",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = RequestView)),
    security(("bearer" = []))
)]
#[get("/api/v1/requests/{id}")]
pub async fn get(
    app: web::Data<App>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = app.get_request(&staff.0, id.into_inner().into()).await?;
    respond::json(StatusCode::OK, &view)
}

/// "I have it": by whoever has it, or a manager.
#[utoipa::path(
    tag = "requests",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = RequestView),
        (status = 409, description = "already answered", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/requests/{id}/acknowledge")]
pub async fn acknowledge(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, Empty>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into();
    respond::reply(app.acknowledge_request(&w.who, id, w.idem).await?)
}

/// The answer (whoever has it, or a manager): the asker is told, and a car
/// the request held is free to go on.
#[utoipa::path(
    tag = "requests",
    request_body = AnswerInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = RequestView),
        (status = 409, description = "already answered", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/requests/{id}/answer")]
pub async fn answer(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, AnswerInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into();
    respond::reply(app.answer_request(&w.who, id, w.body, w.idem).await?)
}

/// Pass it to someone who can answer (whoever has it, or a manager), with
/// a note: they are told.
#[utoipa::path(
    tag = "requests",
    request_body = HandOnInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = RequestView),
        (status = 409, description = "answered or passed on meanwhile", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/requests/{id}/hand-on")]
pub async fn hand_on(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, HandOnInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into();
    respond::reply(app.hand_on_request(&w.who, id, w.body, w.idem).await?)
}

/// Per person and role: asked, received, answered, median and p90 minutes
/// to answer, escalations (managers).
#[utoipa::path(
    tag = "requests",
    params(ResponsivenessQuery),
    responses((status = 200, body = ResponsivenessReport), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/reports/responsiveness")]
pub async fn responsiveness(
    app: web::Data<App>,
    staff: Staff,
    query: web::Query<ResponsivenessQuery>,
) -> Result<HttpResponse, ApiError> {
    let report = app.responsiveness(&staff.0, query.into_inner()).await?;
    respond::json(StatusCode::OK, &report)
}
