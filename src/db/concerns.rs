use super::DbConn;
use super::models::ConcernRow;
use super::schema::concerns::dsl as c;
use crate::domain::concern::ConcernOutcome;
use crate::domain::ids::{ConcernId, RoId};
use diesel::prelude::*;

pub fn insert_all(conn: &mut DbConn, rows: &[ConcernRow]) -> QueryResult<()> {
    for row in rows {
        diesel::insert_into(c::concerns).values(row).execute(conn)?;
    }
    Ok(())
}

pub fn set_outcome(
    conn: &mut DbConn,
    id: ConcernId,
    outcome: ConcernOutcome,
    note: &str,
) -> QueryResult<()> {
    diesel::update(c::concerns.filter(c::id.eq(id)))
        .set((c::outcome.eq(Some(outcome)), c::note.eq(Some(note))))
        .execute(conn)
        .map(drop)
}

pub fn list_for(conn: &mut DbConn, ro_ids: &[RoId]) -> QueryResult<Vec<ConcernRow>> {
    c::concerns
        .filter(c::ro_id.eq_any(ro_ids))
        .order((c::ro_id.asc(), c::position.asc()))
        .select(ConcernRow::as_select())
        .load(conn)
}
