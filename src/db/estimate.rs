//! The estimate: jobs (approved or declined as a whole) and their lines.

use super::DbConn;
use super::models::{LineRow, RepairJobRow};
use super::schema::estimate_lines::dsl as l;
use super::schema::repair_jobs::dsl as j;
use crate::domain::ids::RoId;
use diesel::prelude::*;

/// A round of the estimate: its jobs, then their lines.
pub fn insert(conn: &mut DbConn, jobs: &[RepairJobRow], lines: &[LineRow]) -> QueryResult<()> {
    for job in jobs {
        diesel::insert_into(j::repair_jobs)
            .values(job)
            .execute(conn)?;
    }
    for line in lines {
        diesel::insert_into(l::estimate_lines)
            .values(line)
            .execute(conn)?;
    }
    Ok(())
}

/// Writes a job's decision: when, by which channel, and from where (the
/// status page records the address and browser).
pub fn set_decision(conn: &mut DbConn, job: &RepairJobRow) -> QueryResult<()> {
    diesel::update(j::repair_jobs.filter(j::id.eq(job.id)))
        .set((
            j::approval.eq(job.approval),
            j::decided_at.eq(job.decided_at),
            j::decided_via.eq(job.decided_via),
            j::decided_ip.eq(&job.decided_ip),
            j::decided_user_agent.eq(&job.decided_user_agent),
        ))
        .execute(conn)
        .map(drop)
}

/// Each job with its lines, in order: (job, line) pairs, one per line, and
/// `(job, None)` for a job without lines. One query for both tables.
pub fn jobs_with_lines(
    conn: &mut DbConn,
    ro_ids: &[RoId],
) -> QueryResult<Vec<(RepairJobRow, Option<LineRow>)>> {
    j::repair_jobs
        .left_join(l::estimate_lines.on(l::job_id.eq(j::id)))
        .filter(j::ro_id.eq_any(ro_ids))
        .order((j::ro_id.asc(), j::position.asc(), l::position.asc()))
        .select((RepairJobRow::as_select(), Option::<LineRow>::as_select()))
        .load(conn)
}
