//! The one question schedules, time off, breaks and delegates answer: who
//! can hand this car over, from now until when.

use crate::app::admin::staff::{presence_of, require};
use crate::app::repair_order::RepairOrder;
use crate::app::time::{stored, utc};
use crate::app::{Actor, AppError};
use crate::db::models::{DealershipRow, StaffRow};
use crate::db::{self, DbConn};
use crate::domain::availability::{Leave, Schedule, WeeklyShift};
use crate::domain::event::PassedOver;
use crate::domain::handover_gate::{Candidate, HandoverGate, HandoverPromise, NobodyToHandOver};
use crate::domain::ids::StaffId;
use crate::domain::role::Permission;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// The dealership's zone and its minimum handover window.
pub(crate) fn zone(d: &DealershipRow) -> (chrono_tz::Tz, Duration) {
    (
        d.timezone.0,
        Duration::minutes(i64::from(d.min_handover_minutes)),
    )
}

/// Schedules for the given staff, as the availability rules read them.
pub(crate) fn schedules(
    tx: &mut DbConn,
    staff: &[StaffRow],
    now: DateTime<Utc>,
) -> Result<HashMap<StaffId, Schedule>, AppError> {
    let ids: Vec<StaffId> = staff.iter().map(|s| s.id).collect();
    let mut shifts: HashMap<StaffId, Vec<WeeklyShift>> = HashMap::new();
    for row in db::availability::shifts_for(tx, &ids)? {
        shifts.entry(row.staff_id).or_default().push(WeeklyShift {
            weekday: row.weekday.weekday(),
            start: row.starts.0,
            end: row.ends.0,
        });
    }
    let mut leave: HashMap<StaffId, Vec<Leave>> = HashMap::new();
    for row in db::availability::time_off_for(tx, &ids, stored(now))? {
        leave.entry(row.staff_id).or_default().push(Leave {
            from: utc(row.starts_at),
            to: utc(row.ends_at),
        });
    }
    Ok(staff
        .iter()
        .map(|s| {
            let schedule = Schedule {
                live: presence_of(s).live(),
                shifts: shifts.remove(&s.id).unwrap_or_default(),
                leave: leave.remove(&s.id).unwrap_or_default(),
            };
            (s.id, schedule)
        })
        .collect())
}

/// Who may hand `ro` over, in order: its advisor, then its own delegates
/// or, if it has none, the advisor's standing ones. Their staff rows are
/// locked first, so a clock-out racing this decision waits for it.
pub(crate) fn candidates(
    tx: &mut DbConn,
    ro: &RepairOrder,
    now: DateTime<Utc>,
) -> Result<Vec<Candidate>, AppError> {
    gather(tx, ro, now, true)
}

/// The same candidates without locking anyone: for a screen that shows
/// what a change would do, never for deciding it.
pub(crate) fn peek_candidates(
    tx: &mut DbConn,
    ro: &RepairOrder,
    now: DateTime<Utc>,
) -> Result<Vec<Candidate>, AppError> {
    gather(tx, ro, now, false)
}

fn gather(
    tx: &mut DbConn,
    ro: &RepairOrder,
    now: DateTime<Utc>,
    lock: bool,
) -> Result<Vec<Candidate>, AppError> {
    let mut ids = vec![ro.row.advisor_id];
    let own = db::availability::ro_delegates(tx, ro.row.id)?;
    let delegates = if own.is_empty() {
        db::availability::standing_delegates(tx, ro.row.advisor_id)?
    } else {
        own
    };
    for d in delegates {
        if !ids.contains(&d) {
            ids.push(d);
        }
    }
    // Locks in a fixed order (by id), so two decisions never deadlock.
    let mut sorted = ids.clone();
    sorted.sort();
    for id in sorted.iter().filter(|_| lock) {
        db::staff::lock(tx, *id)?;
    }
    let rows = db::staff::find_many(tx, ro.dealership.id, &ids)?;
    let mut schedules = schedules(tx, &rows, now)?;
    Ok(ids
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.id == *id))
        .filter(|r| r.role.can_hand_over())
        .filter_map(|r| {
            schedules.remove(&r.id).map(|schedule| Candidate {
                staff_id: r.id,
                name: r.name.clone(),
                schedule,
            })
        })
        .collect())
}

/// The gate for `ro` now, optionally without someone who is leaving.
pub(crate) fn decide(
    tx: &mut DbConn,
    ro: &RepairOrder,
    now: DateTime<Utc>,
    without: Option<StaffId>,
) -> Result<Result<HandoverPromise, NobodyToHandOver>, AppError> {
    let (tz, window) = zone(&ro.dealership);
    let candidates: Vec<Candidate> = candidates(tx, ro, now)?
        .into_iter()
        .filter(|c| without != Some(c.staff_id))
        .collect();
    Ok(HandoverGate::decide(&candidates, now, tz, window))
}

/// The first candidate there now for `window` (zero: simply there now).
pub(crate) fn decide_within(
    tx: &mut DbConn,
    ro: &RepairOrder,
    now: DateTime<Utc>,
    window: Duration,
) -> Result<Result<HandoverPromise, NobodyToHandOver>, AppError> {
    let (tz, _) = zone(&ro.dealership);
    let candidates = candidates(tx, ro, now)?;
    Ok(HandoverGate::decide(&candidates, now, tz, window))
}

/// Self, or a manager for anyone at their dealership.
pub(crate) fn self_or_manager(
    actor: &Actor,
    staff_id: StaffId,
    what: &str,
) -> Result<(), AppError> {
    if actor.staff_id == staff_id {
        return Ok(());
    }
    require(actor, Permission::ManageOthersPresence)
        .map_err(|_| AppError::forbidden(format!("only a manager may {what} for someone else")))
}

/// Each candidate the gate passed over, and why, for the timeline.
pub(crate) fn passed_over(nobody: &NobodyToHandOver) -> Vec<PassedOver> {
    nobody
        .candidates
        .iter()
        .map(|c| PassedOver {
            staff_id: c.staff_id,
            name: c.name.clone(),
            reason: c.reason.clone(),
        })
        .collect()
}
