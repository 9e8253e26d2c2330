//! The signed-in person, the roster, and presence.

use super::extract::{Staff, Write};
use super::problem::{ApiError, Problem};
use super::respond;
use crate::app::Actor;
use crate::app::{App, ClockOutInput, MeView, StaffView};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;

/// Who am I.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "staff",
    responses((status = 200, body = MeView), (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub async fn me(app: web::Data<App>, staff: Staff) -> Result<HttpResponse, ApiError> {
    respond::json(StatusCode::OK, &app.me(&staff.0).await?)
}

/// Everyone at my dealership, with who is clocked in.
#[utoipa::path(
    get, path = "/api/v1/staff", tag = "staff",
    responses((status = 200, body = Vec<StaffView>)),
    security(("bearer" = []))
)]
pub async fn list(app: web::Data<App>, staff: Staff) -> Result<HttpResponse, ApiError> {
    respond::json(StatusCode::OK, &app.list_staff(&staff.0).await?)
}

/// An empty body: these endpoints take nothing but may be sent `{}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Clock in (self, or a manager for anyone). Cars waiting for this person
/// to make them ready become ready.
#[utoipa::path(
    post, path = "/api/v1/staff/{id}/clock-in", tag = "staff",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = StaffView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already clocked in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn clock_in(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, Empty>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(app.clock_in(&w.who, id.into_inner(), w.idem).await?)
}

/// Clock out (self, or a manager). Refused while ready cars depend on this
/// person, unless a manager forces it.
#[utoipa::path(
    post, path = "/api/v1/staff/{id}/clock-out", tag = "staff",
    request_body(content = ClockOutInput, description = "May be empty"),
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = StaffView),
        (status = 409, description = "not clocked in, or ready cars depend on this person", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn clock_out(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, ClockOutInput>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.clock_out(&w.who, id.into_inner(), w.body, w.idem)
            .await?,
    )
}
