use super::DbConn;
use super::models::LineRow;
use super::schema::estimate_lines::dsl as l;
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
    id: &str,
    approval: &str,
    at: NaiveDateTime,
    via: &str,
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

pub fn list_for(conn: &mut DbConn, ro_ids: &[String]) -> QueryResult<Vec<LineRow>> {
    l::estimate_lines
        .filter(l::ro_id.eq_any(ro_ids))
        .order((l::ro_id.asc(), l::position.asc()))
        .select(LineRow::as_select())
        .load(conn)
}
