use super::DbConn;
use super::models::IdempotencyRow;
use super::schema::idempotency_keys::dsl as k;
use diesel::prelude::*;

pub fn find(conn: &mut DbConn, scope: &str, key: &str) -> QueryResult<Option<IdempotencyRow>> {
    k::idempotency_keys
        .filter(k::scope.eq(scope).and(k::key.eq(key)))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConn, row: &IdempotencyRow) -> QueryResult<()> {
    diesel::insert_into(k::idempotency_keys)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut DbConn, scope: &str, key: &str) -> QueryResult<()> {
    diesel::delete(k::idempotency_keys.filter(k::scope.eq(scope).and(k::key.eq(key))))
        .execute(conn)
        .map(drop)
}

/// Stores the response of the request that claimed the key.
pub fn complete(
    conn: &mut DbConn,
    scope: &str,
    key: &str,
    status: i32,
    body: &str,
) -> QueryResult<()> {
    diesel::update(k::idempotency_keys.filter(k::scope.eq(scope).and(k::key.eq(key))))
        .set((k::status.eq(status), k::body.eq(body)))
        .execute(conn)
        .map(drop)
}
