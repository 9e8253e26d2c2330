//! Work due at a time. Claimed like the outbox, so each job runs once across
//! instances and a crashed runner's job is taken over when its lease ends.

use super::DbConn;
use super::models::JobRow;
use super::schema::jobs::dsl as j;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

/// Schedules a job unless one with the same key exists.
pub fn schedule(conn: &mut DbConn, row: &JobRow) -> QueryResult<bool> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        j::jobs.filter(j::dedupe_key.eq(&row.dedupe_key)),
    ))
    .get_result(conn)?;
    if exists {
        return Ok(false);
    }
    diesel::insert_into(j::jobs).values(row).execute(conn)?;
    Ok(true)
}

pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<JobRow>> {
    const SET: &str = "state = 'running', lease_until = $2, attempts = attempts + 1";
    const DUE: &str =
        "(state = 'pending' AND due_at <= $1) OR (state = 'running' AND lease_until < $1)";
    match conn {
        DbConn::Postgres(pg) => diesel::sql_query(format!(
            "UPDATE jobs SET {SET} WHERE id IN (\
                SELECT id FROM jobs WHERE {DUE} ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING *"
        ))
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(lease_until)
        .bind::<BigInt, _>(limit)
        .load(pg),
        DbConn::Sqlite(lite) => diesel::sql_query(
            format!(
                "UPDATE jobs SET {SET} WHERE id IN (\
                    SELECT id FROM jobs WHERE {DUE} ORDER BY due_at LIMIT $3) RETURNING *"
            )
            .replace('$', "?"),
        )
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(lease_until)
        .bind::<BigInt, _>(limit)
        .load(lite),
    }
}

/// Ends a running job held under `lease_until`.
pub fn finish(
    conn: &mut DbConn,
    id: &str,
    lease_until: NaiveDateTime,
    state: &str,
    error: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        j::jobs.filter(
            j::id
                .eq(id)
                .and(j::state.eq("running"))
                .and(j::lease_until.eq(lease_until)),
        ),
    )
    .set((
        j::state.eq(state),
        j::last_error.eq(error),
        j::finished_at.eq(Some(now)),
        j::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Puts a failed job back for a later try.
pub fn retry(conn: &mut DbConn, id: &str, due_at: NaiveDateTime, error: &str) -> QueryResult<()> {
    diesel::update(j::jobs.filter(j::id.eq(id)))
        .set((
            j::state.eq("pending"),
            j::due_at.eq(due_at),
            j::last_error.eq(Some(error)),
            j::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(drop)
}

pub fn cancel_pending(
    conn: &mut DbConn,
    ro_id: &str,
    kind: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        j::jobs.filter(
            j::ro_id
                .eq(ro_id)
                .and(j::kind.eq(kind))
                .and(j::state.eq("pending")),
        ),
    )
    .set((j::state.eq("cancelled"), j::finished_at.eq(Some(now))))
    .execute(conn)
}

pub fn next_due(conn: &mut DbConn) -> QueryResult<Option<NaiveDateTime>> {
    j::jobs
        .filter(j::state.eq("pending"))
        .select(diesel::dsl::min(j::due_at))
        .first(conn)
}
