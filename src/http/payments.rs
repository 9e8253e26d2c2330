//! Online payment: the status page's "pay now" link, which sends the
//! customer to a Stripe Checkout page for exactly what is due, and the
//! webhook by which Stripe tells us it was paid.

use super::extract::RawBody;
use super::problem::{ApiError, Problem};
use super::status_page::{PublicLimits, not_found};
use crate::app::{App, AppError, StripeEvent};
use crate::payments::signature;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Pay what is due: to Stripe's page, or back to the status page when
/// there is nothing to pay online.
#[utoipa::path(
    tag = "customer",
    params(("token" = String, Path, description = "From the customer's status link")),
    responses(
        (status = 303, description = "To Stripe Checkout for the approved balance; or back to the status page when nothing is due or online payment is off"),
        (status = 404, description = "Not a valid link", content_type = "text/html"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Stripe is not answering: pay later or at the counter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/s/{token}/pay")]
pub async fn pay(
    app: web::Data<App>,
    limits: web::Data<PublicLimits>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = limits.check(&token, &req) {
        return Ok(refused);
    }
    match app.checkout_url(token.clone()).await {
        Ok(Some(url)) => Ok(see_other(&url)),
        // The path as it came (still percent-encoded), less "/pay".
        Ok(None) => Ok(see_other(req.path().trim_end_matches("/pay"))),
        Err(AppError::NotFound(_)) => not_found(),
        Err(e) => Err(e.into()),
    }
}

/// An event from Stripe, verified by its Stripe-Signature and handled once.
#[utoipa::path(
    tag = "webhooks",
    request_body(content = Object, content_type = "application/json", description = "A Stripe event"),
    params(("Stripe-Signature" = String, Header, description = "t=<unix time>,v1=<HMAC-SHA256 of \"t.body\" with the endpoint's signing secret>")),
    responses(
        (status = 200, description = "Handled, or seen before, or a type we do not act on"),
        (status = 400, description = "Missing, wrong or stale signature, or not an event: nothing is stored", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/stripe")]
pub async fn stripe(
    app: web::Data<App>,
    req: HttpRequest,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let secrets = app.settings.payments.stripe.webhook_secrets();
    if !app.settings.payments.stripe.enabled() || secrets.is_empty() {
        return Err(ApiError::BadStripeSignature(
            "Stripe webhooks are not configured (payments.stripe)",
        ));
    }
    let given = req
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::BadStripeSignature("Stripe-Signature is missing"))?;
    let keys: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let now = app.clock.now().timestamp();
    signature::verify(given, &body.0, &keys, now)
        .map_err(|refused| ApiError::BadStripeSignature(refused.words()))?;
    let event: StripeEvent = serde_json::from_slice(&body.0)
        .map_err(|_| ApiError::BadStripeSignature("the body is not a Stripe event"))?;
    let handled = app.stripe_event(event).await?;
    Ok(HttpResponse::Ok().json(
        serde_json::json!({ "received": true, "handled": format!("{handled:?}").to_lowercase() }),
    ))
}
