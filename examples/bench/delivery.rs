//! Delivery throughput: N queued texts drained to the mock provider, by the
//! service's worker and by two job queues doing the same HTTP call. Each
//! queue is filled first (untimed); the rate is taken at the mock, from its
//! first arrival to its last, so start-up time counts for nobody.

use crate::seed::Db;
use crate::service::ServiceSpec;
use serde::Serialize;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BODY: &str = "Bench Motors: your Honda Accord (RO 1234) will now be ready Tue, Nov 24 at 10:00 AM. Why: We are waiting on a part from the distributor.";

#[derive(Serialize)]
pub struct Drain {
    pub system: String,
    pub delay_ms: u64,
    pub jobs: u64,
    pub concurrency: u32,
    pub received: u64,
    pub per_second: f64,
}

#[derive(serde::Deserialize)]
struct Stats {
    received: u64,
    first_us: Option<i64>,
    last_us: Option<i64>,
}

pub struct Peers {
    pub node_modules: String,
    pub python: String,
    pub scripts: String,
    /// Where each peer's output goes.
    pub logs: String,
}

/// Until the mock has `n` texts, or nothing more arrived for [`STALLED`]
/// (a peer that drops a job does not retry it: pgqueuer once lost one of
/// 20,000 and the run waited out the whole `limit`); an error if the worker
/// dies first. The report names any system that delivered fewer than `n`.
async fn wait_for(
    http: &reqwest::Client,
    mock: &str,
    n: u64,
    limit: Duration,
    worker: &mut Child,
) -> anyhow::Result<Stats> {
    let started = Instant::now();
    let (mut seen, mut moved) = (0, Instant::now());
    loop {
        let s: Stats = http
            .get(format!("{mock}/_stats"))
            .send()
            .await?
            .json()
            .await?;
        if s.received != seen {
            (seen, moved) = (s.received, Instant::now());
        }
        let stalled = seen > 0 && moved.elapsed() > STALLED;
        if s.received >= n || stalled || started.elapsed() > limit {
            return Ok(s);
        }
        if let Some(status) = worker.try_wait()? {
            anyhow::bail!(
                "the worker exited ({status}) after {} of {n} texts",
                s.received
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// No arrival for this long once texts flow: whatever is missing is lost.
const STALLED: Duration = Duration::from_secs(30);

fn rate(s: &Stats) -> f64 {
    match (s.first_us, s.last_us) {
        (Some(a), Some(b)) if b > a => {
            (s.received.saturating_sub(1)) as f64 / ((b - a) as f64 / 1e6)
        }
        _ => 0.0,
    }
}

/// The service's outbox: N pending texts (same body, distinct numbers)
/// written in one transaction, then `handover worker` started.
pub async fn ours(
    http: &reqwest::Client,
    db: &mut Db,
    spec: &ServiceSpec,
    n: u64,
    delay_ms: u64,
) -> anyhow::Result<Drain> {
    db.exec(&format!(
        "INSERT INTO notifications (id, dealership_id, ro_id, dedupe_key, kind, recipient_kind, channel, to_address, body_text,
            language, context, routine, state, attempts, next_attempt_at, created_at, updated_at)
         SELECT gen_random_uuid()::text, t.dealership_id, t.ro_id, 'bench-drain-' || gen_random_uuid()::text, 'promised_changed',
            'customer', 'sms', '+1399' || lpad(g::text, 7, '0'), '{BODY}', 'en', t.context, false, 'pending', 0,
            now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc'
         FROM generate_series(1, {n}) g CROSS JOIN (SELECT * FROM notifications ORDER BY created_at LIMIT 1) t"
    ))?;
    let mut worker = spec.start()?;
    let stats = wait_for(
        http,
        &spec.mock_url,
        n,
        Duration::from_secs(600),
        &mut worker.child,
    )
    .await;
    worker.stop();
    let stats = stats?;
    Ok(Drain {
        system: "handover".into(),
        delay_ms,
        jobs: n,
        concurrency: spec.worker_concurrency,
        received: stats.received,
        per_second: rate(&stats),
    })
}

fn run_peer(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output()?;
    anyhow::ensure!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// graphile-worker or pgqueuer: enqueue N jobs, start the worker, time the drain.
#[allow(clippy::too_many_arguments)]
pub async fn peer(
    http: &reqwest::Client,
    peers: &Peers,
    system: &str,
    db_url: &str,
    mock: &str,
    n: u64,
    concurrency: u32,
    delay_ms: u64,
) -> anyhow::Result<Drain> {
    let command = |mode: &str| {
        let mut c = if system == "graphile-worker" {
            let mut c = Command::new("node");
            c.arg(format!("{}/graphile_worker.js", peers.scripts))
                .env("NODE_PATH", &peers.node_modules);
            c
        } else {
            let mut c = Command::new(&peers.python);
            c.arg(format!("{}/pgqueuer_worker.py", peers.scripts));
            c
        };
        c.arg(mode)
            .env("DATABASE_URL", db_url)
            .env("MOCK_URL", mock)
            .env("N", n.to_string())
            .env("CONCURRENCY", concurrency.to_string())
            .env("BODY", BODY);
        c
    };
    run_peer(&mut command("enqueue"))?;
    let log = std::fs::File::create(format!("{}/{system}.log", peers.logs))?;
    let mut child = command("work")
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()?;
    let stats = wait_for(http, mock, n, Duration::from_secs(900), &mut child).await;
    kill(child);
    let stats = stats?;
    Ok(Drain {
        system: system.into(),
        delay_ms,
        jobs: n,
        concurrency,
        received: stats.received,
        per_second: rate(&stats),
    })
}
