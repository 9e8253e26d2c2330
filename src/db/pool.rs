//! Opening the store named by `database.url`, pooling connections, running
//! diesel (which blocks) off the async executor, and the embedded migrations.

use super::conn::{Backend, DbConn};
use super::queue::ConnectionQueue;
pub use super::target::DatabaseTarget;
use super::token_check::{self, Refusal};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, Pool, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::{Duration, Instant};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// SQLite's `synchronous` pragma. FULL survives power loss at every commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    Full,
    Normal,
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    pub pool_size: u32,
    pub connect_timeout: Duration,
    pub sqlite_synchronous: SqliteSynchronous,
    pub sqlite_busy_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("{0}")]
    BadUrl(String),
    #[error("could not open the {backend} database at {target}: {cause}")]
    Open {
        backend: &'static str,
        target: String,
        cause: String,
    },
    #[error("could not migrate the {backend} database at {target}: {cause}")]
    Migrate {
        backend: &'static str,
        target: String,
        cause: String,
    },
}

/// A failure while using an open database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("database task panicked")]
    Panicked,
    #[error("no database connection came free within {} s", .0.as_secs())]
    NoTurn(Duration),
    #[error("{}", .0.message())]
    TokenRefused(super::token_check::Refusal),
}

/// Opens connections of the one backend the target names, configured the
/// same way every time.
#[derive(Debug)]
pub struct Manager {
    target: DatabaseTarget,
    options: DbOptions,
}

impl Manager {
    fn open(&self) -> Result<DbConn, diesel::r2d2::Error> {
        match &self.target {
            DatabaseTarget::Sqlite { path } => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                let sync = match self.options.sqlite_synchronous {
                    SqliteSynchronous::Full => "FULL",
                    SqliteSynchronous::Normal => "NORMAL",
                };
                // busy_timeout first: switching to WAL itself may wait for a lock.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;",
                    self.options.sqlite_busy_timeout.as_millis()
                ))?;
                Ok(DbConn::Sqlite(conn))
            }
            DatabaseTarget::Postgres { url } => Ok(DbConn::Postgres(PgConnection::establish(url)?)),
        }
    }
}

/// A pooled connection and what the pool needs to know to trust it without
/// asking the server each time.
pub struct Checked {
    conn: DbConn,
    returned_at: Instant,
    failed: bool,
}

impl std::ops::Deref for Checked {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Checked {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// A connection back in the pool within this long of its last use is handed
/// out without a `SELECT 1` (HikariCP's rule): under load that test was one
/// round trip in every eight of a status change. A connection whose work
/// failed is pinged on return and dropped if the server is gone, so a
/// PostgreSQL restart costs the requests that were running, not one more per
/// pooled connection.
const TRUSTED_FOR: Duration = Duration::from_millis(500);

impl ManageConnection for Manager {
    type Connection = Checked;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Checked, Self::Error> {
        Ok(Checked {
            conn: self.open()?,
            returned_at: Instant::now(),
            failed: false,
        })
    }

