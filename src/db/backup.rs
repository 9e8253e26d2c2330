//! Copies of the store for safekeeping (`handover backup`).

use super::conn::DbConn;
use super::pool::{DatabaseTarget, Db, DbError};
use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use std::path::Path;

/// What `handover backup` does for the store in use.
pub enum BackupPlan<'a> {
    /// SQLite: copied by the service itself.
    Sqlite,
    /// PostgreSQL: pg_dump does it, with this URL.
    PgDump { url: &'a str },
}

impl Db {
    pub fn backup_plan(&self) -> BackupPlan<'_> {
        match self.target() {
            DatabaseTarget::Sqlite { .. } => BackupPlan::Sqlite,
            DatabaseTarget::Postgres { url } => BackupPlan::PgDump { url },
        }
    }

    /// SQLite: a consistent copy of the whole database at `dest` (`VACUUM
    /// INTO` reads one snapshot), safe while the service writes. Blocking.
    pub fn sqlite_backup(&self, dest: &Path) -> Result<(), DbError> {
        let mut conn = self.get()?;
        match &mut **conn {
            DbConn::Sqlite(lite) => diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(dest.to_string_lossy())
                .execute(lite)
                .map(drop)
                .map_err(DbError::from),
            DbConn::Postgres(_) => Err(DbError::Query(diesel::result::Error::QueryBuilderError(
                "a PostgreSQL database is backed up with pg_dump".into(),
            ))),
        }
    }
}
