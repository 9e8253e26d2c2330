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

/// Writes the settings a dealership may change (everything but its id,
/// zone, country, RO numbering and creation time).
pub fn update_settings(conn: &mut DbConn, row: &DealershipRow) -> QueryResult<()> {
    diesel::update(d::dealerships.filter(d::id.eq(row.id)))
        .set((
            (
                d::name.eq(&row.name),
                d::phone.eq(&row.phone),
                d::sms_from.eq(&row.sms_from),
                d::email_from.eq(&row.email_from),
                d::address.eq(&row.address),
                d::tax_rate_bp.eq(row.tax_rate),
                d::taxable_kinds.eq(row.taxable_kinds),
                d::shop_supplies_bp.eq(row.shop_supplies_bp),
                d::shop_supplies_cap_cents.eq(row.shop_supplies_cap_cents),
            ),
            (
                d::quiet_start.eq(row.quiet_start),
                d::quiet_end.eq(row.quiet_end),
                d::min_handover_minutes.eq(row.min_handover_minutes),
                d::response_target_minutes.eq(row.response_target_minutes),
                d::opening_hours.eq(&row.opening_hours),
                d::glossary.eq(&row.glossary),
            ),
        ))
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
