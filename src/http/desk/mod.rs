//! The staff desk: server-rendered pages under /desk/ (no JavaScript
//! needed), signed in with a session cookie. Every form carries the
//! session's CSRF token and is refused from another origin; every change
//! goes through the same use cases as the API. Pages are English.

pub mod board;
pub mod check_in;
pub mod counter;
pub mod errors;
mod forms;
pub mod person;
pub mod repair_order;
pub mod sign_in;
pub mod staff;
pub mod today;

use super::problem::ApiError;
use crate::app::desk::DeskSession;
use crate::app::{App, AppError};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use subtle::ConstantTimeEq;

pub(crate) const SESSION_COOKIE: &str = "hov_desk";
const MAX_FORM_BYTES: usize = 32 * 1024;

/// 128 random bits for a CSP nonce or a pre-session cookie.
pub(crate) fn nonce() -> Result<String, ApiError> {
    crate::http::respond::random_token()
}

/// The headers every desk page carries: our own styles only, no framing,
/// not indexed, not cached.
pub(crate) fn page(status: StatusCode, nonce: &str) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
        ))
        .insert_header(("X-Robots-Tag", "noindex, nofollow"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    b
}

pub(crate) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

pub(crate) fn secure(app: &App) -> bool {
    app.settings.public_base_url.starts_with("https://")
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure on https, for /desk.
pub(crate) fn session_cookie(app: &App, value: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/desk")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(app))
        .finish()
}

/// The signed-in person, if the cookie names a live session.
pub(crate) async fn session(app: &App, req: &HttpRequest) -> Result<Option<DeskSession>, ApiError> {
    match req.cookie(SESSION_COOKIE) {
        Some(c) if !c.value().is_empty() => Ok(app.desk_session(c.value().to_owned()).await?),
        _ => Ok(None),
    }
}

/// Not signed in: to the sign-in page.
pub(crate) fn to_sign_in() -> HttpResponse {
    see_other("/desk/login")
}

/// A form's fields, read only if the request comes from this site (Origin,
/// when the browser sends it) and is small.
pub(crate) fn fields(
    app: &App,
    req: &HttpRequest,
    body: &[u8],
) -> Result<Vec<(String, String)>, ApiError> {
    if body.len() > MAX_FORM_BYTES {
        return Err(ApiError::PayloadTooLarge(MAX_FORM_BYTES));
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let info = req.connection_info();
        let own = format!("{}://{}", info.scheme(), info.host());
        let public = app.settings.public_base_url.trim_end_matches('/');
        let origin = origin.to_str().unwrap_or_default();
        if origin != own && !public.starts_with(origin) {
            return Err(ApiError::Csrf);
        }
    }
    Ok(form_urlencoded::parse(body).into_owned().collect())
}

pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// A signed-in form: the session, and the fields if their CSRF token is
/// the session's.
pub(crate) async fn signed_form(
    app: &App,
    req: &HttpRequest,
    body: &[u8],
) -> Result<Option<(DeskSession, Vec<(String, String)>)>, ApiError> {
    let Some(session) = session(app, req).await? else {
        return Ok(None);
    };
    let fields = fields(app, req, body)?;
    let sent = field(&fields, "csrf");
    let same: bool = sent.as_bytes().ct_eq(session.csrf.as_bytes()).into();
    if sent.is_empty() || !same {
        return Err(ApiError::Csrf);
    }
    Ok(Some((session, fields)))
}

/// The signed-in person's dealership (its name heads every page; its zone
/// reads the times typed in forms).
pub(crate) async fn my_dealership(
    app: &App,
    s: &DeskSession,
) -> Result<crate::app::DealershipView, AppError> {
    let caller = crate::app::Caller::Staff(s.actor.clone());
    app.get_dealership(&caller, s.actor.dealership_id).await
}

/// What every signed-in page knows: who, where, and the form token.
pub(crate) fn desk_context(session: &DeskSession, dealership: &str) -> serde_json::Value {
    serde_json::json!({
        "name": session.actor.name,
        "role": session.actor.role,
        "dealership": dealership,
        "csrf": session.csrf,
    })
}

/// Renders a desk page.
pub(crate) fn render(
    app: &App,
    status: StatusCode,
    name: &str,
    mut ctx: serde_json::Value,
) -> Result<HttpResponse, ApiError> {
    let nonce = nonce()?;
    if let Some(map) = ctx.as_object_mut() {
        map.insert("nonce".into(), nonce.clone().into());
    }
    let html = app
        .outbox
        .templates()
        .render_desk(name, &ctx)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(page(status, &nonce).body(html))
}
