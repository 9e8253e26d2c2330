//! The customer's status page: server-rendered HTML at /s/{token} (no
//! JavaScript, no third-party assets, a strict Content-Security-Policy,
//! noindex), its two forms (CSRF-protected with a double-submit cookie), and
//! the same data as JSON at /api/v1/public/{token}. Every request is rate
//! limited per link and per address. The token is in the path only; request
//! logs name the route pattern, never the path.

use super::extract::RawBody;
use super::problem::{ApiError, Problem};
use crate::app::{App, AppError, PublicPage, PublicView, Visitor};
use crate::domain::estimate::Decision;
use crate::domain::ids::RepairJobId;
use crate::domain::language::Language;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, get, head, post, web};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

const CSRF_COOKIE: &str = "hov_csrf";
const MAX_FORM_BYTES: usize = 16 * 1024;

/// Requests a minute per link and per address.
pub struct PublicLimits {
    per_link: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<String>,
}

impl PublicLimits {
    pub fn new(per_link: u32, per_address: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_link: RateLimiter::keyed(quota(per_link)),
            per_address: RateLimiter::keyed(quota(per_address)),
        }
    }

    /// `None` if allowed; otherwise the 429 to send.
    pub(crate) fn check(&self, token: &str, req: &HttpRequest) -> Option<HttpResponse> {
        if self.per_link.len() > 10_000 {
            self.per_link.retain_recent();
            self.per_address.retain_recent();
        }
        let address = peer(req).unwrap_or_default();
        let over = self.per_link.check_key(&token.to_owned()).is_err()
            || self.per_address.check_key(&address).is_err();
        over.then(|| {
            let mut r = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                "please wait a minute and try again",
            )
            .response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
            r
        })
    }
}

fn peer(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|a| a.ip().to_string())
}

