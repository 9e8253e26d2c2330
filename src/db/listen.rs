//! NOTIFY/LISTEN between instances on PostgreSQL: a change that writes
//! messages tells every worker once it has committed, so one that is asleep
//! wakes at once. SQLite has one process, whose worker is woken in memory.
//!
//! The NOTIFY is not sent inside the change's transaction: PostgreSQL
//! serializes the commits of transactions that NOTIFY (one lock on the
//! notification queue, held through the commit's WAL flush), which made
//! every status change wait for every other. Instead the change marks its
//! thread ([`wake_workers`]), [`Db::run`] hands the mark to the announcer
//! after the work is done, and one task sends a NOTIFY of its own, at most
//! once per `worker.listen_poll_ms` (listeners look no more often).

use super::conn::DbConn;
use super::pool::{DatabaseTarget, Db, DbError};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::QueryResult;
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const CHANNEL: &str = "handover_outbox";

thread_local! {
    /// Set by [`wake_workers`] on the thread running a [`Db::run`] closure.
    static MESSAGES_WRITTEN: Cell<bool> = const { Cell::new(false) };
}

/// Tells every instance's worker that messages were written, once the
/// caller's work is done (nothing on SQLite).
pub fn wake_workers(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Postgres(_) = conn {
        MESSAGES_WRITTEN.set(true);
    }
    Ok(())
}

/// Whether this thread's work wrote messages since the last call.
pub(super) fn take_messages_written() -> bool {
    MESSAGES_WRITTEN.replace(false)
}

/// Sends the NOTIFYs [`wake_workers`] asked for, after the writes that asked
/// committed, coalesced: many changes in one `spacing` make one NOTIFY.
pub(super) async fn announce(db: Db, asked: Arc<Notify>, spacing: Duration) {
    loop {
        asked.notified().await;
        let sent = db
            .run(|conn| match conn {
                DbConn::Postgres(pg) => pg
                    .batch_execute(&format!("NOTIFY {CHANNEL}"))
                    .map_err(DbError::from),
                DbConn::Sqlite(_) => Ok(()),
            })
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "NOTIFY to other instances failed; their workers will find the messages at their next poll");
        }
        tokio::time::sleep(spacing).await;
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
