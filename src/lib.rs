//! Handover: repair orders from check-in to pickup.
//!
//! Data flows one way: `http` (thin handlers) → `app` (use cases, one
//! transaction each) → `domain` (pure rules) → `db`. See docs/ARCHITECTURE.md.

pub mod app;
pub mod clock;
pub mod config;
mod db;
pub mod domain;
pub mod http;
pub mod notify;
pub mod payments;
pub mod startup;
pub mod telemetry;
pub mod worker;

/// The store as the binary and the tests reach it: open it, migrate it, and
/// (tests) look underneath. Its queries stay inside the crate.
pub mod store {
    pub use crate::db::{Backend, BackupPlan, Db, DbConn, DbError, PooledConn};
}
