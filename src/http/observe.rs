//! What every request leaves behind for operators: an `X-Request-Id` (the
//! caller's, or a new one) echoed in the response, its log line and any
//! problem document; one log line naming the route pattern, never the path
//! (paths carry customer tokens); and counters and a latency histogram by
//! route and status for /metrics.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

tokio::task_local! {
    /// The id of the request being answered, for problem documents.
    static CURRENT: String;
}

/// The id of the request being answered on this task, if any.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// A caller's id is kept if it is short and printable; otherwise (or when
/// there is none) a new one is made.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let id = request_id(&req);
    let metrics = req.app_data::<actix_web::web::Data<HttpMetrics>>().cloned();
    let mut res = CURRENT.scope(id.clone(), next.call(req)).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".into());
    let status = res.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    // The time spent in the service, for the browser's dev tools and the
    // benchmark (W3C Server Timing); no detail that could help an attacker.
    if let Ok(value) = HeaderValue::from_str(&format!("app;dur={:.3}", seconds * 1000.0)) {
        res.headers_mut().insert(SERVER_TIMING, value);
    }
    if let Some(metrics) = metrics {
        metrics.record(method.as_str(), &route, status, seconds);
    }
    let ms = seconds * 1000.0;
    if status >= 500 {
        tracing::error!(%method, %route, status, ms, request_id = %id, "request");
    } else {
        tracing::info!(%method, %route, status, ms, request_id = %id, "request");
    }
    Ok(res)
}

/// Upper bounds of the request-latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Requests by (method, route pattern, status), and latency by route.
#[derive(Default)]
pub struct HttpMetrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl HttpMetrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            let h = latency
                .entry((method.to_owned(), route.to_owned()))
                .or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.buckets[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }

    /// The Prometheus text for these metrics.
    pub fn render(&self, out: &mut String) {
        out.push_str("# HELP handover_http_requests_total Requests answered, by method, route and status.\n# TYPE handover_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), n) in requests.iter() {
                let _ = writeln!(
                    out,
                    "handover_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP handover_http_request_seconds Time to answer, by method and route.\n# TYPE handover_http_request_seconds histogram\n");
        if let Ok(latency) = self.latency.lock() {
            for ((method, route), h) in latency.iter() {
                let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
                for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                    let _ = writeln!(
                        out,
                        "handover_http_request_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                    );
                }
                let _ = write!(
                    out,
                    "handover_http_request_seconds_bucket{{{labels},le=\"+Inf\"}} {c}\nhandover_http_request_seconds_sum{{{labels}}} {s}\nhandover_http_request_seconds_count{{{labels}}} {c}\n",
                    c = h.count,
                    s = h.sum
                );
            }
        }
    }
}

/// A Prometheus label value.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The process's own figures (Linux /proc) and what was built.
pub fn render_process(out: &mut String, started_at: f64) {
    let _ = write!(
        out,
        "# HELP handover_build_info The running build.\n# TYPE handover_build_info gauge\nhandover_build_info{{version=\"{}\"}} 1\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = write!(
        out,
        "# HELP process_start_time_seconds When the process started (Unix time).\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds {started_at}\n"
    );
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return;
    };
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    if let Some(rss) = kib("VmRSS:") {
        let _ = write!(
            out,
            "# HELP process_resident_memory_bytes Resident memory.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {}\n",
            rss * 1024
        );
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        let _ = write!(
            out,
            "# HELP process_open_fds Open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds {}\n",
            fds.count()
        );
    }
    if let Some(seconds) = cpu_seconds() {
        let _ = write!(
            out,
            "# HELP process_cpu_seconds_total CPU time used (user and system).\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total {seconds}\n"
        );
    }
}

/// utime + stime from /proc/self/stat, in seconds (clock ticks of 1/100 s,
/// the value Linux uses for USER_HZ).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
