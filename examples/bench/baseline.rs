//! The baselines for a status change: pgbench running bench/status_change.sql,
//! and a plain SQLite loop of the same transaction with the service's
//! synchronous setting — the database alone, no HTTP, no service code.

use crate::delivery::BODY;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::Serialize;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Serialize)]
pub struct Baseline {
    pub tool: String,
    pub concurrency: usize,
    pub seconds: f64,
    pub per_second: f64,
    /// CPU per transaction: PostgreSQL and the client (pgbench, or the
    /// loop's threads).
    pub cpu: Option<crate::cpu::PerChange>,
    /// PostgreSQL's statements per transaction (pgbench only).
    pub statements: Option<crate::statements::PerChange>,
}

/// The same change without the service: pgbench's script on PostgreSQL,
/// the plain loop on SQLite.
pub async fn of_store(
    s: &crate::parts::Settings,
    store: &str,
    db_url: &str,
    ros: &[crate::seed::Ro],
    c: usize,
    secs: f64,
) -> anyhow::Result<Baseline> {
    if store == "postgres" {
        let (bin, data, url, sql) = (
            s.pg_bin.clone(),
            s.pg_data.clone(),
            db_url.to_owned(),
            s.status_change_sql.clone(),
        );
        let n = ros.len();
        return tokio::task::spawn_blocking(move || {
            pgbench(&bin, &data, &url, &sql, n, c, secs.ceil() as u64)
        })
        .await?;
    }
    let ids = Arc::new(ros.iter().map(|r| r.id.clone()).collect());
    let path = db_url.trim_start_matches("sqlite://").to_owned();
    tokio::task::spawn_blocking(move || sqlite_loop(&path, "FULL", ids, c, secs)).await?
}

/// Retires the texts pgbench's script wrote (untimed). Left pending, the
/// next run's changes to those ROs would each retire them, and part 3's
/// worker would send them all while its latency is measured. Not a DELETE:
/// each deleted row would be checked against `fallback_of`, which has no
/// index (a scan of the table per row).
fn retire_its_texts(url: &str) -> anyhow::Result<()> {
    use diesel::{Connection, RunQueryDsl};
    let mut conn = diesel::PgConnection::establish(url)?;
    diesel::sql_query(
        "UPDATE notifications SET state = 'superseded' \
         WHERE context = '{\"baseline\":\"pgbench\"}' AND state = 'pending'",
    )
    .execute(&mut conn)?;
    Ok(())
}

/// pgbench at `concurrency` clients for `seconds`, `ros` seeded ROs.
pub fn pgbench(
    pg_bin: &str,
    pg_data: &str,
    url: &str,
    script: &str,
    ros: usize,
    concurrency: usize,
    seconds: u64,
) -> anyhow::Result<Baseline> {
    let watch = crate::cpu::Watch {
        service: None,
        pg_data: Some(pg_data),
        pg_url: Some(url),
    };
    let window = crate::statements::Window::open(watch.pg_url);
    let processes = crate::cpu::cluster_processes(pg_data);
    let cpu_before = crate::cpu::sample(watch);
    let out = Command::new(format!("{pg_bin}/pgbench"))
        .args(["-n", "-M", "prepared", "-f", script])
        .arg(format!("-c{concurrency}"))
        .arg(format!("-j{}", concurrency.min(2)))
        .arg(format!("-T{seconds}"))
        .arg("-D")
        .arg(format!("ros={ros}"))
        .arg(url)
        .output()?;
    crate::cpu::wait_for_sessions_to_end(pg_data, processes);
    let cpu_after = crate::cpu::sample(watch);
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success(),
        "pgbench failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench output: {text}"))?;
    let processed = text
        .lines()
        .find_map(|l| l.strip_prefix("number of transactions actually processed: "))
        .and_then(|v| v.split('/').next())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let statements = window.and_then(|w| w.close(processed));
    retire_its_texts(url)?;
    Ok(Baseline {
        tool: "pgbench".into(),
        concurrency,
        seconds: seconds as f64,
        per_second: tps,
        cpu: cpu_before.per_change(&cpu_after, processed),
        statements,
    })
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    dealership_id: String,
    #[diesel(sql_type = Text)]
    phone: String,
    #[diesel(sql_type = BigInt)]
    version: i64,
}