    fn is_valid(&self, c: &mut Checked) -> Result<(), Self::Error> {
        if c.returned_at.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        c.conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, c: &mut Checked) -> bool {
        c.returned_at = Instant::now();
        let failed = std::mem::take(&mut c.failed);
        std::thread::panicking() || c.conn.is_broken() || (failed && c.conn.ping().is_err())
    }
}

/// The pool, cheap to clone. Every use goes through [`Db::run`] or
/// [`Db::write`], which move the blocking diesel call to Tokio's blocking
/// thread pool.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    target: std::sync::Arc<DatabaseTarget>,
    /// SQLite takes one writer at a time. Writers of this process queue
    /// here, first come first served, instead of each taking a connection
    /// and polling on the busy timeout under BEGIN IMMEDIATE (which let a
    /// late writer overtake and left unlucky ones waiting up to a second).
    /// None on PostgreSQL, which locks rows, not the database.
    writer: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
    /// Where work waits for a connection (see `queue`).
    line: ConnectionQueue,
    /// PostgreSQL: asked after work that wrote messages, so the announcer
    /// tells other instances (see `listen`). None on SQLite.
    announcer: Option<std::sync::Arc<tokio::sync::Notify>>,
}

pub type PooledConn = r2d2::PooledConnection<Manager>;

impl Db {
    /// Opens the store, or says which backend failed and why. Blocking: call
    /// it before the server starts, or from `spawn_blocking`.
    pub fn open(url: &str, options: DbOptions) -> Result<Self, DbSetupError> {
        let target = DatabaseTarget::parse(url)?;
        let open_error = |cause: String| DbSetupError::Open {
            backend: target.backend().name(),
            target: target.display(),
            cause,
        };
        if let DatabaseTarget::Sqlite { path } = &target
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| open_error(format!("cannot create {}: {e}", dir.display())))?;
        }
        let manager = Manager {
            target: target.clone(),
            options: options.clone(),
        };
        // One connection first, so the real cause (refused, bad password, no
        // such database, unwritable file) reaches the operator verbatim.
        manager.open().map_err(|e| open_error(e.to_string()))?;
        let pool = Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.connect_timeout)
            .build(manager)
            .map_err(|e| open_error(e.to_string()))?;
        let (writer, announcer) = match target.backend() {
            Backend::Sqlite => (Some(std::sync::Arc::new(tokio::sync::Mutex::new(()))), None),
            Backend::Postgres => (None, Some(std::sync::Arc::new(tokio::sync::Notify::new()))),
        };
        Ok(Self {
            pool,
            backend: target.backend(),
            target: std::sync::Arc::new(target),
            writer,
            line: ConnectionQueue::new(options.pool_size, options.connect_timeout),
            announcer,
        })
    }

    /// PostgreSQL: starts the task that tells other instances' workers,
    /// after each commit that wrote messages, at most once per `spacing`.
    /// Needs a tokio runtime; does nothing on SQLite.
    pub fn start_announcing(&self, spacing: std::time::Duration) {
        if let Some(asked) = &self.announcer {
            tokio::spawn(super::listen::announce(
                self.clone(),
                asked.clone(),
                spacing,
            ));
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with a pooled connection on the blocking thread pool. A
    /// staff token the request recognised from memory is confirmed first, on
    /// the same connection (see `token_check`).
    pub async fn run<T, E>(
        &self,
        f: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.run_confirming(Confirmation::First, f).await
    }

    /// [`Db::run`], with the request's recognised token (if one waits)
    /// confirmed as `when` says.
    async fn run_confirming<T, E>(
        &self,
        when: Confirmation,
        f: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let turn = self.line.turn().await.map_err(E::from)?;
        let pool = self.pool.clone();
        let announcer = self.announcer.clone();
        let token = super::token_check::pending();
        let confirming = token.clone();
        let (confirmed, result) = tokio::task::spawn_blocking(move || {
            // Held by the blocking work, so it ends when the work does.
            let _turn = turn;
            let mut conn = match pool.get() {
                Ok(conn) => conn,
                Err(e) => return (None, Err(E::from(DbError::from(e)))),
            };
            let Some(token) = confirming else {
                return (None, work(&mut conn, announcer.as_deref(), f));
            };
            let announcer = announcer.as_deref();
            match when {
                Confirmation::First => {
                    let verdict = token_check::verdict_of(token_check::confirm(&mut conn, &token));
                    settled(&mut conn, verdict, |conn| work(conn, announcer, f))
                }
                Confirmation::InsideWrite => {
                    let due = token_check::DueScope::new(token);
                    let result = work(&mut conn, announcer, f);
                    let verdict = due.finish(&mut conn);
                    settled(&mut conn, verdict, |_| result)
                }
            }
        })
        .await
        .map_err(|_| E::from(DbError::Panicked))?;
        if let (Some(token), Some(outcome)) = (&token, confirmed) {
            super::token_check::settle(token, outcome);
        }
        result
    }

    /// Confirms the request's recognised token, if one waits (for answers
    /// that never reached the database).
    pub async fn confirm_token(&self) -> Result<(), DbError> {
        if !super::token_check::is_pending() {
            return Ok(());
        }
        self.run(|_| Ok(())).await
    }

    /// Runs `f` in one write transaction (see [`DbConn::write`]), in the
    /// writer queue on SQLite. The request's recognised token is confirmed
    /// inside that transaction: on PostgreSQL by the statement that locks
    /// the RO, when the write locks one (`locked_ro`), else just before
    /// COMMIT; a refused token commits nothing. One round trip fewer than
    /// confirming first.
    pub async fn write<T, E>(
        &self,
        f: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        let turn = self.writer_turn().await;
        self.run_confirming(Confirmation::InsideWrite, move |conn| {
            let _turn = turn;
            conn.write(|tx| {
                let value = f(tx)?;
                super::token_check::before_commit(tx)?;
                Ok(value)
            })
        })
        .await
    }

    /// Runs `f`, which writes (its own transactions), in this process's
    /// writer queue on SQLite; as [`Db::run`] on PostgreSQL. The turn is
    /// held by the blocking task itself, so it ends when `f` does, even if
    /// the caller stopped waiting.
    pub async fn run_writing<T, E>(
        &self,
        f: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let turn = self.writer_turn().await;
        self.run(move |conn| {
            let _turn = turn;
            f(conn)
        })
        .await
    }

    /// SQLite: this process's turn to write; PostgreSQL: none needed.
    async fn writer_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match &self.writer {
            Some(queue) => Some(queue.clone().lock_owned().await),
            None => None,
        }
    }

    /// A connection for blocking code (CLI commands, the migration step).
    pub fn get(&self) -> Result<PooledConn, DbError> {
        Ok(self.pool.get()?)
    }

    /// Applies pending migrations and returns their names. On PostgreSQL an
    /// advisory lock keeps two instances starting together from racing.
    pub fn migrate(&self) -> Result<Vec<String>, DbSetupError> {
        let fail = |cause: String| DbSetupError::Migrate {
            backend: self.backend.name(),
            target: self.target.display(),
            cause,
        };
        let mut conn = self.pool.get().map_err(|e| fail(e.to_string()))?;
        let applied = match &mut **conn {
            DbConn::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.iter().map(ToString::to_string).collect())
                .map_err(|e| fail(e.to_string())),
            DbConn::Postgres(c) => {
                c.batch_execute("SELECT pg_advisory_lock(7207001)")
                    .map_err(|e| fail(e.to_string()))?;
                let result = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.iter().map(ToString::to_string).collect())
                    .map_err(|e| fail(e.to_string()));
                let _ = c.batch_execute("SELECT pg_advisory_unlock(7207001)");
                result
            }
        }?;
        Ok(applied)
    }

    pub(super) fn target(&self) -> &DatabaseTarget {
        &self.target
    }

    /// Whether the store answers and every embedded migration is applied.
    pub async fn readiness(&self) -> Result<(), String> {
        self.run(|conn| {
            let pending = match conn {
                DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
                DbConn::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
            };
            match pending {
                Ok(false) => Ok(()),
                Ok(true) => Err(ReadinessError("migrations are pending".into())),
                Err(e) => Err(ReadinessError(format!("database unreachable: {e}"))),
            }
        })
        .await
        .map_err(|e| e.0)
    }
}

