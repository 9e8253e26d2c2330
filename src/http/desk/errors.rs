//! A refusal on a desk page reads as a page, not a JSON document: the
//! problem's title and detail in words, with the same status and headers
//! (Retry-After, Allow). Form errors are already pages; this covers the
//! rest (not my role, no such order, a form from elsewhere, too many tries).

use crate::app::App;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

pub async fn as_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let desk = req.path().starts_with("/desk");
    let res = next.call(req).await?.map_into_boxed_body();
    let problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !desk || !problem {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let app = req.app_data::<web::Data<App>>().cloned();
    let status = res.status();
    let headers = res.headers().clone();
    let body = actix_web::body::to_bytes(res.into_body())
        .await
        .unwrap_or_default();
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let Some(html) = app.and_then(|app| page(&app, &doc)) else {
        let res = actix_web::HttpResponse::build(status)
            .content_type("application/problem+json")
            .body(body);
        return Ok(ServiceResponse::new(req, res));
    };
    let (nonce, html) = html;
    let mut out = super::page(status, &nonce).body(html);
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    if let Some(id) = headers.get(crate::http::observe::REQUEST_ID) {
        out.headers_mut()
            .insert(crate::http::observe::REQUEST_ID, id.clone());
    }
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(ServiceResponse::new(req, out))
}

/// The error page and its style nonce, or None when it cannot be made (the
/// problem document is answered as it was).
fn page(app: &App, doc: &serde_json::Value) -> Option<(String, String)> {
    let nonce = super::nonce().ok()?;
    let ctx = serde_json::json!({
        "nonce": nonce,
        "title": doc["title"],
        "detail": doc["detail"],
        "status": doc["status"],
        "request_id": doc["request_id"],
    });
    let html = app.outbox.templates().render_desk("error", &ctx).ok()?;
    Some((nonce, html))
}
