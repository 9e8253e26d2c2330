use super::DbConn;
use super::models::PaymentRow;
use super::schema::payments::dsl as p;
use crate::domain::ids::{PaymentId, RoId};
use diesel::prelude::*;

pub fn insert(conn: &mut DbConn, row: &PaymentRow) -> QueryResult<()> {
    diesel::insert_into(p::payments)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn list_for(conn: &mut DbConn, ro_ids: &[RoId]) -> QueryResult<Vec<PaymentRow>> {
    p::payments
        .filter(p::ro_id.eq_any(ro_ids))
        .order((p::recorded_at.asc(), p::id.asc()))
        .select(PaymentRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, id: PaymentId) -> QueryResult<Option<PaymentRow>> {
    p::payments
        .filter(p::id.eq(id))
        .select(PaymentRow::as_select())
        .first(conn)
        .optional()
}
