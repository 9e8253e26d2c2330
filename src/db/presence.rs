use super::DbConn;
use super::models::PresenceEventRow;
use super::schema::presence_events::dsl as p;
use diesel::prelude::*;

pub fn append(conn: &mut DbConn, row: &PresenceEventRow) -> QueryResult<()> {
    diesel::insert_into(p::presence_events)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn recent(conn: &mut DbConn, staff_id: &str, limit: i64) -> QueryResult<Vec<PresenceEventRow>> {
    p::presence_events
        .filter(p::staff_id.eq(staff_id))
        .order((p::at.desc(), p::id.desc()))
        .limit(limit)
        .select(PresenceEventRow::as_select())
        .load(conn)
}
