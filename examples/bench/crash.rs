//! The crash run: two instances on one PostgreSQL take N status changes
//! while one of them is SIGKILLed every few seconds (and started again), and
//! PostgreSQL itself is stopped once with `pg_ctl stop -m immediate`. The
//! mock provider then says, per notification, what arrived: lost, doubled,
//! and how long after the last fault the queue was empty.

use crate::mock::Arrival;
use crate::seed::{self, Db};
use crate::service::{Service, ServiceSpec};
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;
use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Faults {
    /// pg_ctl and the cluster's data directory; `as_postgres` runs it as
    /// the cluster's owner when we are root.
    pub pg_ctl: String,
    pub pg_data: String,
    pub as_postgres: bool,
    pub kill_every: Duration,
}

#[derive(Serialize)]
pub struct CrashRun {
    pub changes: usize,
    pub instances: usize,
    pub kills: usize,
    pub postgres_restarts: usize,
    pub notifications: i64,
    pub changes_without_notification: i64,
    pub received: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub request_retries: u64,
    pub drained_after_last_fault_s: f64,
    pub lease_seconds: u32,
}

#[derive(QueryableByName)]
struct Sent {
    #[diesel(sql_type = Text)]
    to_address: String,
    #[diesel(sql_type = Text)]
    body_text: String,
}

