//! Requests between colleagues. Every change is a conditional UPDATE on the
//! request's state, so an answer racing an escalation or a second answer
//! changes the row once and the loser is told.

use super::DbConn;
use super::models::StaffRequestRow;
use super::schema::staff_requests::dsl as q;
use crate::domain::ids::{DealershipId, RequestId, RoId, StaffId};
use crate::domain::request::RequestStatus;
use crate::domain::role::Role;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn insert(conn: &mut DbConn, row: &StaffRequestRow) -> QueryResult<()> {
    diesel::insert_into(q::staff_requests)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    id: RequestId,
) -> QueryResult<Option<StaffRequestRow>> {
    q::staff_requests
        .filter(q::id.eq(id).and(q::dealership_id.eq(dealership_id)))
        .select(StaffRequestRow::as_select())
        .first(conn)
        .optional()
}

/// What a list asks for.
pub struct Filter {
    pub dealership_id: DealershipId,
    /// Only requests this person asked or has (None: all, for a manager).
    pub involving: Option<StaffId>,
    pub status: Option<RequestStatus>,
    pub ro_id: Option<RoId>,
    pub limit: i64,
}

/// Newest first.
pub fn list(conn: &mut DbConn, f: &Filter) -> QueryResult<Vec<StaffRequestRow>> {
    let mut query = q::staff_requests
        .filter(q::dealership_id.eq(f.dealership_id))
        .into_boxed();
    if let Some(me) = f.involving {
        query = query.filter(q::asked_by.eq(me).or(q::routed_to.eq(me)));
    }
    if let Some(status) = f.status {
        query = query.filter(q::status.eq(status));
    }
    if let Some(ro) = f.ro_id {
        query = query.filter(q::ro_id.eq(Some(ro)));
    }
    query
        .order((q::created_at.desc(), q::id.desc()))
        .limit(f.limit)
        .select(StaffRequestRow::as_select())
        .load(conn)
}

/// The oldest open request `staff_id` has: what a text from them answers.
pub fn oldest_open_for(
    conn: &mut DbConn,
    staff_id: StaffId,
) -> QueryResult<Option<StaffRequestRow>> {
    q::staff_requests
        .filter(
            q::routed_to
                .eq(staff_id)
                .and(q::status.eq(RequestStatus::Open)),
        )
        .order((q::created_at.asc(), q::id.asc()))
        .select(StaffRequestRow::as_select())
        .first(conn)
        .optional()
}

/// A text that already answered a request (Twilio retried the webhook).
pub fn answered_by_sid(conn: &mut DbConn, sid: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        q::staff_requests.filter(q::answer_sid.eq(sid)),
    ))
    .get_result(conn)
}

/// The first open blocking request on the RO, if any: it holds the car.
pub fn open_blocking(conn: &mut DbConn, ro_id: RoId) -> QueryResult<Option<StaffRequestRow>> {
    q::staff_requests
        .filter(q::ro_id.eq(Some(ro_id)))
        .filter(q::status.eq(RequestStatus::Open).and(q::blocking.eq(true)))
        .order((q::created_at.asc(), q::id.asc()))
        .select(StaffRequestRow::as_select())
        .first(conn)
        .optional()
}

/// `false` when it was already answered.
pub fn acknowledge(conn: &mut DbConn, id: RequestId, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(q::staff_requests)
        .filter(q::id.eq(id).and(q::status.eq(RequestStatus::Open)))
        .set(q::acknowledged_at.eq(Some(at)))
        .execute(conn)?;
    Ok(n == 1)
}

/// What an answer carries.
pub struct Answer<'a> {
    pub by: StaffId,
    pub text: &'a str,
    pub sid: Option<&'a str>,
    pub at: NaiveDateTime,
}

/// `false` when it was already answered.
pub fn answer(conn: &mut DbConn, id: RequestId, a: &Answer<'_>) -> QueryResult<bool> {
    let n = diesel::update(q::staff_requests)
        .filter(q::id.eq(id).and(q::status.eq(RequestStatus::Open)))
        .set((
            q::status.eq(RequestStatus::Answered),
            q::answered_by.eq(Some(a.by)),
            q::answer.eq(Some(a.text)),
            q::answer_sid.eq(a.sid),
            q::answered_at.eq(Some(a.at)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Passed to someone else: theirs now, not yet acknowledged. `false` when
/// it was answered, or handed on by someone else, meanwhile.
pub fn hand_on(
    conn: &mut DbConn,
    id: RequestId,
    from: StaffId,
    to: StaffId,
    role: Role,
) -> QueryResult<bool> {
    let n = diesel::update(q::staff_requests)
        .filter(q::id.eq(id).and(q::status.eq(RequestStatus::Open)))
        .filter(q::routed_to.eq(from))
        .set((
            q::routed_to.eq(to),
            q::routed_role.eq(role),
            q::waiting.eq(false),
            q::expected_at.eq(None::<NaiveDateTime>),
            q::acknowledged_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// `false` when it was answered or escalated already.
pub fn escalated(conn: &mut DbConn, id: RequestId, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(q::staff_requests)
        .filter(q::id.eq(id).and(q::status.eq(RequestStatus::Open)))
        .filter(q::escalated_at.is_null())
        .set(q::escalated_at.eq(Some(at)))
        .execute(conn)?;
    Ok(n == 1)
}

/// The dealership's requests asked in [from, to), for the report.
pub fn asked_between(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<StaffRequestRow>> {
    q::staff_requests
        .filter(q::dealership_id.eq(dealership_id))
        .filter(q::created_at.ge(from).and(q::created_at.lt(to)))
        .select(StaffRequestRow::as_select())
        .load(conn)
}

/// The role of each open request's holder, across dealerships (/metrics).
pub fn open_roles(conn: &mut DbConn) -> QueryResult<Vec<Role>> {
    q::staff_requests
        .filter(q::status.eq(RequestStatus::Open))
        .select(q::routed_role)
        .load(conn)
}
