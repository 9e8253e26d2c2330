//! Part 8: the desk's board for a dealership with 80 open repair orders,
//! the rest of its stored orders picked up. Server time from the response's
//! `Server-Timing` (the service's own clock, no network or client in it),
//! beside /healthz through the same server as the floor.

use crate::load::{Percentiles, percentiles};
use crate::seed::Db;
use serde::Serialize;

pub const OPEN: i64 = 80;

#[derive(Serialize)]
pub struct Board {
    pub ros_stored: i64,
    pub open: i64,
    pub requests: usize,
    pub board: Percentiles,
    pub healthz: Percentiles,
    /// board p99 / healthz p99.
    pub ratio_p99: f64,
}

/// Closes every seeded order but the first 80, spreads those over the
/// board's stages, and signs the advisor in (a session row, as sign-in
/// writes it). Returns the session cookie.
pub fn prepare(db: &mut Db) -> anyhow::Result<String> {
    db.exec(&format!(
        "UPDATE repair_orders SET status = 'picked_up' WHERE number > {OPEN} AND status <> 'picked_up';
         UPDATE repair_orders SET status = CASE number % 4 WHEN 0 THEN 'in_progress' WHEN 1 THEN 'checked_in'
           WHEN 2 THEN 'waiting_parts' ELSE 'work_complete' END WHERE number <= {OPEN};"
    ))?;
    analyze(db)?;
    let cookie = format!("bench-session-{}", uuid::Uuid::new_v4().simple());
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(cookie.as_bytes()));
    db.exec(&format!(
        "INSERT INTO desk_sessions (id_hash, staff_id, csrf_token, created_at, last_seen_at)
         SELECT '{hash}', id, 'bench', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM staff WHERE name = 'Ana Lopez' LIMIT 1"
    ))?;
    Ok(cookie)
}

/// Opens the seeded orders again for the parts that change them.
pub fn restore(db: &mut Db) -> anyhow::Result<()> {
    db.exec("UPDATE repair_orders SET status = 'checked_in' WHERE status <> 'checked_in'")?;
    analyze(db)
}

fn analyze(db: &mut Db) -> anyhow::Result<()> {
    db.exec("ANALYZE repair_orders")
}

async fn server_ms(http: &reqwest::Client, url: &str, cookie: &str) -> anyhow::Result<i64> {
    let r = http
        .get(url)
        .header("cookie", format!("hov_desk={cookie}"))
        .send()
        .await?;
    let status = r.status();
    let timing = r
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("dur=").nth(1))
        .and_then(|v| v.parse::<f64>().ok());
    let body = r.text().await?;
    anyhow::ensure!(status.is_success(), "{url}: {status}");
    if url.ends_with("/desk/") {
        anyhow::ensure!(
            body.matches("class=\"ro ").count() as i64 == OPEN,
            "the board shows {OPEN} orders"
        );
    }
    let ms = timing.ok_or_else(|| anyhow::anyhow!("no Server-Timing from {url}"))?;
    Ok((ms * 1000.0) as i64)
}

/// `requests` boards, one at a time (a desk reloads; it does not hammer),
/// after a warm-up, and as many /healthz.
pub async fn measure(
    http: &reqwest::Client,
    api: &str,
    cookie: &str,
    ros_stored: i64,
    requests: usize,
) -> anyhow::Result<Board> {
    let board_url = format!("{api}/desk/");
    let health_url = format!("{api}/healthz");
    for _ in 0..10 {
        server_ms(http, &board_url, cookie).await?;
    }
    let (mut board, mut health) = (Vec::new(), Vec::new());
    for _ in 0..requests {
        board.push(server_ms(http, &board_url, cookie).await?);
        health.push(server_ms(http, &health_url, cookie).await?);
    }
    let (board, healthz) = (percentiles(board), percentiles(health));
    Ok(Board {
        ros_stored,
        open: OPEN,
        requests,
        ratio_p99: board.p99_ms / healthz.p99_ms.max(0.001),
        board,
        healthz,
    })
}
