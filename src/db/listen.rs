//! NOTIFY/LISTEN between instances on PostgreSQL: a change that writes
//! messages tells every worker at commit, so one that is asleep wakes at
//! once. SQLite has one process, whose worker is woken in memory.

use super::conn::DbConn;
use super::pool::{DatabaseTarget, Db};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::QueryResult;

const CHANNEL: &str = "handover_outbox";

/// Tells every instance's worker that messages were written (delivered when
/// the caller's transaction commits; nothing on SQLite).
pub fn wake_workers(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Postgres(pg) => pg.batch_execute(&format!("NOTIFY {CHANNEL}")),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// A connection of its own that hears [`wake_workers`] from any instance.
pub struct OutboxListener {
    conn: PgConnection,
}

impl OutboxListener {
    /// Whether anything was written since the last call. Never blocks:
    /// diesel reads notifications that have already arrived.
    pub fn woken(&mut self) -> QueryResult<bool> {
        let mut woke = false;
        for notification in self.conn.notifications_iter() {
            notification?;
            woke = true;
        }
        Ok(woke)
    }
}

impl Db {
    /// `None` on SQLite (one process: nothing to hear).
    pub fn listen_for_outbox(&self) -> Option<Result<OutboxListener, String>> {
        match self.target() {
            DatabaseTarget::Postgres { url } => Some(
                PgConnection::establish(url)
                    .map_err(|e| e.to_string())
                    .and_then(|mut conn| {
                        conn.batch_execute(&format!("LISTEN {CHANNEL}"))
                            .map_err(|e| e.to_string())?;
                        Ok(OutboxListener { conn })
                    }),
            ),
            DatabaseTarget::Sqlite { .. } => None,
        }
    }
}
