//! What the log transports kept (/dev/outbox), and /metrics.

use super::extract::AnyCaller;
use super::problem::{ApiError, Problem};
use crate::app::{App, OutboxEntry};
use crate::config::{EmailTransport, SmsTransport};
use crate::domain::message::Channel;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use std::fmt::Write as _;

/// The channels whose messages stay on this machine.
fn local_channels(app: &App) -> Vec<Channel> {
    let mut channels = Vec::new();
    if app.settings.sms.transport == SmsTransport::Log {
        channels.push(Channel::Sms);
    }
    if app.settings.email.transport == EmailTransport::Log {
        channels.push(Channel::Email);
    }
    channels
}

#[derive(Serialize)]
struct OutboxPage {
    notice: String,
    messages: Vec<OutboxEntry>,
}

/// Texts and emails kept by the log transports, newest first: what
/// customers would have received. HTML, or JSON with `?format=json` or
/// `Accept: application/json`.
#[utoipa::path(
    tag = "ops",
    responses(
        (status = 200, description = "The local outbox (HTML or JSON)"),
        (status = 401, description = "No or an unknown token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the admin or a manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Messages leave this machine: there is no local outbox", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/dev/outbox")]
pub async fn dev_outbox(
    app: web::Data<App>,
    who: AnyCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
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
    let names: Vec<&str> = channels.iter().map(|c| c.as_str()).collect();
    let notice = format!(
        "Nothing on this page left this machine: {} messages are kept here by the log transport instead of being sent.",
        names.join(" and ")
    );
    let messages = app.recent_notifications(&who.0, channels, 200).await?;
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
    minijinja::HtmlEscape(text).to_string()
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
        let (created_at, next_attempt_at) =
            (m.created_at.to_rfc3339(), m.next_attempt_at.to_rfc3339());
        let _ = write!(
            page,
            "<section style=\"border-top:1px solid #ccc;padding:8px 0\"><h2 style=\"font-size:16px\">{} to {} <small>({}, {})</small></h2>\
             <p style=\"color:#555;font-size:13px\">{} · {}{}</p>{}<pre style=\"white-space:pre-wrap;font-family:inherit\">{}</pre></section>",
            escape(&m.channel.as_str().to_uppercase()),
            escape(&m.to),
            escape(m.kind.as_str()),
            escape(m.state.as_str()),
            escape(&created_at),
            escape(&next_attempt_at),
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

/// When this process started, for process_start_time_seconds.
pub struct Started(f64);

impl Started {
    pub fn now() -> Self {
        Self(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        )
    }
}

/// Prometheus text format: the outbox by state, the age of the oldest due
/// message, this process's send counters and latency, requests by route and
/// status with their latency, the process's own figures and the build.
#[utoipa::path(
    tag = "ops",
    responses((status = 200, description = "Prometheus metrics", content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn metrics(
    app: web::Data<App>,
    http: web::Data<super::observe::HttpMetrics>,
    started: web::Data<Started>,
) -> Result<HttpResponse, ApiError> {
    let depth = app.outbox_depth().await?;
    let (counts, oldest) = (&depth.messages, depth.oldest_due);
    let m = app.outbox.metrics();
    let mut out = String::new();
    out.push_str("# HELP handover_outbox_messages Messages in the outbox, by state.\n# TYPE handover_outbox_messages gauge\n");
    for state in crate::domain::delivery::DeliveryState::ALL {
        let n = counts
            .iter()
            .find(|(s, _)| s == state)
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
    out.push_str("# HELP handover_jobs Scheduled jobs, by state.\n# TYPE handover_jobs gauge\n");
    for state in crate::domain::job::JobState::ALL {
        let n = depth
            .jobs
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "handover_jobs{{state=\"{state}\"}} {n}");
    }
    let _ = write!(
        out,
        "# HELP handover_jobs_failed_total Scheduled jobs given up on (attempts spent, or unreadable).\n# TYPE handover_jobs_failed_total counter\nhandover_jobs_failed_total {}\n",
        m.jobs_failed.load(std::sync::atomic::Ordering::Relaxed)
    );
    render_purged(&mut out, m);
    render_requests(&mut out, &app.open_requests_by_role().await?, m);
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
    http.render(&mut out);
    super::observe::render_process(&mut out, started.0);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(out))
}

fn render_purged(out: &mut String, m: &crate::notify::metrics::Metrics) {
    out.push_str("# HELP handover_purged_rows_total Rows removed because their lifetime ended.\n# TYPE handover_purged_rows_total counter\n");
    for (table, rows) in m.purged_totals() {
        let _ = writeln!(
            out,
            "handover_purged_rows_total{{table=\"{table}\"}} {rows}"
        );
    }
}

/// Colleagues' requests: open ones by the role of whoever has them, and
/// how long answers took (minutes, as written by this process).
fn render_requests(
    out: &mut String,
    open: &[(crate::domain::role::Role, usize)],
    m: &crate::notify::metrics::Metrics,
) {
    out.push_str("# HELP handover_requests_open Colleagues' requests waiting for an answer, by the role of whoever has them.\n# TYPE handover_requests_open gauge\n");
    for (role, n) in open {
        let _ = writeln!(out, "handover_requests_open{{role=\"{role}\"}} {n}");
    }
    let (buckets, count, sum) = m.answers();
    out.push_str("# HELP handover_request_answer_minutes Minutes from a colleague's request to its answer.\n# TYPE handover_request_answer_minutes histogram\n");
    for (bound, n) in buckets {
        let _ = writeln!(
            out,
            "handover_request_answer_minutes_bucket{{le=\"{bound}\"}} {n}"
        );
    }
    let _ = write!(
        out,
        "handover_request_answer_minutes_bucket{{le=\"+Inf\"}} {count}\nhandover_request_answer_minutes_sum {sum}\nhandover_request_answer_minutes_count {count}\n"
    );
}
