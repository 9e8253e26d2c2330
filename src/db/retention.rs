//! Removing rows that have outlived their purpose (docs/ARCHITECTURE.md
//! lists every table's lifetime). Deletes go in small batches, each its own
//! statement, so a purge never holds a long lock on a busy table.

use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

/// A table with rows that expire, and the column that says when they began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiring {
    /// Idempotency keys with their stored answers (`created_at`).
    IdempotencyKeys,
    /// Jobs that are done, cancelled or failed (`finished_at`).
    FinishedJobs,
    /// Delivery-status callbacks from the provider (`received_at`).
    ProviderCallbacks,
    /// Desk sessions idle past their timeout (`last_seen_at`).
    IdleSessions,
    /// Failed sign-ins older than the counting window (`at`).
    SignInFailures,
    /// Invitations used or run out a while ago (`expires_at`).
    StaleInvitations,
    /// Stripe event ids already handled (`received_at`).
    StripeEvents,
}

impl Expiring {
    pub const ALL: [Expiring; 7] = [
        Expiring::IdempotencyKeys,
        Expiring::FinishedJobs,
        Expiring::ProviderCallbacks,
        Expiring::IdleSessions,
        Expiring::SignInFailures,
        Expiring::StaleInvitations,
        Expiring::StripeEvents,
    ];

    pub fn table(self) -> &'static str {
        match self {
            Expiring::IdempotencyKeys => "idempotency_keys",
            Expiring::FinishedJobs => "jobs",
            Expiring::ProviderCallbacks => "provider_callbacks",
            Expiring::IdleSessions => "desk_sessions",
            Expiring::SignInFailures => "sign_in_failures",
            Expiring::StaleInvitations => "staff_invitations",
            Expiring::StripeEvents => "stripe_events",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Expiring::IdempotencyKeys => "created_at",
            Expiring::FinishedJobs => "finished_at",
            Expiring::ProviderCallbacks => "received_at",
            Expiring::IdleSessions => "last_seen_at",
            Expiring::SignInFailures => "at",
            Expiring::StaleInvitations => "expires_at",
            Expiring::StripeEvents => "received_at",
        }
    }
}

/// Deletes up to `batch` rows of `what` that began before `cutoff`; returns
/// how many went. (`$1` then `$2`: both stores number them alike.)
pub fn purge_batch(
    conn: &mut DbConn,
    what: Expiring,
    cutoff: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let row = match conn {
        DbConn::Postgres(_) => "ctid",
        DbConn::Sqlite(_) => "rowid",
    };
    let (table, column) = (what.table(), what.column());
    diesel::sql_query(format!(
        "DELETE FROM {table} WHERE {row} IN \
         (SELECT {row} FROM {table} WHERE {column} < $1 LIMIT $2)"
    ))
    .bind::<Timestamp, _>(cutoff)
    .bind::<BigInt, _>(batch)
    .execute(conn)
}
