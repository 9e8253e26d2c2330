//! The manager's staff pages: everyone with their account and presence, an
//! invitation form, and one page per person for their week, time off and
//! delegates, deactivation and a new invitation. Each change goes through
//! the API's own use case; a refusal comes back as the page, in words.

use super::{desk_context, field, render, see_other, session, signed_form, to_sign_in};
use crate::app::desk::DeskSession;
use crate::app::{App, AppError, Caller, NewStaff, Reply};
use crate::domain::role::Permission;
use crate::domain::validation::FieldError;
use crate::http::extract::RawBody;
use crate::http::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::json;
use std::collections::HashMap;

/// What went wrong with the last form on a staff page.
#[derive(Debug, Default)]
pub(super) struct Trouble {
    pub(super) form: Option<String>,
    pub(super) errors: HashMap<String, String>,
    pub(super) alert: Option<String>,
    pub(super) values: HashMap<String, String>,
}

pub(super) fn manager_only(s: &DeskSession) -> Result<(), ApiError> {
    if s.actor.role.may(Permission::CreateStaff) {
        Ok(())
    } else {
        Err(AppError::forbidden("only a manager looks after the staff").into())
    }
}

async fn list_page(
    app: &App,
    s: &DeskSession,
    status: StatusCode,
    flash: Option<String>,
    mut t: Trouble,
) -> Result<HttpResponse, ApiError> {
    for name in ["name", "role", "email", "phone"] {
        t.values.entry(name.into()).or_default();
    }
    let staff = app.list_staff(&s.actor).await?;
    let dealership = super::my_dealership(app, s).await?;
    render(
        app,
        status,
        "staff",
        json!({
            "desk": desk_context(s, &dealership.name), "page": "staff", "staff": staff,
            "flash": flash, "alert": t.alert, "errors": t.errors, "values": t.values,
        }),
    )
}

/// Everyone on the staff, and the form to invite someone.
#[utoipa::path(
    tag = "desk",
    responses((status = 200, description = "The staff", content_type = "text/html"), (status = 303, description = "Not signed in"), (status = 403, description = "Not a manager", content_type = "text/html"))
)]
#[get("/desk/staff")]
pub async fn list(app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(s) = session(&app, &req).await? else {
        return Ok(to_sign_in());
    };
    manager_only(&s)?;
    let flash = done_words(req.query_string());
    list_page(&app, &s, StatusCode::OK, flash, Trouble::default()).await
}

pub(super) fn done_words(query: &str) -> Option<String> {
    let done = query.strip_prefix("done=")?;
    Some(
        match done {
            "invited" => "Invited: they get a link to set their password.",
            "deactivate" => {
                "Deactivated: their token and sessions stopped; their ready cars were passed on."
            }
            "reactivate" => {
                "Active again; they set a new password through a new invitation if needed."
            }
            "reinvite" => "A new invitation is on its way.",
            "schedule" => "The week is saved.",
            "delegates" => "Delegates saved.",
            "time-off" => "Time off saved.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// Invites a new member of staff.
#[utoipa::path(
    tag = "desk",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf, name, role, email, phone"),
    responses(
        (status = 303, description = "Invited: back to the staff page"),
        (status = 403, description = "Not a manager, or the form did not come from this site and session", content_type = "text/html"),
        (status = 409, description = "Refused (the email is taken): the page, saying why", content_type = "text/html"),
        (status = 422, description = "Bad input: the page, with each error next to its field", content_type = "text/html"),
    )
)]
#[post("/desk/staff")]
pub async fn invite(
    app: web::Data<App>,
    req: HttpRequest,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let Some((s, fields)) = signed_form(&app, &req, &body.0).await? else {
        return Ok(to_sign_in());
    };
    manager_only(&s)?;
    let opt = |n: &str| Some(field(&fields, n).trim().to_owned()).filter(|v| !v.is_empty());
    let input = NewStaff {
        name: field(&fields, "name").to_owned(),
        role: field(&fields, "role").to_owned(),
        phone: opt("phone"),
        email: opt("email"),
        invite: true,
    };
    let caller = Caller::Staff(s.actor.clone());
    match app
        .create_staff(&caller, s.actor.dealership_id, input, None)
        .await
    {
        Ok(Reply::Fresh { value, .. }) => match value.invitation.and_then(|i| i.link) {
            // Neither email nor phone: the link is shown once, to hand over.
            Some(link) => {
                let words = format!(
                    "Invited. Give {} this link in person (shown once): {link}",
                    value.staff.name
                );
                list_page(
                    &app,
                    &s,
                    StatusCode::CREATED,
                    Some(words),
                    Trouble::default(),
                )
                .await
            }
            None => Ok(see_other("/desk/staff?done=invited")),
        },
        Ok(Reply::Replayed { .. }) => Ok(see_other("/desk/staff?done=invited")),
        Err(e) => {
            let (status, mut t) = trouble("invite", e)?;
            t.values = ["name", "role", "email", "phone"]
                .iter()
                .map(|n| ((*n).to_owned(), field(&fields, n).to_owned()))
                .collect();
            list_page(&app, &s, status, None, t).await
        }
    }
}

/// A refusal as the page says it: errors by field, or an alert in words.
pub(super) fn trouble(form: &str, e: AppError) -> Result<(StatusCode, Trouble), ApiError> {
    let mut t = Trouble {
        form: Some(form.to_owned()),
        ..Trouble::default()
    };
    let status = match e {
        AppError::Validation(errors) => {
            t.errors = by_field(&errors);
            t.alert = Some("Please correct the fields marked below.".into());
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Conflict { detail, .. } => {
            t.alert = Some(detail);
            StatusCode::CONFLICT
        }
        other => return Err(other.into()),
    };
    Ok((status, t))
}

/// "weekly[2].end" → "weekly" with "line 3: end …"; others by their name.
fn by_field(errors: &[FieldError]) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for e in errors {
        let (name, message) = match e.field.split_once('[') {
            Some((base, rest)) => {
                let (i, sub) = rest.split_once(']').unwrap_or((rest, ""));
                let line = i.parse::<usize>().map_or(0, |i| i + 1);
                let sub = sub.trim_start_matches('.');
                (
                    base.to_owned(),
                    format!("line {line}: {sub} {}", e.message).replace(":  ", ": "),
                )
            }
            None => (e.field.clone(), e.message.clone()),
        };
        out.entry(name)
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&message);
            })
            .or_insert(message);
    }
    out
}
