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

pub fn jobs_for(conn: &mut DbConn, ro_ids: &[RoId]) -> QueryResult<Vec<RepairJobRow>> {
    j::repair_jobs
        .filter(j::ro_id.eq_any(ro_ids))
        .order((j::ro_id.asc(), j::position.asc()))
        .select(RepairJobRow::as_select())
        .load(conn)
}

pub fn lines_for(conn: &mut DbConn, ro_ids: &[RoId]) -> QueryResult<Vec<LineRow>> {
    l::estimate_lines
        .filter(l::ro_id.eq_any(ro_ids))
        .order((l::ro_id.asc(), l::position.asc()))
        .select(LineRow::as_select())
        .load(conn)
}
