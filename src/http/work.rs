//! Moving a repair order through its lifecycle: status, promised time, the
//! handover gate, the handover, the cashier's payment and pickup.

use super::extract::Write;
use super::problem::{ApiError, Problem};
use super::respond;
use super::staff::Empty;
use crate::app::Actor;
use crate::app::{
    App, ArrivedView, CancelInput, DelegatesInput, DelegatesView, HandoverInput, NewPayment,
    PromisedAtInput, ReadyInput, RoView, StatusInput,
};
use actix_web::{HttpResponse, post, put, web};
use uuid::Uuid;

/// Move the work along: in_progress, waiting_parts, work_complete
/// (technician, advisor, manager).
#[utoipa::path(
    tag = "lifecycle",
    request_body = StatusInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = RoView),
        (status = 409, description = "illegal transition: names the current status and the allowed ones", body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/status")]
pub async fn status(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, StatusInput>,
) -> Result<HttpResponse, ApiError> {
    respond::repair_order(
        app.change_status(&w.who, id.into_inner().into(), w.if_match, w.body, w.idem)
            .await?,
    )
}

/// Change the promised time, with the reason the customer will read
/// (advisor, manager). Sending the same time again changes nothing.
#[utoipa::path(
    tag = "lifecycle",
    request_body = PromisedAtInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header, description = "Checked for form, then not needed: a PUT is idempotent by value")),
    responses((status = 200, body = RoView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/api/v1/repair-orders/{id}/promised-at")]
pub async fn promised_at(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, PromisedAtInput>,
) -> Result<HttpResponse, ApiError> {
    respond::repair_order_now(
        app.change_promised_at(&w.who, id.into_inner().into(), w.if_match, w.body)
            .await?,
    )
}

/// Mark ready: only when the advisor (or a delegate) is there to hand the
/// car over. With `when_available: true` it waits for them instead (202).
#[utoipa::path(
    tag = "lifecycle",
    request_body(content = ReadyInput, description = "May be empty"),
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "ready; `handover` names the person", body = RoView),
        (status = 202, description = "queued: ready as soon as someone can hand it over", body = RoView),
        (status = 409, description = "nobody to hand over (with `candidates`), or illegal transition", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/ready")]
pub async fn ready(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, ReadyInput>,
) -> Result<HttpResponse, ApiError> {
    respond::repair_order(
        app.mark_ready(&w.who, id.into_inner().into(), w.if_match, w.body, w.idem)
            .await?,
    )
}

/// Record the handover: every concern marked fixed, deferred, declined or
/// could_not_reproduce with a plain note (the RO's advisor, its handover
/// person, or a manager).
#[utoipa::path(
    tag = "lifecycle",
    request_body = HandoverInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = RoView), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/handover")]
pub async fn handover(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, HandoverInput>,
) -> Result<HttpResponse, ApiError> {
    respond::repair_order(
        app.record_handover(&w.who, id.into_inner().into(), w.if_match, w.body, w.idem)
            .await?,
    )
}

/// Cancel (advisor, manager) from any status before pickup.
#[utoipa::path(
    tag = "lifecycle",
    request_body = CancelInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = RoView), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/cancel")]
pub async fn cancel(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, CancelInput>,
) -> Result<HttpResponse, ApiError> {
    respond::repair_order(
        app.cancel(&w.who, id.into_inner().into(), w.if_match, w.body, w.idem)
            .await?,
    )
}

/// Record a payment (cashier). Never a card number: only method and amount.
#[utoipa::path(
    tag = "cashier",
    request_body = NewPayment,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 201, description = "the RO with the payment and its new balance", body = RoView),
        (status = 409, description = "more than the balance due, or the RO is closed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/payments")]
pub async fn payment(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, NewPayment>,
) -> Result<HttpResponse, ApiError> {
    // 201 without Location: the payment lives inside the RO's `payments`.
    respond::repair_order(
        app.record_payment(&w.who, id.into_inner().into(), w.if_match, w.body, w.idem)
            .await?,
    )
}

/// Keys released (cashier): needs the handover recorded and nothing left
/// to pay.
#[utoipa::path(
    tag = "cashier",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = RoView),
        (status = 409, description = "not ready, handover not recorded, or a balance is due", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/pickup")]
pub async fn pickup(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, Empty>,
) -> Result<HttpResponse, ApiError> {
    respond::repair_order(
        app.pickup(&w.who, id.into_inner().into(), w.if_match, w.idem)
            .await?,
    )
}

/// This RO's own delegates, asked after its advisor instead of the
/// advisor's standing ones (advisor, manager).
#[utoipa::path(
    tag = "lifecycle",
    request_body = DelegatesInput,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Checked for form, then not needed: a PUT is idempotent by value")),
    responses((status = 200, body = DelegatesView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/api/v1/repair-orders/{id}/delegates")]
pub async fn delegates(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, DelegatesInput>,
) -> Result<HttpResponse, ApiError> {
    respond::json(
        actix_web::http::StatusCode::OK,
        &app.set_ro_delegates(&w.who, id.into_inner().into(), w.body)
            .await?,
    )
}

/// The customer is at the counter (cashier): pages the handover person, or
/// the next one who is there if they are not; the timeline says who.
#[utoipa::path(
    tag = "cashier",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = ArrivedView), (status = 409, description = "not ready", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/api/v1/repair-orders/{id}/arrived")]
pub async fn arrived(
    app: web::Data<App>,
    id: web::Path<Uuid>,
    w: Write<Actor, Empty>,
) -> Result<HttpResponse, ApiError> {
    respond::reply(
        app.customer_arrived(&w.who, id.into_inner().into(), w.idem)
            .await?,
    )
}
