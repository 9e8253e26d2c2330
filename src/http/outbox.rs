//! What the log transports kept (/dev/outbox), and /metrics.

use super::problem::{ApiError, Problem};
use crate::app::App;
use crate::config::{EmailTransport, SmsTransport};
use crate::db::models::NotificationRow;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use std::fmt::Write as _;

/// The channels whose messages stay on this machine.
fn local_channels(app: &App) -> Vec<&'static str> {
    let mut channels = Vec::new();
    if app.settings.sms.transport == SmsTransport::Log {
        channels.push("sms");
    }
    if app.settings.email.transport == EmailTransport::Log {
        channels.push("email");
    }
    channels
}

#[derive(Serialize)]
struct OutboxPage {
    notice: String,
    messages: Vec<OutboxEntry>,
}

#[derive(Serialize)]
struct OutboxEntry {
    id: String,
    ro_id: Option<String>,
    kind: String,
    channel: String,
    to: String,
    state: String,
    created_at: String,
    next_attempt_at: String,
    subject: Option<String>,
    body: String,
    last_error: Option<String>,
}

fn entry(n: NotificationRow) -> OutboxEntry {
    OutboxEntry {
        id: n.id,
        ro_id: n.ro_id,
        kind: n.kind,
        channel: n.channel,
        to: n.to_address,
        state: n.state,
        created_at: n.created_at.and_utc().to_rfc3339(),
        next_attempt_at: n.next_attempt_at.and_utc().to_rfc3339(),
        subject: n.subject,
        body: n.body_text,
        last_error: n.last_error,
    }
}

/// Texts and emails kept by the log transports, newest first: what
/// customers would have received. HTML, or JSON with `?format=json` or
/// `Accept: application/json`.
pub async fn dev_outbox(app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let channels = local_channels(&app);
    if !app.settings.notify.dev_outbox || channels.is_empty() {
        return Ok(Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "/dev/outbox exists only while a log transport keeps messages on this machine",
        )
        .response());
    }
    let notice = format!(
        "Nothing on this page left this machine: {} messages are kept here by the log transport instead of being sent.",
        channels.join(" and ")
    );
    let messages: Vec<OutboxEntry> = app
        .recent_notifications(channels, 200)
        .await?
        .into_iter()
        .map(entry)
        .collect();
    let wants_json = req.query_string().contains("format=json")
        || req
            .headers()
            .get("Accept")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        return Ok(HttpResponse::Ok().json(OutboxPage { notice, messages }));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(html(&notice, &messages)))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(notice: &str, messages: &[OutboxEntry]) -> String {
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Outbox (local)</title></head><body style=\"font-family:sans-serif;max-width:720px;margin:auto;padding:16px\">\
         <h1>Outbox</h1>",
    );
    let _ = write!(
        page,
        "<p style=\"background:#fff3cd;padding:8px;border:1px solid #e0c36a\"><strong>{}</strong></p>",
        escape(notice)
    );
    if messages.is_empty() {
        page.push_str("<p>No messages yet. Check a car in and they appear here.</p>");
    }
    for m in messages {
        let _ = write!(
            page,
            "<section style=\"border-top:1px solid #ccc;padding:8px 0\"><h2 style=\"font-size:16px\">{} to {} <small>({}, {})</small></h2>\
             <p style=\"color:#555;font-size:13px\">{} · {}{}</p>{}<pre style=\"white-space:pre-wrap;font-family:inherit\">{}</pre></section>",
            escape(&m.channel.to_uppercase()),
            escape(&m.to),
            escape(&m.kind),
            escape(&m.state),
            escape(&m.created_at),
            escape(&m.next_attempt_at),
            m.last_error
                .as_deref()
                .map(|e| format!(" · {}", escape(e)))
                .unwrap_or_default(),
            m.subject
                .as_deref()
                .map(|s| format!("<p><strong>{}</strong></p>", escape(s)))
                .unwrap_or_default(),
            escape(&m.body),
        );
    }
    page.push_str("</body></html>");
    page
}

/// Prometheus text format: the outbox by state, the age of the oldest due
/// message, and this process's send counters and latency.
pub async fn metrics(app: web::Data<App>) -> Result<HttpResponse, ApiError> {
    let (counts, oldest) = app.outbox_depth().await?;
    let m = app.outbox.metrics();
    let mut out = String::new();
    out.push_str("# HELP handover_outbox_messages Messages in the outbox, by state.\n# TYPE handover_outbox_messages gauge\n");
    for state in crate::domain::delivery::DeliveryState::ALL {
        let n = counts
            .iter()
            .find(|(s, _)| s == state.as_str())
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(
            out,
            "handover_outbox_messages{{state=\"{}\"}} {n}",
            state.as_str()
        );
    }
    out.push_str("# HELP handover_outbox_oldest_due_seconds How long the oldest due, unsent message has waited.\n# TYPE handover_outbox_oldest_due_seconds gauge\n");
    let _ = writeln!(
        out,
        "handover_outbox_oldest_due_seconds {}",
        oldest.map_or(0.0, |d| d.num_milliseconds() as f64 / 1000.0)
    );
    for (name, help, value) in [
        ("sent", "Messages the provider accepted.", &m.sent),
        ("failed", "Messages given up on.", &m.failed),
        (
            "suppressed",
            "Messages not sent on purpose (opted out).",
            &m.suppressed,
        ),
        ("retried", "Send attempts that will be retried.", &m.retried),
    ] {
        let _ = write!(
            out,
            "# HELP handover_outbox_{name}_total {help}\n# TYPE handover_outbox_{name}_total counter\nhandover_outbox_{name}_total {}\n",
            value.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    let (buckets, count, sum) = m.latency();
    out.push_str("# HELP handover_outbox_send_seconds Time from claim to the provider's answer.\n# TYPE handover_outbox_send_seconds histogram\n");
    for (bound, n) in buckets {
        let _ = writeln!(
            out,
            "handover_outbox_send_seconds_bucket{{le=\"{bound}\"}} {n}"
        );
    }
    let _ = write!(
        out,
        "handover_outbox_send_seconds_bucket{{le=\"+Inf\"}} {count}\nhandover_outbox_send_seconds_sum {sum}\nhandover_outbox_send_seconds_count {count}\n"
    );
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(out))
}
