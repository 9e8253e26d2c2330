//! Shifts, time off and delegates.

use super::DbConn;
use super::models::{ShiftRow, TimeOffRow};
use super::schema::ro_delegates::dsl as rd;
use super::schema::staff_delegates::dsl as sd;
use super::schema::staff_shifts::dsl as sh;
use super::schema::staff_time_off::dsl as to;
use crate::domain::ids::{RoId, StaffId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Replaces the person's weekly schedule.
pub fn replace_shifts(conn: &mut DbConn, staff_id: StaffId, rows: &[ShiftRow]) -> QueryResult<()> {
    diesel::delete(sh::staff_shifts.filter(sh::staff_id.eq(staff_id))).execute(conn)?;
    for row in rows {
        diesel::insert_into(sh::staff_shifts)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn shifts_for(conn: &mut DbConn, staff_ids: &[StaffId]) -> QueryResult<Vec<ShiftRow>> {
    sh::staff_shifts
        .filter(sh::staff_id.eq_any(staff_ids))
        .order((sh::staff_id.asc(), sh::weekday.asc(), sh::starts.asc()))
        .select(ShiftRow::as_select())
        .load(conn)
}

pub fn add_time_off(conn: &mut DbConn, row: &TimeOffRow) -> QueryResult<()> {
    diesel::insert_into(to::staff_time_off)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Time off that has not ended by `now`.
pub fn time_off_for(
    conn: &mut DbConn,
    staff_ids: &[StaffId],
    now: NaiveDateTime,
) -> QueryResult<Vec<TimeOffRow>> {
    to::staff_time_off
        .filter(to::staff_id.eq_any(staff_ids).and(to::ends_at.gt(now)))
        .order((to::staff_id.asc(), to::starts_at.asc()))
        .select(TimeOffRow::as_select())
        .load(conn)
}

/// Delegates in the order they are asked.
pub fn standing_delegates(conn: &mut DbConn, staff_id: StaffId) -> QueryResult<Vec<StaffId>> {
    sd::staff_delegates
        .filter(sd::staff_id.eq(staff_id))
        .order(sd::position.asc())
        .select(sd::delegate_id)
        .load(conn)
}

pub fn set_standing_delegates(
    conn: &mut DbConn,
    staff_id: StaffId,
    ids: &[StaffId],
) -> QueryResult<()> {
    diesel::delete(sd::staff_delegates.filter(sd::staff_id.eq(staff_id))).execute(conn)?;
    for (i, id) in ids.iter().enumerate() {
        diesel::insert_into(sd::staff_delegates)
            .values((
                sd::staff_id.eq(staff_id),
                sd::position.eq(i as i32),
                sd::delegate_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn ro_delegates(conn: &mut DbConn, ro_id: RoId) -> QueryResult<Vec<StaffId>> {
    rd::ro_delegates
        .filter(rd::ro_id.eq(ro_id))
        .order(rd::position.asc())
        .select(rd::delegate_id)
        .load(conn)
}

pub fn set_ro_delegates(conn: &mut DbConn, ro_id: RoId, ids: &[StaffId]) -> QueryResult<()> {
    diesel::delete(rd::ro_delegates.filter(rd::ro_id.eq(ro_id))).execute(conn)?;
    for (i, id) in ids.iter().enumerate() {
        diesel::insert_into(rd::ro_delegates)
            .values((
                rd::ro_id.eq(ro_id),
                rd::position.eq(i as i32),
                rd::delegate_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}
