//! Work due at a time. Claimed like the outbox, so each job runs once across
//! instances and a crashed runner's job is taken over when its lease ends.
//! A job that fails is put back with a later due time until it runs out of
//! attempts; finished jobs are purged after `retention.finished_jobs_days`.

use super::DbConn;
use super::models::JobRow;
use super::schema::jobs::dsl as j;
use crate::domain::ids::{JobId, RoId};
use crate::domain::job::JobState;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

/// Schedules a job unless one with the same key exists; `false` then.
pub fn schedule(conn: &mut DbConn, row: &JobRow) -> QueryResult<bool> {
    let insert = diesel::insert_into(j::jobs)
        .values(row)
        .on_conflict(j::dedupe_key)
        .do_nothing();
    // ON CONFLICT names its backend: diesel's MultiConnection cannot build it.
    let written = match conn {
        DbConn::Postgres(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(written == 1)
}

/// Claims up to `limit` jobs that are due, or whose runner's lease ran out.
/// The same text serves both stores: each parameter first appears in the
/// order it is bound ($1, $2, $3), which is how SQLite numbers named
/// parameters, so `$n` means the same on both.
pub fn claim(
    conn: &mut DbConn,
    lease_until: NaiveDateTime,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<JobRow>> {
    const SET: &str = "state = 'running', lease_until = $1, attempts = attempts + 1";
    const DUE: &str =
        "(state = 'pending' AND due_at <= $2) OR (state = 'running' AND lease_until < $2)";
    let lock = match conn {
        DbConn::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        // SQLite claims under BEGIN IMMEDIATE: one claimer at a time.
        DbConn::Sqlite(_) => "",
    };
    diesel::sql_query(format!(
        "UPDATE jobs SET {SET} WHERE id IN (\
            SELECT id FROM jobs WHERE {DUE} ORDER BY due_at LIMIT $3 {lock}) \
         RETURNING *"
    ))
    .bind::<Timestamp, _>(lease_until)
    .bind::<Timestamp, _>(now)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// The running job, if still held under the claim that set `lease_until`: a
/// runner whose lease passed must not overwrite its successor.
macro_rules! held {
    ($id:expr, $lease_until:expr) => {
        j::jobs.filter(
            j::id
                .eq($id)
                .and(j::state.eq(JobState::Running))
                .and(j::lease_until.eq($lease_until)),
        )
    };
}

/// Ends a running job as done or failed. `false`: the claim was lost.
pub fn finish(
    conn: &mut DbConn,
    id: JobId,
    lease_until: NaiveDateTime,
    state: JobState,
    error: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(held!(id, lease_until))
        .set((
            j::state.eq(state),
            j::last_error.eq(error),
            j::finished_at.eq(Some(now)),
            j::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Puts a failed running job back, due again at `due_at`.
pub fn retry(
    conn: &mut DbConn,
    id: JobId,
    lease_until: NaiveDateTime,
    due_at: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(held!(id, lease_until))
        .set((
            j::state.eq(JobState::Pending),
            j::due_at.eq(due_at),
            j::last_error.eq(Some(error)),
            j::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Cancels the pending jobs of one kind on an RO (an answered message needs
/// no escalation).
pub fn cancel_pending(
    conn: &mut DbConn,
    ro_id: RoId,
    kind: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        j::jobs.filter(
            j::ro_id
                .eq(ro_id)
                .and(j::kind.eq(kind))
                .and(j::state.eq(JobState::Pending)),
        ),
    )
    .set((
        j::state.eq(JobState::Cancelled),
        j::finished_at.eq(Some(now)),
    ))
    .execute(conn)
}

/// How many jobs are in each state, for /metrics.
pub fn count_by_state(conn: &mut DbConn) -> QueryResult<Vec<(JobState, i64)>> {
    j::jobs
        .group_by(j::state)
        .select((j::state, diesel::dsl::count_star()))
        .load(conn)
}
