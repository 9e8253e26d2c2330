//! The board, my presence (clock in, a break, clock out: each refused in
//! words when leaving would strand a customer), and search.

use super::{desk_context, field, render, see_other, session, signed_form, to_sign_in};
use crate::app::desk::DeskSession;
use crate::app::{App, AppError, BreakInput, ClockOutInput, ListQuery};
use crate::http::extract::RawBody;
use crate::http::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Duration;
use serde::Deserialize;

async fn dealership_name(app: &App, s: &DeskSession) -> Result<String, ApiError> {
    Ok(super::my_dealership(app, s).await?.name)
}

async fn board_page(
    app: &App,
    s: &DeskSession,
    status: StatusCode,
    flash: Option<String>,
    alert: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let board = app.board(s).await?;
    let desk = desk_context(s, &dealership_name(app, s).await?);
    render(
        app,
        status,
        "board",
        serde_json::json!({ "desk": desk, "page": "board", "board": board, "flash": flash, "alert": alert }),
    )
}

/// The board: today's repair orders by stage, who is on duty, my presence.
#[utoipa::path(tag = "desk", responses((status = 200, description = "The board", content_type = "text/html"), (status = 303, description = "Not signed in: to the sign-in page")))]
#[get("/desk/")]
pub async fn show(app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    match session(&app, &req).await? {
        Some(s) => board_page(&app, &s, StatusCode::OK, None, None).await,
        None => Ok(to_sign_in()),
    }
}

/// Clock in, take a break, or clock out — myself.
#[utoipa::path(
    tag = "desk",
    params(("change" = String, Path, description = "clock-in, break or clock-out")),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf; minutes for a break"),
    responses(
        (status = 303, description = "Done: back to the board"),
        (status = 403, description = "The form did not come from this site or session"),
        (status = 409, description = "Refused (a ready car would be stranded): the board, saying why", content_type = "text/html"),
        (status = 422, description = "A bad break length: the board, saying so", content_type = "text/html"),
    )
)]
#[post("/desk/presence/{change}")]
pub async fn presence(
    app: web::Data<App>,
    req: HttpRequest,
    change: web::Path<String>,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let Some((s, fields)) = signed_form(&app, &req, &body.0).await? else {
        return Ok(to_sign_in());
    };
    let me = s.actor.staff_id;
    let result = match change.as_str() {
        "clock-in" => app.clock_in(&s.actor, me, None).await.map(drop),
        "clock-out" => app
            .clock_out(&s.actor, me, ClockOutInput { force: false }, None)
            .await
            .map(drop),
        "break" => match field(&fields, "minutes").parse::<i64>() {
            Ok(m) if (5..=120).contains(&m) => {
                let until = app.clock.now() + Duration::minutes(m);
                app.start_break(
                    &s.actor,
                    me,
                    BreakInput {
                        until,
                        force: false,
                    },
                    None,
                )
                .await
                .map(drop)
            }
            _ => Err(AppError::field("minutes", "must be between 5 and 120")),
        },
        _ => return Err(AppError::NotFound("page").into()),
    };
    match result {
        Ok(()) => Ok(see_other("/desk/")),
        Err(AppError::Conflict { detail, .. }) => {
            board_page(&app, &s, StatusCode::CONFLICT, None, Some(detail)).await
        }
        Err(AppError::Validation(errors)) => {
            let words = errors
                .iter()
                .map(|e| format!("Break length {}.", e.message))
                .collect::<Vec<_>>()
                .join(" ");
            board_page(
                &app,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(words),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// Find a repair order by number, customer name or phone, VIN or plate.
#[utoipa::path(
    tag = "desk",
    params(("q" = Option<String>, Query, description = "What to look for")),
    responses((status = 200, description = "The results", content_type = "text/html"), (status = 303, description = "Not signed in"))
)]
#[get("/desk/search")]
pub async fn search(
    app: web::Data<App>,
    req: HttpRequest,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let Some(s) = session(&app, &req).await? else {
        return Ok(to_sign_in());
    };
    let q = query.q.clone().unwrap_or_default();
    let results = if q.trim().is_empty() {
        None
    } else {
        let list = app
            .list_repair_orders(
                &s.actor,
                ListQuery {
                    status: None,
                    advisor_id: None,
                    q: Some(q.clone()),
                    limit: Some(50),
                    cursor: None,
                },
            )
            .await?;
        Some(list.items)
    };
    let desk = desk_context(&s, &dealership_name(&app, &s).await?);
    render(
        &app,
        StatusCode::OK,
        "search",
        serde_json::json!({ "desk": desk, "page": "search", "q": q, "results": results, "flash": null, "alert": null }),
    )
}
