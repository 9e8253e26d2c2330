//! Stripe Checkout Sessions made for a repair order, and the Stripe events
//! already handled (each once).

use super::DbConn;
use super::models::CheckoutSessionRow;
use super::schema::checkout_sessions::dsl as c;
use super::schema::stripe_events::dsl as e;
use crate::domain::ids::RoId;
use crate::domain::payment::CheckoutState;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Keeps a session; one already kept (the same idempotent request answered
/// twice) is left as it is.
pub fn insert(conn: &mut DbConn, row: &CheckoutSessionRow) -> QueryResult<()> {
    let insert = diesel::insert_into(c::checkout_sessions)
        .values(row)
        .on_conflict(c::id)
        .do_nothing();
    // ON CONFLICT names its backend: diesel's MultiConnection cannot build it.
    match conn {
        DbConn::Postgres(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(())
}

/// Every session made for the RO, oldest first.
pub fn for_ro(conn: &mut DbConn, ro_id: RoId) -> QueryResult<Vec<CheckoutSessionRow>> {
    c::checkout_sessions
        .filter(c::ro_id.eq(ro_id))
        .order((c::created_at.asc(), c::id.asc()))
        .select(CheckoutSessionRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<CheckoutSessionRow>> {
    c::checkout_sessions
        .filter(c::id.eq(id))
        .select(CheckoutSessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn set_state(conn: &mut DbConn, id: &str, state: CheckoutState) -> QueryResult<()> {
    diesel::update(c::checkout_sessions.filter(c::id.eq(id)))
        .set(c::state.eq(state))
        .execute(conn)
        .map(drop)
}

/// Notes a Stripe event as handled; `false` when it already was (a replay).
pub fn claim_event(
    conn: &mut DbConn,
    id: &str,
    kind: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let insert = diesel::insert_into(e::stripe_events)
        .values((e::id.eq(id), e::kind.eq(kind), e::received_at.eq(at)))
        .on_conflict(e::id)
        .do_nothing();
    let written = match conn {
        DbConn::Postgres(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(written == 1)
}