fn pg_ctl(f: &Faults, args: &[&str]) -> anyhow::Result<()> {
    let mut c = if f.as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &f.pg_ctl]);
        c
    } else {
        Command::new(&f.pg_ctl)
    };
    let out = c.arg("-D").arg(&f.pg_data).args(args).output()?;
    anyhow::ensure!(
        out.status.success(),
        "pg_ctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// Sends change k to instance k % 2, and on any failure tries the other one
/// again until it is answered: the same PUT twice changes nothing.
async fn change(
    http: reqwest::Client,
    urls: Arc<Vec<String>>,
    token: String,
    ro: String,
    k: usize,
) -> (bool, u64) {
    let at = crate::load::promised_for(9_000_000 + k as u64);
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut retries = 0;
    let mut i = k;
    loop {
        let r = http
            .put(format!("{}/api/v1/repair-orders/{ro}/promised-at", urls[i % urls.len()]))
            .bearer_auth(&token)
            .timeout(Duration::from_secs(10))
            .json(&serde_json::json!({"promised_at": at, "reason": "We are waiting on a part from the distributor"}))
            .send()
            .await;
        if let Ok(r) = r
            && r.status().is_success()
        {
            return (true, retries);
        }
        if Instant::now() > deadline {
            return (false, retries);
        }
        retries += 1;
        i += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    http: &reqwest::Client,
    base: &ServiceSpec,
    db_url: &str,
    faults: Faults,
    n: usize,
    load_seconds: u64,
    mock: &str,
) -> anyhow::Result<CrashRun> {
    let specs: Vec<ServiceSpec> = (0..2u16)
        .map(|i| ServiceSpec {
            port: base.port + i,
            log: format!("{}.{i}", base.log),
            ..base.clone()
        })
        .collect();
    let mut first = specs[0].start()?;
    first.ready(http).await?;
    let shop = seed::shop(http, &specs[0].url()).await?;
    let mut db = Db::open(db_url)?;
    seed::grow(&mut db, &shop.template_ro, n as i64)?;
    let ros = db.ros()?;
    drop(db);
    let mut second = specs[1].start()?;
    second.ready(http).await?;
    let _ = http.post(format!("{mock}/_reset")).send().await?;
    let services: Arc<Mutex<Vec<Service>>> = Arc::new(Mutex::new(vec![first, second]));
    let urls = Arc::new(specs.iter().map(ServiceSpec::url).collect::<Vec<_>>());

    // Faults: a SIGKILL every `kill_every`, alternating instances; PostgreSQL
    // stopped hard once, half-way.
    let load_for = Duration::from_secs(load_seconds);
    let fault_services = services.clone();
    let faulter = tokio::spawn(async move {
        let started = Instant::now();
        let (mut kills, mut pg_restarts, mut last_fault) = (0usize, 0usize, Instant::now());
        let mut victim = 0usize;
        while started.elapsed() + faults.kill_every <= load_for {
            tokio::time::sleep(faults.kill_every).await;
            if let Ok(mut s) = fault_services.lock() {
                s[victim].kill();
                let restarted = s[victim].spec.start();
                if let Ok(r) = restarted {
                    s[victim] = r;
                }
            }
            kills += 1;
            victim = 1 - victim;
            last_fault = Instant::now();
            if pg_restarts == 0 && started.elapsed() >= load_for / 2 {
                let stop = pg_ctl(&faults, &["-m", "immediate", "stop"]);
                tokio::time::sleep(Duration::from_secs(2)).await;
                let start = pg_ctl(
                    &faults,
                    &[
                        "-w",
                        "-l",
                        &format!("{}/../restart.log", faults.pg_data),
                        "start",
                    ],
                );
                if let Err(e) = stop.and(start) {
                    eprintln!("crash run: {e}");
                }
                pg_restarts += 1;
                last_fault = Instant::now();
            }
        }
        (kills, pg_restarts, last_fault)
    });

    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for (k, ro) in ros.iter().enumerate().take(n) {
        let due = t0 + load_for.mul_f64(k as f64 / n as f64);
        tokio::time::sleep_until(due.into()).await;
        tasks.push(tokio::spawn(change(
            http.clone(),
            urls.clone(),
            shop.advisor_token.clone(),
            ro.id.clone(),
            k,
        )));
    }
    let (mut answered, mut retries) = (0usize, 0u64);
    for t in tasks {
        let (ok, r) = t.await?;
        answered += usize::from(ok);
        retries += r;
    }
    let (kills, postgres_restarts, last_fault) = faulter.await?;
    anyhow::ensure!(
        answered == n,
        "only {answered} of {n} changes were ever answered"
    );

    // Drained: nothing pending or in flight, every row's text at the mock.
    let mut db = Db::open(db_url)?;
    let drained_at = loop {
        let open = db.count("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'promised_changed' AND state IN ('pending', 'sending')")?;
        if open == 0 {
            break Instant::now();
        }
        anyhow::ensure!(
            last_fault.elapsed() < Duration::from_secs(300),
            "{open} texts still queued 300 s after the last fault"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let notifications =
        db.count("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'promised_changed'")?;
    let without = db.count(
        "SELECT COUNT(*) AS n FROM bench_ros b WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.ro_id = b.id AND n.kind = 'promised_changed')",
    )?;
    let expected: Vec<Sent> = match &mut db {
        Db::Pg(c) => diesel::sql_query(
            "SELECT to_address, body_text FROM notifications WHERE kind = 'promised_changed'",
        )
        .load(c)?,
        Db::Lite(_) => anyhow::bail!("the crash run needs PostgreSQL"),
    };
    let arrivals: Vec<Arrival> = http
        .get(format!("{mock}/_log"))
        .send()
        .await?
        .json()
        .await?;
    let mut count: HashMap<(&str, &str), usize> = HashMap::new();
    for a in &arrivals {
        *count.entry((&a.to, &a.body)).or_default() += 1;
    }
    let lost = expected
        .iter()
        .filter(|e| !count.contains_key(&(e.to_address.as_str(), e.body_text.as_str())))
        .count();
    let duplicated = count.values().map(|c| c - 1).sum();
    if let Ok(mut s) = services.lock() {
        for svc in s.iter_mut() {
            svc.stop();
        }
    }
    Ok(CrashRun {
        changes: n,
        instances: 2,
        kills,
        postgres_restarts,
        notifications,
        changes_without_notification: without,
        received: arrivals.len(),
        lost,
        duplicated,
        request_retries: retries,
        drained_after_last_fault_s: drained_at
            .saturating_duration_since(last_fault)
            .as_secs_f64(),
        lease_seconds: base.lease_seconds,
    })
}
