//! One person's page for a manager: their week (one shift per line), time
//! off, delegates in order, and their account (deactivate, reactivate, a
//! new invitation).

use super::forms::local_moment;
use super::staff::{Trouble, done_words, manager_only, trouble};
use super::{desk_context, field, render, see_other, session, signed_form, to_sign_in};
use crate::app::desk::DeskSession;
use crate::app::{
    App, AppError, Caller, DeactivateInput, DelegatesInput, ScheduleInput, ShiftInput, TimeOffInput,
};
use crate::domain::ids::StaffId;
use crate::http::extract::RawBody;
use crate::http::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::json;
use uuid::Uuid;

type Fields = [(String, String)];

async fn person_page(
    app: &App,
    s: &DeskSession,
    id: StaffId,
    status: StatusCode,
    flash: Option<String>,
    mut t: Trouble,
) -> Result<HttpResponse, ApiError> {
    let page = app.staff_page(&s.actor, id).await?;
    for name in ["starts_at", "ends_at", "reason"] {
        t.values.entry(name.into()).or_default();
    }
    let week = match t.values.get("weekly") {
        Some(typed) => typed.clone(),
        None => page
            .availability
            .weekly
            .iter()
            .map(|w| format!("{} {}-{}", w.weekday, w.start, w.end))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let dealership = super::my_dealership(app, s).await?;
    let time_off: Vec<_> = page
        .availability
        .time_off
        .iter()
        .map(|o| {
            json!({
                "from": super::forms::local_time(&dealership.timezone, o.starts_at).replace('T', " "),
                "to": super::forms::local_time(&dealership.timezone, o.ends_at).replace('T', " "),
                "reason": o.reason,
            })
        })
        .collect();
    let mut slots: Vec<String> = page.delegates.iter().map(Uuid::to_string).collect();
    slots.resize(3, String::new());
    render(
        app,
        status,
        "person",
        json!({
            "desk": desk_context(s, &dealership.name), "page": "staff", "p": page,
            "week": week, "time_off": time_off, "slots": slots, "flash": flash, "alert": t.alert,
            "form": t.form, "errors": t.errors, "values": t.values,
        }),
    )
}

/// One person: their week, time off, delegates and account.
#[utoipa::path(
    tag = "desk",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The page", content_type = "text/html"), (status = 303, description = "Not signed in"), (status = 403, description = "Not a manager", content_type = "text/html"), (status = 404, description = "No such person here", content_type = "text/html"))
)]
#[get("/desk/staff/{id}")]
pub async fn show(
    app: web::Data<App>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let Some(s) = session(&app, &req).await? else {
        return Ok(to_sign_in());
    };
    manager_only(&s)?;
    let flash = done_words(req.query_string());
    let id = StaffId::from(id.into_inner());
    person_page(&app, &s, id, StatusCode::OK, flash, Trouble::default()).await
}

/// "mon 08:00-17:00" lines → shifts; a line that does not read so is said.
fn week(raw: &str) -> Result<ScheduleInput, AppError> {
    let mut weekly = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let parts: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == '-' || c == '–')
            .filter(|p| !p.is_empty())
            .collect();
        match parts.as_slice() {
            [day, start, end] => weekly.push(ShiftInput {
                weekday: day.to_lowercase().chars().take(3).collect(),
                start: (*start).to_owned(),
                end: (*end).to_owned(),
            }),
            _ => errors.push(crate::domain::validation::FieldError::new(
                format!("weekly[{i}]"),
                format!("\"{line}\" is not a shift: write it as mon 08:00-17:00"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(ScheduleInput { weekly })
    } else {
        Err(AppError::Validation(errors))
    }
}

fn delegates(fields: &Fields) -> Result<DelegatesInput, AppError> {
    let mut ids = Vec::new();
    for (i, raw) in ["first", "second", "third"]
        .iter()
        .map(|n| field(fields, n))
        .enumerate()
    {
        if raw.is_empty() {
            continue;
        }
        let id = raw.parse().map_err(|_| {
            AppError::field(
                &format!("delegate_ids[{i}]"),
                "is not one of the people listed",
            )
        })?;
        ids.push(id);
    }
    Ok(DelegatesInput { delegate_ids: ids })
}

async fn change(
    app: &App,
    s: &DeskSession,
    id: StaffId,
    what: &str,
    fields: &Fields,
) -> Result<(), AppError> {
    let caller = Caller::Staff(s.actor.clone());
    let actor = &s.actor;
    match what {
        "deactivate" => {
            let input = DeactivateInput {
                force: field(fields, "force") == "1",
            };
            app.deactivate_staff(&caller, id, input, None)
                .await
                .map(drop)
        }
        "reactivate" => app.reactivate_staff(&caller, id, None).await.map(drop),
        "reinvite" => app.reinvite_staff(&caller, id, None).await.map(drop),
        "schedule" => app
            .set_schedule(actor, id, week(field(fields, "weekly"))?)
            .await
            .map(drop),
        "delegates" => app
            .set_delegates(actor, id, delegates(fields)?)
            .await
            .map(drop),
        "time-off" => {
            let starts_at = local_moment(app, s, field(fields, "starts_at"), "starts_at").await;
            let ends_at = local_moment(app, s, field(fields, "ends_at"), "ends_at").await;
            let (starts_at, ends_at) = match (starts_at, ends_at) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(AppError::Validation(mut a)), Err(AppError::Validation(b))) => {
                    a.extend(b);
                    return Err(AppError::Validation(a));
                }
                (Err(e), _) | (_, Err(e)) => return Err(e),
            };
            let reason = Some(field(fields, "reason").trim().to_owned()).filter(|r| !r.is_empty());
            let input = TimeOffInput {
                starts_at,
                ends_at,
                reason,
                force: field(fields, "force") == "1",
            };
            app.add_time_off(actor, id, input, None).await.map(drop)
        }
        _ => Err(AppError::NotFound("page")),
    }
}

/// A change to one person: deactivate, reactivate, reinvite, schedule,
/// delegates or time-off.
#[utoipa::path(
    tag = "desk",
    params(("id" = Uuid, Path), ("change" = String, Path, description = "deactivate, reactivate, reinvite, schedule, delegates or time-off")),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf and the change's fields"),
    responses(
        (status = 303, description = "Done: back to their page, saying so"),
        (status = 403, description = "Not a manager, or the form did not come from this site and session", content_type = "text/html"),
        (status = 404, description = "No such person or change", content_type = "text/html"),
        (status = 409, description = "Refused by a rule (a ready car would be stranded): the page, saying why", content_type = "text/html"),
        (status = 422, description = "Bad input: the page, with each error next to its field", content_type = "text/html"),
    )
)]
#[post("/desk/staff/{id}/{change}")]
pub async fn act(
    app: web::Data<App>,
    req: HttpRequest,
    path: web::Path<(Uuid, String)>,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let Some((s, fields)) = signed_form(&app, &req, &body.0).await? else {
        return Ok(to_sign_in());
    };
    manager_only(&s)?;
    let (id, what) = path.into_inner();
    let staff_id = StaffId::from(id);
    match change(&app, &s, staff_id, &what, &fields).await {
        Ok(()) => Ok(see_other(&format!("/desk/staff/{id}?done={what}"))),
        Err(e) => {
            let (status, mut t) = trouble(&what, e)?;
            t.values = fields.iter().cloned().collect();
            person_page(&app, &s, staff_id, status, None, t).await
        }
    }
}
