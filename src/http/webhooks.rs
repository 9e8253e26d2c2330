//! Twilio's webhooks. Every request must carry a valid X-Twilio-Signature
//! computed over public_base_url + the path and query Twilio called; a
//! missing or wrong one gets 403 and nothing is stored.

use super::extract::RawBody;
use super::problem::{ApiError, Problem};
use crate::app::{App, AppError, InboundText};
use crate::notify::transport::signature_matches;
use actix_web::{HttpRequest, HttpResponse, post, web};
use secrecy::ExposeSecret;

/// The form parameters, if the signature over them is Twilio's; otherwise
/// why not.
fn verified(app: &App, req: &HttpRequest, body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let token = app.settings.sms.twilio.auth_token.expose_secret();
    if token.is_empty() {
        return Err(ApiError::BadSignature(
            "Twilio webhooks are not configured (sms.twilio.auth_token is empty)",
        ));
    }
    let Some(given) = req
        .headers()
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
    else {
        return Err(ApiError::BadSignature("X-Twilio-Signature is missing"));
    };
    let params: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let base = app.settings.public_base_url.trim_end_matches('/');
    let url = match req.uri().query() {
        Some(q) => format!("{base}{}?{q}", req.path()),
        None => format!("{base}{}", req.path()),
    };
    if !signature_matches(token, &url, &params, given) {
        return Err(ApiError::BadSignature("X-Twilio-Signature does not match"));
    }
    Ok(params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn twiml(message: Option<&str>) -> HttpResponse {
    let body = match message {
        Some(text) => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{}</Message></Response>",
            minijinja::HtmlEscape(text)
        ),
        None => "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>".to_owned(),
    };
    HttpResponse::Ok().content_type("text/xml").body(body)
}

/// A text from a customer: joins their RO, or handles STOP/START/HELP.
#[utoipa::path(tag = "webhooks",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    params(("X-Twilio-Signature" = String, Header, description = "Twilio's signature of the URL and the form (HMAC-SHA1 with the auth token)")),
    responses(
        (status = 200, description = "TwiML (the answer to HELP, or nothing)", content_type = "text/xml"),
        (status = 403, description = "X-Twilio-Signature is missing or wrong: nothing is stored", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "MessageSid, From or To is missing", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/webhooks/twilio/inbound")]
pub async fn inbound(
    app: web::Data<App>,
    req: HttpRequest,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let params = verified(&app, &req, &body.0)?;
    let (Some(sid), Some(from), Some(to)) = (
        param(&params, "MessageSid"),
        param(&params, "From"),
        param(&params, "To"),
    ) else {
        return Err(AppError::field("MessageSid", "MessageSid, From and To are required").into());
    };
    let reply = app
        .inbound_text(InboundText {
            message_sid: sid.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            body: param(&params, "Body").unwrap_or_default().to_owned(),
        })
        .await?;
    Ok(twiml(reply.as_deref()))
}

/// A delivery status from Twilio. Applied only if it moves the message
/// forward: callbacks arrive out of order.
#[utoipa::path(tag = "webhooks",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    params(("X-Twilio-Signature" = String, Header, description = "Twilio's signature of the URL and the form (HMAC-SHA1 with the auth token)")),
    responses(
        (status = 200, description = "Recorded (once per message and status)", content_type = "text/xml"),
        (status = 403, description = "X-Twilio-Signature is missing or wrong: nothing is stored", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "MessageSid or MessageStatus is missing", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/webhooks/twilio/status")]
pub async fn status(
    app: web::Data<App>,
    req: HttpRequest,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let params = verified(&app, &req, &body.0)?;
    let (Some(sid), Some(status)) = (
        param(&params, "MessageSid"),
        param(&params, "MessageStatus"),
    ) else {
        return Err(
            AppError::field("MessageSid", "MessageSid and MessageStatus are required").into(),
        );
    };
    let code = param(&params, "ErrorCode")
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    app.provider_status(sid.to_owned(), status.to_owned(), code)
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/xml")
        .body("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"))
}
