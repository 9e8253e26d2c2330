//! Dealerships and their staff (admin, managers).

use super::extract::{AnyCaller, Write};
use super::problem::{ApiError, Problem};
use super::respond;
use crate::app::Caller;
use crate::app::{
    App, DealershipChanges, DealershipView, NewDealership, NewStaff, NewStaffCreated,
};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, post, web};
use uuid::Uuid;

/// Create a dealership (admin token only).
#[utoipa::path(
    tag = "dealerships",
    request_body = NewDealership,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat the request safely")),
    responses(
        (status = 201, body = DealershipView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/dealerships")]
pub async fn create(
    app: web::Data<App>,
    w: Write<Caller, NewDealership>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(app.create_dealership(&w.who, w.body, w.idem).await?)
}

/// One dealership (the admin: any; staff: their own).
#[utoipa::path(
    tag = "dealerships",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = DealershipView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/api/v1/dealerships/{id}")]
pub async fn get(
    app: web::Data<App>,
    caller: AnyCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    respond::json(
        StatusCode::OK,
        &app.get_dealership(&caller.0, id.into_inner().into())
            .await?,
    )
}

/// Change a dealership's settings (the admin, or a manager of it): tax and
/// the shop-supplies fee, quiet hours, the handover and answer windows,
/// phone and from-numbers, address, opening hours, glossary. Fields left
/// out keep their value. Repair orders already checked in keep the tax
/// rules they were written under.
#[utoipa::path(
    tag = "dealerships",
    request_body = DealershipChanges,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Repeat the request safely")),
    responses(
        (status = 200, body = DealershipView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/dealerships/{id}")]
pub async fn change(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Caller, DealershipChanges>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.change_dealership(&w.who, id.into_inner().into(), w.body, w.idem)
            .await?,
    )
}

/// Add a staff member (admin, or a manager of this dealership). The token in
/// the answer is shown this once.
#[utoipa::path(
    tag = "staff",
    request_body = NewStaff,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = NewStaffCreated),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/dealerships/{id}/staff")]
pub async fn create_staff(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Caller, NewStaff>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.create_staff(&w.who, id.into_inner().into(), w.body, w.idem)
            .await?,
    )
}
