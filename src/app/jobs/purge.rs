//! The purge: rows that only serve the machinery go when their time is up
//! (idempotency keys after 24 hours, finished jobs and provider callbacks
//! after `retention.*` days, idle desk sessions, old failed sign-ins, and
//! invitations a month past their expiry). Run by the worker every
//! `retention.purge_interval_minutes`; safe on every instance at once.

use crate::app::idempotency::KEY_LIFETIME_HOURS;
use crate::app::time::stored;
use crate::app::{App, AppError};
use crate::db::retention::{Expiring, purge_batch};
use chrono::Duration;

/// Rows deleted per statement.
const BATCH: i64 = 1_000;

impl App {
    /// Deletes what has expired; returns the rows removed per table.
    pub async fn purge_expired(&self) -> Result<Vec<(&'static str, u64)>, AppError> {
        let r = &self.settings.retention;
        let now = self.clock.now();
        let mut removed = Vec::new();
        for what in Expiring::ALL {
            let age = match what {
                Expiring::IdempotencyKeys => Duration::hours(KEY_LIFETIME_HOURS),
                Expiring::FinishedJobs => Duration::days(r.finished_jobs_days),
                Expiring::ProviderCallbacks => Duration::days(r.provider_callbacks_days),
                Expiring::IdleSessions => Duration::hours(self.settings.desk.session_idle_hours),
                Expiring::SignInFailures => {
                    Duration::minutes(self.settings.desk.failed_sign_in_window_minutes)
                }
                // Kept a month past expiry, for "I never got the link".
                Expiring::StaleInvitations => Duration::days(30),
                // Stripe redelivers an event for up to three days; a month
                // of ids keeps every redelivery a replay.
                Expiring::StripeEvents => Duration::days(30),
            };
            let cutoff = stored(now - age);
            let mut total = 0u64;
            loop {
                let n = self
                    .db
                    .run_writing(move |conn| {
                        Ok::<_, AppError>(purge_batch(conn, what, cutoff, BATCH)?)
                    })
                    .await?;
                total += n as u64;
                if (n as i64) < BATCH {
                    break;
                }
            }
            if total > 0 {
                self.outbox.metrics().purged(what.table(), total);
            }
            removed.push((what.table(), total));
        }
        Ok(removed)
    }
}
