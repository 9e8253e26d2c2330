//! One repair order on the desk: everything on it, and the actions the
//! signed-in person's role may take, each a form. A refusal comes back as
//! the page with the reason in words (next to the field for bad input);
//! a page gone stale since it was opened is shown fresh, saying so.

use super::forms::{self, Action};
use super::{desk_context, render, see_other, session, signed_form, to_sign_in};
use crate::app::desk::DeskSession;
use crate::app::{App, AppError};
use crate::domain::ids::RoId;
use crate::domain::role::Permission;
use crate::http::extract::RawBody;
use crate::http::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use std::collections::HashMap;
use uuid::Uuid;

/// What went wrong with the last form, for the page to say.
#[derive(Debug, Default)]
pub(crate) struct Trouble {
    pub form: Option<&'static str>,
    pub errors: HashMap<String, String>,
    pub alert: Option<String>,
    pub candidates: Vec<serde_json::Value>,
}

pub(crate) fn can(session: &DeskSession) -> serde_json::Value {
    let role = session.actor.role;
    serde_json::json!({
        "estimate": role.may(Permission::WriteEstimate),
        "approve": role.may(Permission::RecordApproval),
        "move": role.may(Permission::MoveWork),
        "promise": role.may(Permission::ChangePromisedTime),
        "ready": role.may(Permission::MarkReady),
        "handover": role.may(Permission::RecordHandover),
        "pay": role.may(Permission::RecordPayment),
        "pickup": role.may(Permission::ConfirmPickup),
        "cancel": role.may(Permission::Cancel),
        "refund": role.may(Permission::IssueCredit),
    })
}

pub(crate) async fn ro_page(
    app: &App,
    s: &DeskSession,
    id: RoId,
    status: StatusCode,
    flash: Option<&str>,
    trouble: Trouble,
) -> Result<HttpResponse, ApiError> {
    let ro = app.get_repair_order(&s.actor, id).await?;
    let timeline = app.timeline(&s.actor, id).await?;
    let dealership = super::my_dealership(app, s).await?;
    let local = forms::local_time(&dealership.timezone, ro.promised_at);
    let desk = desk_context(s, &dealership.name);
    render(
        app,
        status,
        "repair_order",
        serde_json::json!({
            "desk": desk, "page": "ro", "ro": ro, "timeline": timeline, "can": can(s),
            "promised_local": local, "flash": flash, "alert": trouble.alert,
            "form": trouble.form, "errors": trouble.errors, "candidates": trouble.candidates,
        }),
    )
}

/// A repair order, with the actions my role may take.
#[utoipa::path(
    tag = "desk",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The page", content_type = "text/html"), (status = 303, description = "Not signed in"), (status = 404, description = "No such repair order here"))
)]
#[get("/desk/repair-orders/{id}")]
pub async fn show(
    app: web::Data<App>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let Some(s) = session(&app, &req).await? else {
        return Ok(to_sign_in());
    };
    let done = req.query_string().strip_prefix("done=").unwrap_or("");
    let flash = forms::flash(done);
    ro_page(
        &app,
        &s,
        id.into_inner().into(),
        StatusCode::OK,
        flash,
        Trouble::default(),
    )
    .await
}

/// One action on a repair order, as a form.
#[utoipa::path(
    tag = "desk",
    params(("id" = Uuid, Path), ("action" = String, Path, description = "status, promised-at, ready, arrived, message, decisions, handover, payment, pickup, cancel, job or refund")),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf, version, and the action's fields"),
    responses(
        (status = 303, description = "Done: back to the page, saying so"),
        (status = 403, description = "Not allowed for my role, or the form did not come from this site and session"),
        (status = 409, description = "Refused by a rule: the page, saying why", content_type = "text/html"),
        (status = 412, description = "The order changed since the page was opened: the fresh page", content_type = "text/html"),
        (status = 422, description = "Bad input: the page, with each error next to its field", content_type = "text/html"),
    )
)]
#[post("/desk/repair-orders/{id}/{action}")]
pub async fn act(
    app: web::Data<App>,
    req: HttpRequest,
    path: web::Path<(Uuid, String)>,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let Some((s, fields)) = signed_form(&app, &req, &body.0).await? else {
        return Ok(to_sign_in());
    };
    let (id, action) = path.into_inner();
    let id = RoId::from(id);
    let action = Action::parse(&action).ok_or(AppError::NotFound("page"))?;
    match forms::perform(&app, &s, id, action, &fields).await {
        // A form on the counter goes back to the counter.
        Ok(()) if super::field(&fields, "back") == "counter" => Ok(see_other(&format!(
            "/desk/counter?done={}",
            action.as_str()
        ))),
        Ok(()) => Ok(see_other(&format!(
            "/desk/repair-orders/{}?done={}",
            id.uuid(),
            action.as_str()
        ))),
        Err(e) => {
            let (status, trouble) = forms::trouble(action, e)?;
            ro_page(&app, &s, id, status, None, trouble).await
        }
    }
}
