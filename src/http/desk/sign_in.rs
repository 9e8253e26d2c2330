//! Signing in and out, and taking up an invitation. Before there is a
//! session, forms carry a token the server derives from a cookie it set
//! (as the status page's), so a cross-site form cannot sign someone in.

use super::{field, fields, nonce, render, secure, see_other, session, session_cookie};
use crate::app::desk::{Invitation, SignIn};
use crate::app::{App, AppError};
use crate::http::extract::RawBody;
use crate::http::problem::ApiError;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use secrecy::SecretString;
use std::collections::HashMap;

const PRE_COOKIE: &str = "hov_desk_pre";

/// The pre-session cookie (kept if the browser has one) and the form token
/// derived from it for `purpose`.
fn pre_session(
    app: &App,
    req: &HttpRequest,
    purpose: &str,
) -> Result<(Cookie<'static>, String), ApiError> {
    let value = match req.cookie(PRE_COOKIE).filter(|c| c.value().len() >= 16) {
        Some(c) => c.value().to_owned(),
        None => nonce()?,
    };
    let token = app.links.form_token(&value, purpose);
    let cookie = Cookie::build(PRE_COOKIE, value)
        .path("/desk")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(app))
        .finish();
    Ok((cookie, token))
}

fn pre_session_ok(app: &App, req: &HttpRequest, sent: &str, purpose: &str) -> bool {
    req.cookie(PRE_COOKIE)
        .is_some_and(|c| app.links.form_token_matches(sent, c.value(), purpose))
}

fn login_page(
    app: &App,
    req: &HttpRequest,
    status: StatusCode,
    email: &str,
    error: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let (cookie, csrf) = pre_session(app, req, "desk-login")?;
    let mut r = render(
        app,
        status,
        "login",
        serde_json::json!({ "csrf": csrf, "email": email, "error": error, "flash": null }),
    )?;
    r.add_cookie(&cookie)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(r)
}

/// The sign-in page (to the board if already signed in).
#[utoipa::path(tag = "desk", responses((status = 200, description = "The sign-in form", content_type = "text/html"), (status = 303, description = "Signed in already: to the board")))]
#[get("/desk/login")]
pub async fn login_form(app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if session(&app, &req).await?.is_some() {
        return Ok(see_other("/desk/"));
    }
    login_page(&app, &req, StatusCode::OK, "", None)
}

/// Sign in with email and password. Ten failures for one account or from
/// one address within 15 minutes: 429 until the window passes.
#[utoipa::path(
    tag = "desk",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf, email, password"),
    responses(
        (status = 303, description = "Signed in: to the board, with a new session cookie"),
        (status = 401, description = "Wrong email or password: the form again", content_type = "text/html"),
        (status = 403, description = "The form did not come from this site"),
        (status = 429, description = "Too many failed attempts: the form again, with Retry-After", content_type = "text/html"),
    )
)]
#[post("/desk/login")]
pub async fn login(
    app: web::Data<App>,
    req: HttpRequest,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let fields = fields(&app, &req, &body.0)?;
    if !pre_session_ok(&app, &req, field(&fields, "csrf"), "desk-login") {
        return Err(ApiError::Csrf);
    }
    let email = field(&fields, "email").to_owned();
    let password = SecretString::from(field(&fields, "password").to_owned());
    let address = req.peer_addr().map(|a| a.ip().to_string());
    match app.sign_in(email.clone(), password, address).await? {
        SignIn::Welcome { cookie, .. } => {
            let mut r = see_other("/desk/");
            r.add_cookie(&session_cookie(&app, cookie))
                .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
            Ok(r)
        }
        SignIn::Refused => login_page(
            &app,
            &req,
            StatusCode::UNAUTHORIZED,
            &email,
            Some("That email and password do not match an account. Check both and try again."),
        ),
        SignIn::Throttled { retry_after } => {
            let minutes = (retry_after + 59) / 60;
            let words = format!(
                "Too many failed attempts. Try again in {minutes} minute{}, or ask your manager for a new invitation.",
                if minutes == 1 { "" } else { "s" }
            );
            let mut r = login_page(
                &app,
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                &email,
                Some(&words),
            )?;
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(retry_after));
            Ok(r)
        }
    }
}