/// When [`Db::run_confirming`] confirms a recognised token.
#[derive(Debug, Clone, Copy)]
enum Confirmation {
    /// Before `f`, with a read of its own.
    First,
    /// Inside `f`'s write transaction (see [`Db::write`]).
    InsideWrite,
}

/// What a request learns once its token's verdict is in: `then`'s answer
/// if the token stands, else the refusal (or the failure to confirm it).
fn settled<T, E: From<DbError>>(
    conn: &mut Checked,
    verdict: Result<Result<(), Refusal>, DbError>,
    then: impl FnOnce(&mut Checked) -> Result<T, E>,
) -> (Option<Result<(), Refusal>>, Result<T, E>) {
    match verdict {
        Ok(Ok(())) => (Some(Ok(())), then(conn)),
        Ok(Err(why)) => (Some(Err(why)), Err(E::from(DbError::TokenRefused(why)))),
        Err(other) => {
            conn.failed = true;
            (None, Err(E::from(other)))
        }
    }
}

/// `f` on the checked-out connection; wakes other instances' workers if it
/// wrote messages (its transactions have committed, or rolled back, and then
/// a spurious wake costs a worker one look).
fn work<T, E>(
    conn: &mut Checked,
    announcer: Option<&tokio::sync::Notify>,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    super::listen::take_messages_written();
    let result = f(&mut conn.conn);
    conn.failed = result.is_err();
    if super::listen::take_messages_written()
        && let Some(announcer) = announcer
    {
        announcer.notify_one();
    }
    result
}

struct ReadinessError(String);

impl From<DbError> for ReadinessError {
    fn from(e: DbError) -> Self {
        Self(format!("database unreachable: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_postgres_names_backend_and_cause() {
        let options = DbOptions {
            pool_size: 1,
            connect_timeout: Duration::from_secs(1),
            sqlite_synchronous: SqliteSynchronous::Full,
            sqlite_busy_timeout: Duration::from_secs(1),
        };
        let Err(err) = Db::open("postgres://nobody:pw@127.0.0.1:1/none", options) else {
            panic!("connected to a closed port")
        };
        let msg = err.to_string();
        assert!(msg.contains("PostgreSQL"), "{msg}");
        assert!(msg.contains("127.0.0.1:1"), "{msg}");
        assert!(!msg.contains("pw@"), "{msg}");
        assert!(msg.to_lowercase().contains("connect"), "{msg}");
    }
}
