//! Desk accounts: invitations to set a password, signed-in sessions, and
//! the failed sign-ins that slow guessing down. Tokens and session ids are
//! stored as their hashes only.

use super::DbConn;
use super::models::{InvitationRow, SessionRow};
use super::schema::desk_sessions::dsl as ds;
use super::schema::sign_in_failures::dsl as f;
use super::schema::staff_invitations::dsl as inv;
use crate::domain::ids::{EventId, StaffId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A new invitation; earlier unused ones for the same person stop working.
pub fn invite(conn: &mut DbConn, row: &InvitationRow) -> QueryResult<()> {
    diesel::update(
        inv::staff_invitations.filter(inv::staff_id.eq(row.staff_id).and(inv::used_at.is_null())),
    )
    .set(inv::used_at.eq(Some(row.created_at)))
    .execute(conn)?;
    diesel::insert_into(inv::staff_invitations)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn invitation(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<InvitationRow>> {
    inv::staff_invitations
        .filter(inv::token_hash.eq(token_hash))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// Marks an invitation taken up; false if it already was (two tabs).
pub fn use_invitation(conn: &mut DbConn, token_hash: &str, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        inv::staff_invitations.filter(inv::token_hash.eq(token_hash).and(inv::used_at.is_null())),
    )
    .set(inv::used_at.eq(Some(at)))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn open_session(conn: &mut DbConn, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(ds::desk_sessions)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn session(conn: &mut DbConn, id_hash: &str) -> QueryResult<Option<SessionRow>> {
    ds::desk_sessions
        .filter(ds::id_hash.eq(id_hash))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn touch_session(conn: &mut DbConn, id_hash: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(ds::desk_sessions.filter(ds::id_hash.eq(id_hash)))
        .set(ds::last_seen_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn close_session(conn: &mut DbConn, id_hash: &str) -> QueryResult<()> {
    diesel::delete(ds::desk_sessions.filter(ds::id_hash.eq(id_hash)))
        .execute(conn)
        .map(drop)
}

/// Ends every session of a person (deactivation, a new password).
pub fn close_sessions_of(conn: &mut DbConn, staff_id: StaffId) -> QueryResult<usize> {
    diesel::delete(ds::desk_sessions.filter(ds::staff_id.eq(staff_id))).execute(conn)
}

pub fn record_failure(conn: &mut DbConn, key: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(f::sign_in_failures)
        .values((
            f::id.eq(EventId::generate().to_string()),
            f::key.eq(key),
            f::at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Failed sign-ins under `key` since `since`, and the oldest of them (when
/// the window frees a slot).
pub fn failures_since(
    conn: &mut DbConn,
    key: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let recent = f::sign_in_failures.filter(f::key.eq(key).and(f::at.gt(since)));
    let count = recent.count().get_result(conn)?;
    let oldest = f::sign_in_failures
        .filter(f::key.eq(key).and(f::at.gt(since)))
        .select(diesel::dsl::min(f::at))
        .first(conn)?;
    Ok((count, oldest))
}

/// Forgets the failures of an account that signed in.
pub fn clear_failures(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::delete(f::sign_in_failures.filter(f::key.eq(key)))
        .execute(conn)
        .map(drop)
}
