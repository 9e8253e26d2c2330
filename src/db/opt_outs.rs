//! Numbers that said STOP. Kept per dealership: each sends from its own number.

use super::DbConn;
use super::schema::sms_opt_outs::dsl as o;
use crate::domain::ids::DealershipId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn is_opted_out(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    phone: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        o::sms_opt_outs.filter(o::dealership_id.eq(dealership_id).and(o::phone.eq(phone))),
    ))
    .get_result(conn)
}

pub fn opt_out(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    phone: &str,
    keyword: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    if is_opted_out(conn, dealership_id, phone)? {
        return Ok(());
    }
    diesel::insert_into(o::sms_opt_outs)
        .values((
            o::dealership_id.eq(dealership_id),
            o::phone.eq(phone),
            o::opted_out_at.eq(at),
            o::keyword.eq(keyword),
        ))
        .execute(conn)
        .map(drop)
}

pub fn opt_in(conn: &mut DbConn, dealership_id: DealershipId, phone: &str) -> QueryResult<bool> {
    let n = diesel::delete(
        o::sms_opt_outs.filter(o::dealership_id.eq(dealership_id).and(o::phone.eq(phone))),
    )
    .execute(conn)?;
    Ok(n > 0)
}
