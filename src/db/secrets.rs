use super::DbConn;
use super::schema::service_secrets::dsl as s;
use diesel::prelude::*;

pub fn find(conn: &mut DbConn, name: &str) -> QueryResult<Option<String>> {
    s::service_secrets
        .filter(s::name.eq(name))
        .select(s::value)
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConn,
    name: &str,
    value: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(s::service_secrets)
        .values((s::name.eq(name), s::value.eq(value), s::created_at.eq(at)))
        .execute(conn)
        .map(drop)
}
