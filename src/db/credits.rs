//! Credits on a repair order and the refunds that pay them back. Online
//! refunds are claimed like outbox messages: under a lease, so a worker
//! that dies mid-call leaves the refund to the next one, which sends it
//! again with the same Idempotency-Key.

use super::DbConn;
use super::models::{CreditRow, RefundRow};
use super::schema::credits::dsl as c;
use super::schema::refunds::dsl as r;
use crate::domain::ids::{RefundId, RoId, StaffId};
use crate::domain::payment::RefundState;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn insert(conn: &mut DbConn, credit: &CreditRow, refunds: &[RefundRow]) -> QueryResult<()> {
    diesel::insert_into(c::credits)
        .values(credit)
        .execute(conn)?;
    // One row at a time: diesel's MultiConnection cannot batch an INSERT.
    for refund in refunds {
        diesel::insert_into(r::refunds)
            .values(refund)
            .execute(conn)?;
    }
    Ok(())
}

/// The RO's credits, oldest first.
pub fn for_ro(conn: &mut DbConn, ro_id: RoId) -> QueryResult<Vec<CreditRow>> {
    c::credits
        .filter(c::ro_id.eq(ro_id))
        .order((c::created_at.asc(), c::id.asc()))
        .select(CreditRow::as_select())
        .load(conn)
}

/// The RO's refunds, oldest first.
pub fn refunds_for_ro(conn: &mut DbConn, ro_id: RoId) -> QueryResult<Vec<RefundRow>> {
    r::refunds
        .filter(r::ro_id.eq(ro_id))
        .order((r::created_at.asc(), r::id.asc()))
        .select(RefundRow::as_select())
        .load(conn)
}

pub fn find_refund(conn: &mut DbConn, ro_id: RoId, id: RefundId) -> QueryResult<Option<RefundRow>> {
    r::refunds
        .filter(r::id.eq(id).and(r::ro_id.eq(ro_id)))
        .select(RefundRow::as_select())
        .first(conn)
        .optional()
}

/// Claims up to `limit` online refunds that are due, or whose worker's
/// lease ran out. Each row is taken by a conditional UPDATE, so of two
/// workers reading the same row only one gets it.
pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<RefundRow>> {
    let due = r::state
        .eq(RefundState::Pending)
        .and(r::next_attempt_at.le(now))
        .or(r::state
            .eq(RefundState::Sending)
            .and(r::lease_until.lt(Some(now))));
    let ids: Vec<RefundId> = r::refunds
        .filter(due)
        .order(r::next_attempt_at.asc())
        .limit(limit)
        .select(r::id)
        .load(conn)?;
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        let taken = diesel::update(r::refunds.filter(r::id.eq(id).and(due)))
            .set((
                r::state.eq(RefundState::Sending),
                r::lease_until.eq(Some(lease_until)),
                r::attempts.eq(r::attempts + 1),
            ))
            .execute(conn)?;
        if taken == 1 {
            claimed.push(
                r::refunds
                    .filter(r::id.eq(id))
                    .select(RefundRow::as_select())
                    .first(conn)?,
            );
        }
    }
    Ok(claimed)
}

/// The refund, if still held under the lease it was claimed with: a worker
/// whose lease ran out must not overwrite the one that took over.
macro_rules! held {
    ($id:expr, $lease:expr) => {
        r::refunds.filter(
            r::id
                .eq($id)
                .and(r::state.eq(RefundState::Sending))
                .and(r::lease_until.eq(Some($lease))),
        )
    };
}

/// Stripe refunded it; `false` if the lease was lost meanwhile.
pub fn sent(
    conn: &mut DbConn,
    id: RefundId,
    lease: NaiveDateTime,
    reference: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(held!(id, lease))
        .set((
            r::state.eq(RefundState::Refunded),
            r::lease_until.eq(None::<NaiveDateTime>),
            r::reference.eq(Some(reference)),
            r::refunded_at.eq(Some(at)),
            r::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Tried again at `due`; `false` if the lease was lost meanwhile.
pub fn retry(
    conn: &mut DbConn,
    id: RefundId,
    lease: NaiveDateTime,
    due: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(held!(id, lease))
        .set((
            r::state.eq(RefundState::Pending),
            r::lease_until.eq(None::<NaiveDateTime>),
            r::next_attempt_at.eq(due),
            r::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Stripe will not refund it: the cashier pays it back instead.
pub fn to_cashier(
    conn: &mut DbConn,
    id: RefundId,
    lease: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(held!(id, lease))
        .set((
            r::state.eq(RefundState::WithCashier),
            r::lease_until.eq(None::<NaiveDateTime>),
            r::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The cashier paid it back at the counter.
pub fn confirmed(
    conn: &mut DbConn,
    id: RefundId,
    by: StaffId,
    reference: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n =
        diesel::update(r::refunds.filter(r::id.eq(id).and(r::state.eq(RefundState::WithCashier))))
            .set((
                r::state.eq(RefundState::Refunded),
                r::reference.eq(reference),
                r::refunded_by.eq(Some(by)),
                r::refunded_at.eq(Some(at)),
            ))
            .execute(conn)?;
    Ok(n == 1)
}

/// Refunds the dealership's cashiers still have to hand back, oldest first.
pub fn with_cashier(
    conn: &mut DbConn,
    dealership_id: crate::domain::ids::DealershipId,
) -> QueryResult<Vec<RefundRow>> {
    use super::schema::repair_orders::dsl as ro;
    let ros = ro::repair_orders
        .filter(ro::dealership_id.eq(dealership_id))
        .select(ro::id);
    r::refunds
        .filter(r::state.eq(RefundState::WithCashier))
        .filter(r::ro_id.eq_any(ros))
        .order((r::created_at.asc(), r::id.asc()))
        .select(RefundRow::as_select())
        .load(conn)
}
