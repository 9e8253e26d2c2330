use super::DbConn;
use super::models::DealershipRow;
use super::schema::dealerships::dsl as d;
use crate::domain::ids::DealershipId;
use crate::domain::phone::PhoneNumber;
use diesel::prelude::*;

pub fn insert(conn: &mut DbConn, row: &DealershipRow) -> QueryResult<()> {
    diesel::insert_into(d::dealerships)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, id: DealershipId) -> QueryResult<Option<DealershipRow>> {
    d::dealerships
        .filter(d::id.eq(id))
        .select(DealershipRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<DealershipRow>> {
    d::dealerships
        .filter(d::name.eq(name))
        .order(d::created_at.asc())
        .select(DealershipRow::as_select())
        .first(conn)
        .optional()
}

/// Takes the dealership's next RO number. The increment locks the row until
/// the transaction ends, so numbers are unique and gap-free per dealership
/// on both stores (a rolled-back check-in gives its number back).
pub fn take_next_ro_number(conn: &mut DbConn, id: DealershipId) -> QueryResult<i64> {
    diesel::update(d::dealerships.filter(d::id.eq(id)))
        .set(d::next_ro_number.eq(d::next_ro_number + 1))
        .execute(conn)?;
    let next: i64 = d::dealerships
        .filter(d::id.eq(id))
        .select(d::next_ro_number)
        .first(conn)?;
    Ok(next - 1)
}

pub fn find_by_sms_from(
    conn: &mut DbConn,
    number: &PhoneNumber,
) -> QueryResult<Option<DealershipRow>> {
    d::dealerships
        .filter(d::sms_from.eq(number))
        .select(DealershipRow::as_select())
        .first(conn)
        .optional()
}
