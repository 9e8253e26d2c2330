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
