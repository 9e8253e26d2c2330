//! The conversation with customers.

use super::DbConn;
use super::models::MessageRow;
use super::schema::messages::dsl as m;
use crate::domain::ids::{MessageId, RoId};
use crate::domain::message::Direction;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn insert(conn: &mut DbConn, row: &MessageRow) -> QueryResult<()> {
    diesel::insert_into(m::messages)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, id: MessageId) -> QueryResult<Option<MessageRow>> {
    m::messages
        .filter(m::id.eq(id))
        .select(MessageRow::as_select())
        .first(conn)
        .optional()
}

pub fn exists_with_provider_id(conn: &mut DbConn, provider_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        m::messages.filter(m::provider_id.eq(provider_id)),
    ))
    .get_result(conn)
}

pub fn list_for_ro(conn: &mut DbConn, ro_id: RoId) -> QueryResult<Vec<MessageRow>> {
    m::messages
        .filter(m::ro_id.eq(ro_id))
        .order((m::at.asc(), m::id.asc()))
        .select(MessageRow::as_select())
        .load(conn)
}

/// The last time the customer wrote in about this RO.
pub fn last_inbound_at(conn: &mut DbConn, ro_id: RoId) -> QueryResult<Option<NaiveDateTime>> {
    m::messages
        .filter(m::ro_id.eq(ro_id).and(m::direction.eq(Direction::Inbound)))
        .select(diesel::dsl::max(m::at))
        .first(conn)
}

/// A staff reply answers every inbound message still waiting on the RO.
pub fn mark_answered(conn: &mut DbConn, ro_id: RoId, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        m::messages.filter(
            m::ro_id
                .eq(ro_id)
                .and(m::direction.eq(Direction::Inbound))
                .and(m::answered_at.is_null()),
        ),
    )
    .set(m::answered_at.eq(Some(at)))
    .execute(conn)
}

pub fn mark_escalated(conn: &mut DbConn, id: MessageId, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(m::messages.filter(m::id.eq(id)))
        .set(m::escalated_at.eq(Some(at)))
        .execute(conn)
        .map(drop)
}

/// Customer messages not yet answered on these ROs: (RO, when written).
pub fn unanswered_for(
    conn: &mut DbConn,
    ro_ids: &[RoId],
) -> QueryResult<Vec<(RoId, NaiveDateTime)>> {
    m::messages
        .filter(
            m::direction
                .eq(Direction::Inbound)
                .and(m::answered_at.is_null()),
        )
        .filter(m::ro_id.eq_any(ro_ids))
        .select((m::ro_id.assume_not_null(), m::at))
        .order(m::at.asc())
        .load(conn)
}
