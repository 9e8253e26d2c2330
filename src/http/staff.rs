//! The signed-in person, the roster, and presence.

use super::extract::{Staff, Write};
use super::problem::{ApiError, Problem};
use super::respond;
use crate::app::Actor;
use crate::app::{
    App, AvailabilityView, BreakInput, ClockOutInput, DelegatesInput, DelegatesView, MeView,
    ScheduleInput, ScheduleView, StaffView, TimeOffInput, TimeOffView,
};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use uuid::Uuid;

/// Who am I.
#[utoipa::path(
    tag = "staff",
    responses((status = 200, body = MeView), (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/me")]
pub async fn me(app: web::Data<App>, staff: Staff) -> Result<HttpResponse, ApiError> {
    respond::json(StatusCode::OK, &app.me(&staff.0).await?)
}

/// Everyone at my dealership, with who is clocked in.
#[utoipa::path(
    tag = "staff",
    responses((status = 200, body = Vec<StaffView>)),
    security(("bearer" = []))
)]
#[get("/api/v1/staff")]
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
    tag = "staff",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = StaffView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already clocked in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/staff/{id}/clock-in")]
pub async fn clock_in(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, Empty>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(app.clock_in(&w.who, id.into_inner().into(), w.idem).await?)
}

/// Clock out (self, or a manager). Refused while ready cars depend on this
/// person, unless a manager forces it.
#[utoipa::path(
    tag = "staff",
    request_body(content = ClockOutInput, description = "May be empty"),
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = StaffView),
        (status = 409, description = "not clocked in, or ready cars depend on this person", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/staff/{id}/clock-out")]
pub async fn clock_out(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, ClockOutInput>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.clock_out(&w.who, id.into_inner().into(), w.body, w.idem)
            .await?,
    )
}

/// Replace the weekly schedule (self, manager). Shifts are in the
/// dealership's local time; several a day are fine; overlaps are refused.
#[utoipa::path(
    tag = "staff",
    request_body = ScheduleInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Checked for form, then not needed: a PUT is idempotent by value")),
    responses((status = 200, body = ScheduleView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/api/v1/staff/{id}/schedule")]
pub async fn schedule(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, ScheduleInput>,
) -> Result<HttpResponse, ApiError> {
    respond::json(
        StatusCode::OK,
        &app.set_schedule(&w.who, id.into_inner().into(), w.body)
            .await?,
    )
}

/// Time off (self, manager). Starting now it is like clocking out: ready
/// cars pass to a delegate, or it is refused unless a manager forces it.
#[utoipa::path(
    tag = "staff",
    request_body = TimeOffInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = TimeOffView), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/api/v1/staff/{id}/time-off")]
pub async fn time_off(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, TimeOffInput>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.add_time_off(&w.who, id.into_inner().into(), w.body, w.idem)
            .await?,
    )
}

/// A break until a time (self, manager); clock in to come back early.
#[utoipa::path(
    tag = "staff",
    request_body = BreakInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = StaffView), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/api/v1/staff/{id}/break")]
pub async fn take_break(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, BreakInput>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.start_break(&w.who, id.into_inner().into(), w.body, w.idem)
            .await?,
    )
}

/// Standing delegates, in the order they are asked (self, manager).
#[utoipa::path(
    tag = "staff",
    request_body = DelegatesInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Checked for form, then not needed: a PUT is idempotent by value")),
    responses((status = 200, body = DelegatesView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/api/v1/staff/{id}/delegates")]
pub async fn delegates(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, DelegatesInput>,
) -> Result<HttpResponse, ApiError> {
    respond::json(
        StatusCode::OK,
        &app.set_delegates(&w.who, id.into_inner().into(), w.body)
            .await?,
    )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// Available from now until this time? Default: now plus the
    /// dealership's minimum handover window.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Can this person hand a car over from now until `until`? The same rule
/// the handover gate applies.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path), AvailabilityQuery),
    responses((status = 200, body = AvailabilityView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/staff/{id}/availability")]
pub async fn availability(
    app: web::Data<App>,
    staff: Staff,
    id: web::Path<Uuid>,
    q: web::Query<AvailabilityQuery>,
) -> Result<HttpResponse, ApiError> {
    respond::json(
        StatusCode::OK,
        &app.availability(&staff.0, id.into_inner().into(), q.into_inner().until)
            .await?,
    )
}