fn visitor(req: &HttpRequest) -> Visitor {
    Visitor {
        ip: peer(req),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// The headers every page carries: no scripts, no third parties, no
/// framing, not indexed.
fn page(status: StatusCode, nonce: &str) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
        ))
        .insert_header(("X-Robots-Tag", "noindex, nofollow"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"));
    b
}

pub(crate) fn not_found() -> Result<HttpResponse, ApiError> {
    let nonce = crate::http::respond::random_token()?;
    Ok(page(StatusCode::NOT_FOUND, &nonce).body(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\"><title>Not found</title></head>\
         <body><h1>This link is not valid</h1><p>Please use the link from your latest text or email, or call the dealership.</p></body></html>",
    ))
}

/// Renders the page for `view`, with the CSRF cookie it needs.
fn render(
    app: &App,
    req: &HttpRequest,
    token: &str,
    view: &PublicView,
    status: StatusCode,
    flash: Option<String>,
    error: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let cookie_value = match req.cookie(CSRF_COOKIE).filter(|c| c.value().len() >= 16) {
        Some(c) => c.value().to_owned(),
        None => crate::http::respond::random_token()?,
    };
    // The form carries a token the server derives from the cookie and this
    // page's link: a pair the client invents does not match.
    let csrf = app.links.form_token(&cookie_value, token);
    let nonce = crate::http::respond::random_token()?;
    let lang = view.language;
    let html = app
        .outbox
        .templates()
        .render_page(lang, "status_page", &serde_json::json!({ "view": view, "token": token, "csrf": csrf, "nonce": nonce, "flash": flash, "error": error }))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let cookie = Cookie::build(CSRF_COOKIE, cookie_value)
        .path("/s/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(app.settings.public_base_url.starts_with("https://"))
        .finish();
    Ok(page(status, &nonce).cookie(cookie).body(html))
}

fn flash_for(view: &PublicView, done: &str) -> Option<String> {
    let es = view.language == Language::Es;
    let who = &view.advisor_first_name;
    match done {
        "answers" if es => Some(format!("Gracias: {who} recibió sus respuestas.")),
        "answers" => Some(format!("Thank you: {who} has your answers.")),
        "message" if es => Some(format!("Mensaje enviado a {who}.")),
        "message" => Some(format!("Message sent to {who}.")),
        _ => None,
    }
}

async fn open(
    app: &App,
    req: &HttpRequest,
    token: &str,
    status: StatusCode,
    flash: Option<&str>,
    error: Option<PageError>,
) -> Result<HttpResponse, ApiError> {
    match app.public_page(token.to_owned()).await {
        Ok(PublicPage::Open(view)) => {
            let flash = flash.and_then(|f| flash_for(&view, f));
            let error = error.map(|e| e.words(view.language).to_owned());
            render(app, req, token, &view, status, flash, error)
        }
        Ok(PublicPage::Expired {
            dealership,
            language,
        }) => {
            let nonce = crate::http::respond::random_token()?;
            let lang = language;
            let html = app
                .outbox
                .templates()
                .render_page(
                    lang,
                    "status_expired",
                    &serde_json::json!({ "dealership": dealership, "nonce": nonce }),
                )
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
            Ok(page(StatusCode::GONE, &nonce).body(html))
        }
        Err(AppError::NotFound(_)) => not_found(),
        Err(e) => Err(e.into()),
    }
}

/// The customer's status page (HTML for a phone, in their language).
#[utoipa::path(
    tag = "customer",
    params(("token" = String, Path, description = "From the customer's status link")),
    responses(
        (status = 200, description = "The page", content_type = "text/html"),
        (status = 404, description = "Not a valid link", content_type = "text/html"),
        (status = 410, description = "The link ran out some days after pickup", content_type = "text/html"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/s/{token}")]
pub async fn show(
    app: web::Data<App>,
    limits: web::Data<PublicLimits>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    the_page(&app, &limits, &req, &token).await
}

async fn the_page(
    app: &App,
    limits: &PublicLimits,
    req: &HttpRequest,
    token: &str,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = limits.check(token, req) {
        return Ok(refused);
    }
    let done = req.query_string().strip_prefix("done=").map(str::to_owned);
    open(app, req, token, StatusCode::OK, done.as_deref(), None).await
}

/// The page's headers without the page: link previewers and some phones
/// ask before they open it.
#[utoipa::path(
    tag = "customer",
    params(("token" = String, Path, description = "From the customer's status link")),
    responses(
        (status = 200, description = "The page would be shown", content_type = "text/html"),
        (status = 404, description = "Not a valid link", content_type = "text/html"),
        (status = 410, description = "The link ran out some days after pickup", content_type = "text/html"),
        (status = 429, description = "Too many requests"),
    )
)]
#[head("/s/{token}")]
pub async fn show_head(
    app: web::Data<App>,
    limits: web::Data<PublicLimits>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    // actix leaves the body out of an answer to HEAD.
    the_page(&app, &limits, &req, &token).await
}

/// The submitted form, if its CSRF field is the one the server derived from
/// the cookie for this page.
fn form(
    app: &App,
    req: &HttpRequest,
    token: &str,
    body: &[u8],
) -> Result<Vec<(String, String)>, ApiError> {
    if body.len() > MAX_FORM_BYTES {
        return Err(ApiError::PayloadTooLarge(MAX_FORM_BYTES));
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let sent = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    match (sent, req.cookie(CSRF_COOKIE)) {
        (Some(s), Some(c)) if app.links.form_token_matches(s, c.value(), token) => Ok(fields),
        _ => Err(ApiError::Csrf),
    }
}

fn see_other(token: &str, done: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/s/{token}?done={done}")))
        .finish()
}

/// The customer's answers on the estimate they saw (the page's form).
#[utoipa::path(
    tag = "customer",
    params(("token" = String, Path, description = "From the customer's status link")),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf, estimate_version, and job-{id}=approved|declined for each job answered"),
    responses(
        (status = 303, description = "Recorded: back to the page"),
        (status = 403, description = "The form's CSRF token does not match", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a valid link", content_type = "text/html"),
        (status = 409, description = "The estimate changed or the car is done: the page again, saying so", content_type = "text/html"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The form is incomplete or answers nothing: the page again, saying so", content_type = "text/html"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/s/{token}/approve")]
pub async fn approve(
    app: web::Data<App>,
    limits: web::Data<PublicLimits>,
    req: HttpRequest,
    token: web::Path<String>,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = limits.check(&token, &req) {
        return Ok(refused);
    }
    let fields = form(&app, &req, &token, &body.0)?;
    let version = fields
        .iter()
        .find(|(k, _)| k == "estimate_version")
        .and_then(|(_, v)| v.parse::<i32>().ok());
    // Every answer must name a job and a decision; a form that says
    // anything else was not made by the page.
    let decisions: Option<Vec<(RepairJobId, Decision)>> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("job-")?, v)))
        .map(|(id, v)| Some((id.parse().ok()?, Decision::parse(v).ok()?)))
        .collect();
    let refused = match (version, decisions) {
        (Some(version), Some(decisions)) if !decisions.is_empty() => {
            let result = app
                .public_decisions(token.to_string(), version, decisions, visitor(&req))
                .await;
            return after_form(&app, &req, &token, result, "answers").await;
        }
        (Some(_), Some(_)) => PageError::NothingChosen,
        _ => PageError::Incomplete,
    };
    open(
        &app,
        &req,
        &token,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        Some(refused),
    )
    .await
}

/// The customer writes to the advisor (the page's form).
#[utoipa::path(
    tag = "customer",
    params(("token" = String, Path, description = "From the customer's status link")),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf and body"),
    responses(
        (status = 303, description = "Sent: back to the page"),
        (status = 403, description = "The form's CSRF token does not match", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a valid link", content_type = "text/html"),
        (status = 409, description = "The repair order is closed: the page again, saying so", content_type = "text/html"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty message: the page again, saying so", content_type = "text/html"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/s/{token}/messages")]
pub async fn message(
    app: web::Data<App>,
    limits: web::Data<PublicLimits>,
    req: HttpRequest,
    token: web::Path<String>,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = limits.check(&token, &req) {
        return Ok(refused);
    }
    let fields = form(&app, &req, &token, &body.0)?;
    let text = fields
        .iter()
        .find(|(k, _)| k == "body")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let result = app
        .public_message(token.to_string(), text, visitor(&req))
        .await;
    after_form(&app, &req, &token, result, "message").await
}

/// After a form: back to the page with a thank-you (303), or the page again
/// saying what was wrong (a stale estimate, an empty message, a closed RO).
async fn after_form(
    app: &App,
    req: &HttpRequest,
    token: &str,
    result: Result<(), AppError>,
    done: &str,
) -> Result<HttpResponse, ApiError> {
    let (status, why) = match result {
        Ok(()) => return Ok(see_other(token, done)),
        Err(AppError::NotFound(_)) => return not_found(),
        Err(AppError::Validation(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            match errors.first().map(|e| e.field.as_str()) {
                Some("body") => PageError::BadMessage,
                _ => PageError::BadAnswer,
            },
        ),
        Err(AppError::Conflict { problem, .. }) => (
            StatusCode::CONFLICT,
            match problem {
                "stale-estimate" => PageError::EstimateChanged,
                "estimate-closed" => PageError::EstimateClosed,
                _ => PageError::Closed,
            },
        ),
        Err(e) => return Err(e.into()),
    };
    open(app, req, token, status, None, Some(why)).await
}

/// What went wrong with a form, said in the customer's language.
#[derive(Debug, Clone, Copy)]
enum PageError {
    Incomplete,
    NothingChosen,
    BadAnswer,
    BadMessage,
    EstimateChanged,
    EstimateClosed,
    Closed,
}

impl PageError {
    fn words(self, lang: Language) -> &'static str {
        use PageError::*;
        match (lang, self) {
            (Language::En, Incomplete) => "The form is incomplete. Please try again.",
            (Language::Es, Incomplete) => "El formulario está incompleto. Inténtelo de nuevo.",
            (Language::En, NothingChosen) => "Choose Yes or No for a job, then send.",
            (Language::Es, NothingChosen) => "Elija Sí o No para un trabajo y luego envíe.",
            (Language::En, BadAnswer) => "That answer could not be recorded. Please call us.",
            (Language::Es, BadAnswer) => "No pudimos guardar esa respuesta. Llámenos, por favor.",
            (Language::En, BadMessage) => "Write your message (up to 1,000 characters).",
            (Language::Es, BadMessage) => "Escriba su mensaje (hasta 1.000 caracteres).",
            (Language::En, EstimateChanged) => {
                "The estimate changed since you opened this page. Here is the new one."
            }
            (Language::Es, EstimateChanged) => {
                "El presupuesto cambió desde que abrió esta página. Aquí está el nuevo."
            }
            (Language::En, EstimateClosed) => {
                "The work is done: the estimate can no longer change."
            }
            (Language::Es, EstimateClosed) => {
                "El trabajo está terminado: el presupuesto ya no puede cambiar."
            }
            (Language::En, Closed) => "This repair order is closed.",
            (Language::Es, Closed) => "Esta orden de reparación está cerrada.",
        }
    }
}

/// The page's data as JSON, for a future app.
#[utoipa::path(
    tag = "customer",
    params(("token" = String, Path, description = "From the customer's status link")),
    responses((status = 200, body = PublicView), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 410, body = Problem, content_type = "application/problem+json"), (status = 429, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/public/{token}")]
pub async fn json(
    app: web::Data<App>,
    limits: web::Data<PublicLimits>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = limits.check(&token, &req) {
        return Ok(refused);
    }
    match app.public_page(token.into_inner()).await? {
        PublicPage::Open(view) => Ok(HttpResponse::Ok()
            .insert_header(("X-Robots-Tag", "noindex"))
            .json(view)),
        PublicPage::Expired { dealership, .. } => Ok(Problem::new(
            StatusCode::GONE,
            "link-expired",
            "This link has expired",
            format!("call {} at {}", dealership.name, dealership.phone),
        )
        .response()),
    }
}
