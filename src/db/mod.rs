//! Storage: the connection type over SQLite and PostgreSQL, the pool, the
//! embedded migrations, and one module of queries per table. Nothing outside
//! `db/` writes SQL.

pub mod availability;
pub mod concerns;
mod conn;
pub mod customers;
pub mod dealerships;
pub mod events;
pub mod idempotency;
pub mod jobs;
pub mod lines;
pub mod messages;
pub mod models;
pub mod notifications;
pub mod opt_outs;
pub mod payments;
mod pool;
pub mod presence;
pub mod repair_orders;
pub mod schema;
pub mod secrets;
pub mod staff;

pub use conn::{Backend, DbConn};
pub use pool::{
    DatabaseTarget, Db, DbError, DbOptions, DbSetupError, PooledConn, SqliteSynchronous,
};

/// UUIDs are stored as text (the portable type across both stores).
pub fn id_text(id: uuid::Uuid) -> String {
    id.to_string()
}

/// Reads back a UUID this service stored. A malformed one means the row was
/// written by something else; it is reported, not trusted.
pub fn parse_id(text: &str) -> diesel::QueryResult<uuid::Uuid> {
    uuid::Uuid::parse_str(text).map_err(|e| {
        diesel::result::Error::DeserializationError(format!("stored id {text:?}: {e}").into())
    })
}