/// Sign out: the session ends on the server, the cookie is cleared.
#[utoipa::path(
    tag = "desk",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "To the sign-in page"), (status = 403, description = "The form did not come from this site"))
)]
#[post("/desk/logout")]
pub async fn logout(
    app: web::Data<App>,
    req: HttpRequest,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    if super::signed_form(&app, &req, &body.0).await?.is_some()
        && let Some(c) = req.cookie(super::SESSION_COOKIE)
    {
        app.sign_out(c.value().to_owned()).await?;
    }
    let mut r = see_other("/desk/login");
    let mut gone = session_cookie(&app, String::new());
    gone.make_removal();
    r.add_cookie(&gone)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(r)
}

async fn invite_page(
    app: &App,
    req: &HttpRequest,
    token: &str,
    status: StatusCode,
    errors: HashMap<String, String>,
) -> Result<HttpResponse, ApiError> {
    let found = app.invitation_for(token.to_owned()).await?;
    let (cookie, csrf) = pre_session(app, req, &format!("desk-invite:{token}"))?;
    let ctx = match found {
        Some((name, email)) => serde_json::json!({
            "expired": false, "name": name, "email": email, "token": token,
            "csrf": csrf, "errors": errors,
        }),
        None => serde_json::json!({ "expired": true }),
    };
    let status = if ctx["expired"] == true {
        StatusCode::GONE
    } else {
        status
    };
    let mut r = render(app, status, "invite", ctx)?;
    r.add_cookie(&cookie)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(r)
}

/// The invitation: choose a password (410 when the link no longer works).
#[utoipa::path(
    tag = "desk",
    params(("token" = String, Path, description = "From the invitation")),
    responses((status = 200, description = "The form", content_type = "text/html"), (status = 410, description = "Used, replaced or run out", content_type = "text/html"))
)]
#[get("/desk/invite/{token}")]
pub async fn invite_form(
    app: web::Data<App>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    invite_page(&app, &req, &token, StatusCode::OK, HashMap::new()).await
}

/// Set the password and sign in; every other session of the account ends.
#[utoipa::path(
    tag = "desk",
    params(("token" = String, Path, description = "From the invitation")),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf, password, confirm"),
    responses(
        (status = 303, description = "Password set and signed in: to the board"),
        (status = 403, description = "The form did not come from this site"),
        (status = 410, description = "Used, replaced or run out", content_type = "text/html"),
        (status = 422, description = "The form again, each error next to its field", content_type = "text/html"),
    )
)]
#[post("/desk/invite/{token}")]
pub async fn invite(
    app: web::Data<App>,
    req: HttpRequest,
    token: web::Path<String>,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let fields = fields(&app, &req, &body.0)?;
    if !pre_session_ok(
        &app,
        &req,
        field(&fields, "csrf"),
        &format!("desk-invite:{token}"),
    ) {
        return Err(ApiError::Csrf);
    }
    let password = SecretString::from(field(&fields, "password").to_owned());
    let confirm = SecretString::from(field(&fields, "confirm").to_owned());
    match app
        .accept_invitation(token.to_string(), password, confirm)
        .await?
    {
        Invitation::Welcome { cookie, .. } => {
            let mut r = see_other("/desk/");
            r.add_cookie(&session_cookie(&app, cookie))
                .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
            Ok(r)
        }
        Invitation::Invalid(errors) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            invite_page(&app, &req, &token, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        Invitation::Expired => {
            invite_page(&app, &req, &token, StatusCode::GONE, HashMap::new()).await
        }
    }
}
