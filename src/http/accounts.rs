//! Staff accounts beyond creation: deactivation, reactivation, a new API
//! token, a new invitation to set the desk password.

use super::extract::Write;
use super::problem::{ApiError, Problem};
use super::respond;
use super::staff::Empty;
use crate::app::{App, Caller, DeactivateInput, InvitationSent, NewStaffCreated, StaffView};
use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

/// Deactivate a staff member (their manager, or the admin): their API token
/// and desk sessions stop at once; ready cars they were to hand over pass to
/// a delegate who is there, or the request is refused (409, listing them)
/// unless a manager forces it.
#[utoipa::path(
    tag = "staff",
    request_body = DeactivateInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = StaffView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "ready cars would be stranded", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/staff/{id}/deactivate")]
pub async fn deactivate(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Caller, DeactivateInput>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.deactivate_staff(&w.who, id.into_inner().into(), w.body, w.idem)
            .await?,
    )
}

/// Reactivate a staff member. Their old token stays dead: they sign in to
/// the desk, or get a new token.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = StaffView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/staff/{id}/reactivate")]
pub async fn reactivate(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Caller, Empty>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.reactivate_staff(&w.who, id.into_inner().into(), w.idem)
            .await?,
    )
}

/// A new API token (the person themself, their manager, or the admin),
/// shown this once; the old one stops working.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = NewStaffCreated),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "deactivated", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/staff/{id}/token")]
pub async fn token(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Caller, Empty>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.rotate_token(&w.who, id.into_inner().into(), w.idem)
            .await?,
    )
}

/// A new invitation to set the desk password (also how a forgotten one is
/// reset): by email, or by text without one; earlier links stop working.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = InvitationSent),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "deactivated", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/staff/{id}/invitation")]
pub async fn invitation(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Caller, Empty>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.reinvite_staff(&w.who, id.into_inner().into(), w.idem)
            .await?,
    )
}
