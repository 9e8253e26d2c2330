use super::DbConn;
use super::models::LineRow;
use super::schema::estimate_lines::dsl as l;
use crate::domain::estimate::{Approval, DecisionChannel};
use crate::domain::ids::{LineId, RoId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn insert_all(conn: &mut DbConn, rows: &[LineRow]) -> QueryResult<()> {
    for row in rows {
        diesel::insert_into(l::estimate_lines)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn set_approval(
    conn: &mut DbConn,
    id: LineId,
    approval: Approval,
    at: NaiveDateTime,
    via: DecisionChannel,
) -> QueryResult<()> {
    diesel::update(l::estimate_lines.filter(l::id.eq(id)))
        .set((
            l::approval.eq(approval),
            l::decided_at.eq(Some(at)),
            l::decided_via.eq(Some(via)),
        ))
        .execute(conn)
        .map(drop)
}

pub fn list_for(conn: &mut DbConn, ro_ids: &[RoId]) -> QueryResult<Vec<LineRow>> {
    l::estimate_lines
        .filter(l::ro_id.eq_any(ro_ids))
        .order((l::ro_id.asc(), l::position.asc()))
        .select(LineRow::as_select())
        .load(conn)
}

/// A decision made on the status page, with where it came from.
pub fn set_public_decision(conn: &mut DbConn, line: &LineRow) -> QueryResult<()> {
    diesel::update(l::estimate_lines.filter(l::id.eq(line.id)))
        .set((
            l::approval.eq(line.approval),
            l::decided_at.eq(line.decided_at),
            l::decided_via.eq(line.decided_via),
            l::decided_ip.eq(&line.decided_ip),
            l::decided_user_agent.eq(&line.decided_user_agent),
        ))
        .execute(conn)
        .map(drop)
}
