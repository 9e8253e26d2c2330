//! Storage: the connection type over SQLite and PostgreSQL, the pool, the
//! embedded migrations, and one module of queries per table. Nothing outside
//! `db/` writes SQL.

pub mod accounts;
pub mod availability;
mod backup;
pub mod checkout;
pub mod children;
mod children_json;
pub mod concerns;
mod conn;
pub mod credits;
pub mod customers;
pub mod dealerships;
pub mod estimate;
pub mod events;
pub mod idempotency;
pub mod jobs;
mod listen;
pub mod locked_ro;
pub mod messages;
pub mod models;
pub mod notifications;
pub mod opt_outs;
mod outbox_insert;
pub mod payments;
mod pool;
mod prepared;
pub mod presence;
mod queue;
pub mod repair_orders;
pub mod requests;
pub mod retention;
pub mod schema;
pub mod secrets;
mod sql_types;
pub mod staff;
mod target;
pub mod token_check;

pub use backup::BackupPlan;
pub use conn::{Backend, DbConn};
pub use listen::wake_workers;
pub use pool::{DatabaseTarget, Db, DbError, DbOptions, PooledConn, SqliteSynchronous};
