//! One connection type over both stores. Diesel's `MultiConnection` derive
//! generates the backend (`MultiBackend`) that the query builder targets, so
//! every query in `db/` is written once and runs on SQLite and PostgreSQL.

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::result::Error as DieselError;
use diesel::sqlite::SqliteConnection;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl DbConn {
    /// Runs `f` in a write transaction, committing on `Ok` and rolling back on
    /// `Err`. SQLite takes the write lock up front (`BEGIN IMMEDIATE`): two
    /// writers that both start by reading would otherwise deadlock on the
    /// upgrade and one would fail with SQLITE_BUSY despite the busy timeout.
    /// PostgreSQL runs READ COMMITTED; the rows whose reads decide a write are
    /// locked or re-checked by the write itself (see `repair_orders::save`).
    pub fn write<T, E>(&mut self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DieselError>,
    {
        match self {
            DbConn::Sqlite(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
            }
            DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
        }
        match f(self) {
            Ok(value) => {
                <DbConn as Connection>::TransactionManager::commit_transaction(self)?;
                Ok(value)
            }
            Err(error) => {
                match <DbConn as Connection>::TransactionManager::rollback_transaction(self) {
                    Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(error),
                    Err(rollback) => Err(rollback.into()),
                }
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Postgres(_) => Backend::Postgres,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}
