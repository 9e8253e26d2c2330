//! What PostgreSQL ran per change, from `pg_stat_statements` over the same
//! window as the rate: top-level statements only (each one a round trip
//! from the client), their count per change and their mean execution time.
//! Beside CPU per change it says where PostgreSQL's share goes, statement by
//! statement, for the service and for pgbench alike. `BEGIN` and `COMMIT`
//! are left out of the count: pg_stat_statements counts a utility statement
//! sent through the extended protocol (pgbench's `-M prepared`) only once,
//! so theirs would not compare; every change has one of each on both sides.
//! Absent when the cluster does not preload the library (bench/run.sh does).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use serde::Serialize;

/// How many statements to list, heaviest first.
const LISTED: usize = 10;

/// Statements per change, and the heaviest of them.
#[derive(Debug, Clone, Serialize)]
pub struct PerChange {
    /// Changes (or pgbench transactions) in the window.
    pub changes: u64,
    /// Top-level statements per change, besides `BEGIN` and `COMMIT`.
    pub per_change: f64,
    /// Their execution time together, per change, µs.
    pub exec_us_per_change: f64,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    /// The statement's text, whitespace folded, cut to 90 characters.
    pub text: String,
    pub per_change: f64,
    /// Mean execution time of one call, µs (wall time in PostgreSQL).
    pub mean_us: f64,
}

/// A window, opened by resetting the cluster's counters (one thing is
/// measured at a time).
pub struct Window {
    conn: PgConnection,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    calls: i64,
    #[diesel(sql_type = Double)]
    total_exec_time: f64,
    #[diesel(sql_type = Text)]
    query: String,
}

impl Window {
    /// `None` without a URL (SQLite) or without the extension. Blocking:
    /// async callers run it on the blocking pool.
    pub fn open(url: Option<&str>) -> Option<Window> {
        let mut conn = PgConnection::establish(url?).ok()?;
        diesel::sql_query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .execute(&mut conn)
            .ok()?;
        diesel::sql_query("SELECT pg_stat_statements_reset()")
            .execute(&mut conn)
            .ok()?;
        Some(Window { conn })
    }

    /// What ran in this database since `open`, per change of the
    /// `changes` made meanwhile. Blocking, like `open`.
    pub fn close(mut self, changes: u64) -> Option<PerChange> {
        let rows: Vec<Row> = diesel::sql_query(
            "SELECT calls, total_exec_time, query FROM pg_stat_statements \
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
               AND query NOT LIKE '%pg_stat_statements%' \
               AND upper(query) NOT IN ('BEGIN', 'COMMIT', 'END') \
             ORDER BY total_exec_time DESC",
        )
        .load(&mut self.conn)
        .ok()?;
        if changes == 0 {
            return None;
        }
        let per = |n: f64| n / changes as f64;
        let calls: i64 = rows.iter().map(|r| r.calls).sum();
        let exec_ms: f64 = rows.iter().map(|r| r.total_exec_time).sum();
        let statements = rows
            .iter()
            .take(LISTED)
            .map(|r| Statement {
                text: folded(&r.query),
                per_change: per(r.calls as f64),
                mean_us: r.total_exec_time * 1000.0 / r.calls.max(1) as f64,
            })
            .collect();
        Some(PerChange {
            changes,
            per_change: per(calls as f64),
            exec_us_per_change: per(exec_ms * 1000.0),
            statements,
        })
    }
}

fn folded(query: &str) -> String {
    query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(90)
        .collect()
}
