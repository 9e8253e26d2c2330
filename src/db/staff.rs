use super::DbConn;
use super::models::StaffRow;
use super::schema::staff::dsl as s;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{DealershipId, StaffId};
use crate::domain::presence::PresenceState;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn insert(conn: &mut DbConn, row: &StaffRow) -> QueryResult<()> {
    diesel::insert_into(s::staff)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A staff member of this dealership; staff of other dealerships do not exist
/// from here.
pub fn find(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    id: StaffId,
) -> QueryResult<Option<StaffRow>> {
    s::staff
        .filter(s::dealership_id.eq(dealership_id).and(s::id.eq(id)))
        .select(StaffRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_token_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<StaffRow>> {
    s::staff
        .filter(s::token_hash.eq(hash))
        .select(StaffRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_name(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    name: &str,
) -> QueryResult<Option<StaffRow>> {
    s::staff
        .filter(s::dealership_id.eq(dealership_id).and(s::name.eq(name)))
        .select(StaffRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn, dealership_id: DealershipId) -> QueryResult<Vec<StaffRow>> {
    s::staff
        .filter(s::dealership_id.eq(dealership_id))
        .order((s::name.asc(), s::id.asc()))
        .select(StaffRow::as_select())
        .load(conn)
}

/// Names of the given staff, for views; unknown ids are simply absent.
/// (id, name, email) of each: what an RO shows and where its messages reply to.
pub fn contacts(
    conn: &mut DbConn,
    ids: &[StaffId],
) -> QueryResult<Vec<(StaffId, String, Option<EmailAddress>)>> {
    s::staff
        .filter(s::id.eq_any(ids))
        .select((s::id, s::name, s::email))
        .load(conn)
}

pub fn names(conn: &mut DbConn, ids: &[StaffId]) -> QueryResult<Vec<(StaffId, String)>> {
    s::staff
        .filter(s::id.eq_any(ids))
        .select((s::id, s::name))
        .load(conn)
}

/// Writes presence (and when the break ends, while on one).
pub fn set_presence(
    conn: &mut DbConn,
    id: StaffId,
    presence: PresenceState,
    since: NaiveDateTime,
    break_until: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(s::staff.filter(s::id.eq(id)))
        .set((
            s::presence.eq(presence),
            s::presence_since.eq(Some(since)),
            s::break_until.eq(break_until),
        ))
        .execute(conn)
        .map(drop)
}

/// These staff members, if they belong to this dealership.
pub fn find_many(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    ids: &[StaffId],
) -> QueryResult<Vec<StaffRow>> {
    s::staff
        .filter(s::dealership_id.eq(dealership_id).and(s::id.eq_any(ids)))
        .select(StaffRow::as_select())
        .load(conn)
}

/// Takes the row lock on a staff member without changing anything visible
/// (PostgreSQL: the row stays locked to the end of the transaction; SQLite:
/// the whole database already is, by BEGIN IMMEDIATE).
pub fn lock(conn: &mut DbConn, id: StaffId) -> QueryResult<()> {
    diesel::update(s::staff.filter(s::id.eq(id)))
        .set(s::presence.eq(s::presence))
        .execute(conn)
        .map(drop)
}

pub fn set_token_hash(conn: &mut DbConn, id: StaffId, hash: &str) -> QueryResult<()> {
    diesel::update(s::staff.filter(s::id.eq(id)))
        .set(s::token_hash.eq(hash))
        .execute(conn)
        .map(drop)
}

/// A staff member of any dealership (the admin acts across them).
pub fn find_any(conn: &mut DbConn, id: StaffId) -> QueryResult<Option<StaffRow>> {
    s::staff
        .filter(s::id.eq(id))
        .select(StaffRow::as_select())
        .first(conn)
        .optional()
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>);

/// The account that signs in with this email (in any case).
pub fn find_by_email(conn: &mut DbConn, email: &EmailAddress) -> QueryResult<Option<StaffRow>> {
    s::staff
        .filter(lower(s::email).eq(email.as_str().to_lowercase()))
        .select(StaffRow::as_select())
        .first(conn)
        .optional()
}

/// Whether anyone already signs in with this email (in any case).
pub fn email_taken(conn: &mut DbConn, email: &EmailAddress) -> QueryResult<bool> {
    let lowered = email.as_str().to_lowercase();
    diesel::select(diesel::dsl::exists(
        s::staff.filter(lower(s::email).eq(lowered)),
    ))
    .get_result(conn)
}

/// Turns an account on or off (`deactivated_at` set when off).
pub fn set_active(
    conn: &mut DbConn,
    id: StaffId,
    active: bool,
    at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(s::staff.filter(s::id.eq(id)))
        .set((s::active.eq(active), s::deactivated_at.eq(at)))
        .execute(conn)
        .map(drop)
}

pub fn set_password_hash(conn: &mut DbConn, id: StaffId, hash: &str) -> QueryResult<()> {
    diesel::update(s::staff.filter(s::id.eq(id)))
        .set(s::password_hash.eq(Some(hash)))
        .execute(conn)
        .map(drop)
}

/// The active staff member of the dealership with this mobile number, if
/// any: a text from it may answer a colleague's request.
pub fn find_by_phone(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    phone: &crate::domain::phone::PhoneNumber,
) -> QueryResult<Option<StaffRow>> {
    s::staff
        .filter(s::dealership_id.eq(dealership_id))
        .filter(s::phone.eq(Some(phone)).and(s::active.eq(true)))
        .order(s::id.asc())
        .select(StaffRow::as_select())
        .first(conn)
        .optional()
}
