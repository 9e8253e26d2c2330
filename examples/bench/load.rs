//! Load through the real HTTP API: PUT …/promised-at, closed loop at a fixed
//! concurrency (throughput) or open loop at a fixed rate (commit → provider).

use crate::mock::{Arrival, now_us};
use crate::seed::Ro;
use crate::service::memory_kib;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Serialize, Default, Clone)]
pub struct Percentiles {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

pub fn percentiles(mut us: Vec<i64>) -> Percentiles {
    if us.is_empty() {
        return Percentiles::default();
    }
    us.sort_unstable();
    let at =
        |q: f64| us[((us.len() as f64 * q).ceil() as usize).clamp(1, us.len()) - 1] as f64 / 1000.0;
    Percentiles {
        p50_ms: at(0.50),
        p95_ms: at(0.95),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    }
}

#[derive(Serialize)]
pub struct Throughput {
    pub concurrency: usize,
    pub seconds: f64,
    pub ok: u64,
    pub errors: u64,
    pub per_second: f64,
    pub response: Percentiles,
    /// Resident memory of the service: highest sample during the run, KiB.
    pub rss_peak_kib: u64,
    /// CPU per change: the service, PostgreSQL, the load generator.
    pub cpu: Option<crate::cpu::PerChange>,
    /// PostgreSQL's statements per change (PostgreSQL only).
    pub statements: Option<crate::statements::PerChange>,
}

/// Numbers the throughput runs' requests across the whole process: each
/// run starting again from 0 sent the ROs the times the run before had
/// already set, and a PUT of the same time changes nothing (64% of the
/// 32-client run's requests were such no-ops before this, found by table 2d).
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// The same for the latency runs, in a range of their own: with `k` from 0
/// in each, part 5's first RO (the first of part 3's too) got part 3's time
/// again, and its text was never written (5,999 texts of 6,000).
static LATENCY_SEQUENCE: AtomicU64 = AtomicU64::new(7_000_000);

/// A distinct promised time per request, so every PUT is a real change
/// (`i` below 1,000,000 for throughput runs; latency and crash runs use
/// their own ranges above it).
pub fn promised_for(i: u64) -> String {
    let base = chrono::Utc::now().date_naive() + chrono::Days::new(2);
    let at = base.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
        + chrono::Duration::seconds((i % 6_000_000) as i64);
    at.to_rfc3339()
}

async fn put(http: &reqwest::Client, api: &str, token: &str, ro: &str, i: u64) -> bool {
    let r = http
        .put(format!("{api}/api/v1/repair-orders/{ro}/promised-at"))
        .bearer_auth(token)
        .json(&serde_json::json!({"promised_at": promised_for(i), "reason": "We are waiting on a part from the distributor"}))
        .send()
        .await;
    match r {
        Ok(r) => {
            let ok = r.status().is_success();
            let _ = r.bytes().await;
            ok
        }
        Err(_) => false,
    }
}

/// `concurrency` clients, each sending its next change as soon as the last is
/// answered, for `seconds` after a one-second warm-up.
pub async fn throughput(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    ros: Arc<Vec<Ro>>,
    concurrency: usize,
    seconds: f64,
    watch: crate::cpu::Watch<'_>,
) -> Throughput {
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, api, token, ros) = (http.clone(), api.to_owned(), token.to_owned(), ros.clone());
        let (measuring, stop) = (measuring.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                let i = SEQUENCE.fetch_add(1, Ordering::Relaxed);
                let ro = &ros[(i % ros.len() as u64) as usize];
                let started = Instant::now();
                let good = put(&http, &api, &token, &ro.id, i).await;
                if measuring.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
                    if good {
                        ok += 1;
                        lat.push(started.elapsed().as_micros() as i64);
                    } else {
                        errors += 1;
                    }
                }
            }
            (ok, errors, lat)
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let url = watch.pg_url.map(str::to_owned);
    let window =
        tokio::task::spawn_blocking(move || crate::statements::Window::open(url.as_deref()));
    let window = window.await.ok().flatten();
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    let cpu_before = crate::cpu::sample(watch);
    let mut rss_peak = 0;
    while started.elapsed().as_secs_f64() < seconds {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(pid) = watch.service {
            rss_peak = rss_peak.max(memory_kib(pid).0);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = crate::cpu::sample(watch);
    let (mut ok, mut errors, mut lat) = (0, 0, Vec::new());
    for t in tasks {
        if let Ok((o, e, l)) = t.await {
            ok += o;
            errors += e;
            lat.extend(l);
        }
    }
    let statements = match window {
        Some(w) => tokio::task::spawn_blocking(move || w.close(ok))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    Throughput {
        concurrency,
        seconds: elapsed,
        ok,
        errors,
        per_second: ok as f64 / elapsed,
        response: percentiles(lat),
        rss_peak_kib: rss_peak,
        cpu: cpu_before.per_change(&cpu_after, ok),
        statements,
    }
}

#[derive(Serialize)]
pub struct Latency {
    pub rate_per_second: u64,
    pub seconds: u64,
    pub changes: usize,
    pub failed_requests: usize,
    pub texts_received: usize,
    /// API response → the mock provider reading the text.
    pub commit_to_provider: Percentiles,
    pub response: Percentiles,
}

/// One change every 1/rate s, each to a different RO, then waits (up to a
/// minute) for every text to reach the mock and matches them by phone.
pub async fn latency(
    http: &reqwest::Client,
    api: &str,
    mock: &str,
    token: &str,
    ros: &[Ro],
    rate: u64,
    seconds: u64,
) -> anyhow::Result<Latency> {
    let total = (rate * seconds) as usize;
    anyhow::ensure!(ros.len() >= total, "need {total} ROs, have {}", ros.len());
    // Spread over the whole table so the 1M run touches cold rows too.
    let stride = ros.len() / total;
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for k in 0..total {
        let due = t0 + Duration::from_secs_f64(k as f64 / rate as f64);
        tokio::time::sleep_until(due.into()).await;
        let ro = &ros[k * stride];
        let i = LATENCY_SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let (http, api, token, id, phone) = (
            http.clone(),
            api.to_owned(),
            token.to_owned(),
            ro.id.clone(),
            ro.phone.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let ok = put(&http, &api, &token, &id, i).await;
            (phone, ok, now_us(), sent.elapsed().as_micros() as i64)
        }));
    }
    let mut answered = Vec::with_capacity(total);
    for t in tasks {
        answered.push(t.await?);
    }
    let ok: Vec<_> = answered.iter().filter(|a| a.1).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    let arrivals = loop {
        let log: Vec<Arrival> = http
            .get(format!("{mock}/_log"))
            .send()
            .await?
            .json()
            .await?;
        if log.len() >= ok.len() || Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut first: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for a in &arrivals {
        let e = first.entry(a.to.as_str()).or_insert(a.at_us);
        *e = (*e).min(a.at_us);
    }
    let mut lat = Vec::new();
    for (phone, _, answered_at, _) in &ok {
        if let Some(at) = first.get(phone.as_str()) {
            lat.push(at - answered_at);
        }
    }
    Ok(Latency {
        rate_per_second: rate,
        seconds,
        changes: total,
        failed_requests: total - ok.len(),
        texts_received: lat.len(),
        commit_to_provider: percentiles(lat),
        response: percentiles(answered.iter().filter(|a| a.1).map(|a| a.3).collect()),
    })
}