fn change(c: &mut SqliteConnection, ro: &str) -> QueryResult<()> {
    c.batch_execute("BEGIN IMMEDIATE")?;
    let result = (|| {
        let now = chrono::Utc::now().naive_utc();
        let rows: Vec<Row> = diesel::sql_query(
            "SELECT r.dealership_id, b.phone, r.version FROM repair_orders r JOIN bench_ros b ON b.id = r.id WHERE r.id = ?",
        )
        .bind::<Text, _>(ro)
        .load(c)?;
        let Some(row) = rows.first() else {
            return Err(diesel::result::Error::NotFound);
        };
        diesel::sql_query(
            "UPDATE repair_orders SET promised_at = ?, version = ?, updated_at = ? WHERE id = ?",
        )
        .bind::<diesel::sql_types::Timestamp, _>(now + chrono::Duration::days(2))
        .bind::<BigInt, _>(row.version + 1)
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .bind::<Text, _>(ro)
        .execute(c)?;
        diesel::sql_query("INSERT INTO ro_events (id, ro_id, at, actor_kind, actor_id, kind, detail) VALUES (?, ?, ?, 'staff', NULL, 'promised_at_changed', ?)")
            .bind::<Text, _>(uuid::Uuid::now_v7().to_string())
            .bind::<Text, _>(ro)
            .bind::<diesel::sql_types::Timestamp, _>(now)
            .bind::<Text, _>(r#"{"from":"2026-11-24T10:00:00Z","to":"2026-11-24T10:00:01Z","reason":"We are waiting on a part from the distributor"}"#)
            .execute(c)?;
        diesel::sql_query(
            "INSERT INTO notifications (id, dealership_id, ro_id, dedupe_key, kind, recipient_kind, channel, to_address, body_text, language, \
             context, routine, supersede_key, state, attempts, next_attempt_at, created_at, updated_at) \
             VALUES (?, ?, ?, ?, 'promised_changed', 'customer', 'sms', ?, ?, 'en', '{\"baseline\":\"loop\"}', 1, 'promised_at', 'pending', 0, ?, ?, ?)",
        )
        .bind::<Text, _>(uuid::Uuid::now_v7().to_string())
        .bind::<Text, _>(&row.dealership_id)
        .bind::<Text, _>(ro)
        .bind::<Text, _>(uuid::Uuid::now_v7().to_string())
        .bind::<Text, _>(&row.phone)
        .bind::<Text, _>(BODY)
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .execute(c)?;
        Ok(())
    })();
    match result {
        Ok(()) => c.batch_execute("COMMIT"),
        Err(e) => {
            let _ = c.batch_execute("ROLLBACK");
            Err(e)
        }
    }
}

/// `concurrency` threads, each with its own connection, looping the same
/// transaction as the service writes, for `seconds` after a 1 s warm-up.
pub fn sqlite_loop(
    path: &str,
    synchronous: &str,
    ros: Arc<Vec<String>>,
    concurrency: usize,
    seconds: f64,
) -> anyhow::Result<Baseline> {
    let next = Arc::new(AtomicU64::new(0));
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut threads = Vec::new();
    for _ in 0..concurrency {
        let mut c = SqliteConnection::establish(path)?;
        c.batch_execute(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;"
        ))?;
        let (ros, next, counting, stop, done) = (
            ros.clone(),
            next.clone(),
            counting.clone(),
            stop.clone(),
            done.clone(),
        );
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                if change(&mut c, &ros[i % ros.len()]).is_ok() && counting.load(Ordering::Relaxed) {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    std::thread::sleep(Duration::from_secs(1));
    counting.store(true, Ordering::Relaxed);
    let started = Instant::now();
    let cpu_before = crate::cpu::sample(crate::cpu::Watch::default());
    std::thread::sleep(Duration::from_secs_f64(seconds));
    counting.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = crate::cpu::sample(crate::cpu::Watch::default());
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    // Its texts, like pgbench's, are not left for the service to retire.
    SqliteConnection::establish(path)?.batch_execute(
        "PRAGMA busy_timeout = 10000; \
         UPDATE notifications SET state = 'superseded' \
         WHERE context = '{\"baseline\":\"loop\"}' AND state = 'pending';",
    )?;
    Ok(Baseline {
        tool: format!("sqlite loop (synchronous={synchronous})"),
        concurrency,
        seconds: elapsed,
        per_second: done.load(Ordering::Relaxed) as f64 / elapsed,
        cpu: cpu_before.per_change(&cpu_after, done.load(Ordering::Relaxed)),
        statements: None,
    })
}
