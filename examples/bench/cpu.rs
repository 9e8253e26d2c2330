//! CPU time, read from /proc: the service, the throwaway PostgreSQL cluster
//! and this process (the load generator, or the SQLite loop). On 2 cores
//! shared by all three, throughput ratios move with whatever else the
//! machine runs; CPU per change moves far less, and says who spends it.

use serde::Serialize;

/// Linux reports process times in USER_HZ ticks, 100 a second on every
/// architecture Linux supports (`sysconf(_SC_CLK_TCK)`).
const TICK_MS: f64 = 10.0;

/// utime + stime of one process, and cutime + cstime (its reaped children).
fn times(pid: &str) -> Option<(u64, u64, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may itself hold spaces.
    let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let field = |i: usize| rest.get(i).and_then(|v| v.parse::<u64>().ok());
    let ppid = rest.get(1).and_then(|v| v.parse::<u32>().ok())?;
    Some((field(11)? + field(12)?, field(13)? + field(14)?, ppid))
}

/// The postmaster's pid, read from the data directory.
fn postmaster(pg_data: &str) -> Option<u32> {
    let pid = std::fs::read_to_string(format!("{pg_data}/postmaster.pid")).ok()?;
    pid.lines()
        .next()
        .and_then(|l| l.trim().parse::<u32>().ok())
}

/// Every process whose parent is `parent`, with its own ticks.
fn children_of(parent: u32) -> impl Iterator<Item = u64> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|name| times(&name))
        .filter(move |(_, _, ppid)| *ppid == parent)
        .map(|(t, _, _)| t)
}

/// How many processes the cluster runs now (postmaster's children).
pub fn cluster_processes(pg_data: &str) -> usize {
    postmaster(pg_data).map_or(0, |pm| children_of(pm).count())
}

/// Waits (up to 3 s) until the cluster is back to `count` processes: a
/// client's sessions end after it exits, and a backend reaped between
/// reading the postmaster's reaped time and listing its children would be
/// missed by [`sample`] (pgbench's CPU once read 0.18 ms a transaction).
pub fn wait_for_sessions_to_end(pg_data: &str, count: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while cluster_processes(pg_data) > count && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The whole cluster: the postmaster, its children alive now, and those it
/// has reaped (a backend's time moves into the postmaster's cutime when the
/// connection ends, so pgbench's finished sessions are counted too).
fn postgres_ticks(pg_data: &str) -> u64 {
    let Some(pm) = postmaster(pg_data) else {
        return 0;
    };
    let Some((own, reaped, _)) = times(&pm.to_string()) else {
        return 0;
    };
    own + reaped + children_of(pm).sum::<u64>()
}

/// Ticks spent so far by each party.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    service: u64,
    postgres: u64,
    this_process: u64,
    this_processs_children: u64,
}

/// Whose CPU to read besides this process's: the service's process and the
/// PostgreSQL cluster in a data directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct Watch<'a> {
    pub service: Option<u32>,
    pub pg_data: Option<&'a str>,
    /// The database whose statements are counted (`statements.rs`).
    pub pg_url: Option<&'a str>,
}

pub fn sample(watch: Watch) -> Sample {
    let own = times("self").unwrap_or_default();
    Sample {
        service: watch
            .service
            .and_then(|pid| times(&pid.to_string()))
            .map_or(0, |t| t.0),
        postgres: watch.pg_data.map_or(0, postgres_ticks),
        this_process: own.0,
        this_processs_children: own.1,
    }
}

/// Milliseconds of CPU per change (or per baseline transaction).
#[derive(Debug, Clone, Serialize)]
pub struct PerChange {
    pub service_ms: f64,
    pub postgres_ms: f64,
    /// The load generator, pgbench, or the SQLite loop's threads.
    pub client_ms: f64,
    pub total_ms: f64,
}

impl Sample {
    /// What each party spent between `self` and `later`, per change.
    pub fn per_change(&self, later: &Sample, changes: u64) -> Option<PerChange> {
        if changes == 0 {
            return None;
        }
        let per = |a: u64, b: u64| b.saturating_sub(a) as f64 * TICK_MS / changes as f64;
        let service_ms = per(self.service, later.service);
        let postgres_ms = per(self.postgres, later.postgres);
        let client_ms = per(self.this_process, later.this_process)
            + per(self.this_processs_children, later.this_processs_children);
        Some(PerChange {
            service_ms,
            postgres_ms,
            client_ms,
            total_ms: service_ms + postgres_ms + client_ms,
        })
    }
}
