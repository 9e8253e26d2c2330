use super::DbConn;
use super::models::CustomerRow;
use super::schema::customers::dsl as c;
use crate::domain::consent::ConsentMethod;
use crate::domain::ids::CustomerId;
use diesel::prelude::*;

pub fn insert(conn: &mut DbConn, row: &CustomerRow) -> QueryResult<()> {
    diesel::insert_into(c::customers)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find_many(conn: &mut DbConn, ids: &[CustomerId]) -> QueryResult<Vec<CustomerRow>> {
    c::customers
        .filter(c::id.eq_any(ids))
        .select(CustomerRow::as_select())
        .load(conn)
}

/// Consent given later (a START text): recorded with when and how.
pub fn record_consent(
    conn: &mut DbConn,
    id: CustomerId,
    method: ConsentMethod,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(c::customers.filter(c::id.eq(id)))
        .set((
            c::sms_consent_at.eq(Some(at)),
            c::sms_consent_method.eq(Some(method)),
        ))
        .execute(conn)
        .map(drop)
}
