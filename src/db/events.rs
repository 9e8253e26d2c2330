//! The RO timeline. Append-only: there is deliberately no update or delete.

use super::DbConn;
use super::models::EventRow;
use super::schema::ro_events::dsl as e;
use diesel::prelude::*;

pub fn append(conn: &mut DbConn, row: &EventRow) -> QueryResult<()> {
    diesel::insert_into(e::ro_events)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Oldest first; ids are UUIDv7 so events in the same instant keep their order.
pub fn list(conn: &mut DbConn, ro_id: &str) -> QueryResult<Vec<EventRow>> {
    e::ro_events
        .filter(e::ro_id.eq(ro_id))
        .order((e::at.asc(), e::id.asc()))
        .select(EventRow::as_select())
        .load(conn)
}
