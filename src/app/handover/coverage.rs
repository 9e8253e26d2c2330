//! When the person who promised to hand a car over will not be there: the car
//! passes to the next candidate who is, or goes back to work_complete and
//! waits, and the customer is told either way — before they make the trip.

use crate::app::handover::candidates::decide;
use crate::app::handover::candidates::passed_over;
use crate::app::jobs::schedule;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, save_and_record};
use crate::app::time::{stored, utc};
use crate::app::{AppError, Ctx};
use crate::db::models::StaffRow;
use crate::db::{self, DbConn};
use crate::domain::event::{CoverageLost, HandoverPassed, RoEvent};
use crate::domain::handover_gate::{HandoverPromise, NobodyToHandOver};
use crate::domain::ids::StaffId;
use crate::domain::lifecycle::{RoStatus, check_transition};
use chrono::{DateTime, Utc};

/// `ro` is now promised by `promise` instead: the customer hears the new name.
pub(crate) fn pass(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &mut RepairOrder,
    promise: &HandoverPromise,
    by: By,
) -> Result<(), AppError> {
    let from = ro.row.handover_staff_id;
    ro.staff_names
        .insert(promise.staff_id, promise.name.clone());
    ro.row.handover_staff_id = Some(promise.staff_id);
    ro.row.handover_until = promise.until.map(stored);
    let event = RoEvent::HandoverPassed(HandoverPassed {
        from_staff_id: from,
        handover_staff_id: promise.staff_id,
        handover_name: promise.name.clone(),
        handover_until: promise.until,
    });
    save_and_record(tx, cx, ro, by, event, None)?;
    schedule_end(tx, cx, ro)
}

/// Nobody can hand `ro` over: back to work_complete, waiting for someone;
/// the customer hears when pickup is next possible.
pub(crate) fn withdraw(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &mut RepairOrder,
    nobody: &NobodyToHandOver,
    by: By,
) -> Result<(), AppError> {
    let from = ro.status();
    check_transition(from, RoStatus::WorkComplete, &ro.facts()?)?;
    let left = ro.row.handover_staff_id;
    ro.set_status(RoStatus::WorkComplete);
    ro.clear_handover();
    ro.row.ready_when_available = true;
    let event = RoEvent::CoverageLost(CoverageLost {
        left,
        ready_when_available: true,
        next_available_at: nobody.next_available_at,
        candidates: passed_over(nobody),
    });
    save_and_record(tx, cx, ro, by, event, Some((from, RoStatus::WorkComplete)))?;
    match nobody.next_available_at {
        Some(next) => schedule::schedule_promotion(tx, cx, ro, next),
        None => Ok(()),
    }
}

/// When a promise has an end, a job at that end passes the car on.
pub(crate) fn schedule_end(tx: &mut DbConn, cx: &Ctx, ro: &RepairOrder) -> Result<(), AppError> {
    match (ro.row.handover_staff_id, ro.row.handover_until) {
        (Some(staff), Some(until)) => {
            schedule::schedule_coverage_end(tx, cx, ro, staff, utc(until))
        }
        _ => Ok(()),
    }
}

/// `staff` stops being there now (clock-out, break, time off). Each ready car
/// they were to hand over passes to the next candidate who is there; if any
/// cannot, the change is refused (409 listing them) unless `force`, in which
/// case those cars go back to work_complete and wait.
pub(crate) fn release_now(
    tx: &mut DbConn,
    cx: &Ctx,
    staff: &StaffRow,
    by: By,
    force: bool,
) -> Result<(), AppError> {
    let mut stuck = Vec::new();
    for row in db::repair_orders::ready_handed_over_by(tx, staff.id)? {
        let mut ro = RepairOrder::from_row(tx, row)?;
        match decide(tx, &ro, cx.now, Some(staff.id))? {
            Ok(promise) => pass(tx, cx, &mut ro, &promise, by)?,
            Err(nobody) => stuck.push((ro, nobody)),
        }
    }
    if stuck.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(AppError::Conflict {
            problem: "handover-coverage",
            detail: format!(
                "{} is to hand over {} ready car(s) that no delegate can take now; leaving would strand those customers. \
                 A manager may force it: the cars then wait for the next person on duty.",
                staff.name,
                stuck.len()
            ),
            extra: Some(serde_json::json!({
                "repair_orders": stuck.iter().map(|(ro, n)| serde_json::json!({
                    "id": ro.row.id, "number": ro.row.number,
                    "candidates": passed_over(n),
                })).collect::<Vec<_>>(),
            })),
        });
    }
    for (mut ro, nobody) in stuck {
        withdraw(tx, cx, &mut ro, &nobody, by)?;
    }
    Ok(())
}

/// `staff` will stop being there at `from` (time off ahead): their ready
/// cars are passed on then, by a job.
pub(crate) fn release_at(
    tx: &mut DbConn,
    cx: &Ctx,
    staff: &StaffRow,
    from: DateTime<Utc>,
) -> Result<(), AppError> {
    for row in db::repair_orders::ready_handed_over_by(tx, staff.id)? {
        if row.handover_until.is_some_and(|u| utc(u) <= from) {
            continue; // their promise ends before the time off starts
        }
        let ro = RepairOrder::from_row(tx, row)?;
        schedule::schedule_coverage_end(tx, cx, &ro, staff.id, from)?;
    }
    Ok(())
}

/// The job at the end of a promise: if `staff` still holds the car, it
/// passes on or goes back to waiting.
pub(crate) fn end_of_coverage(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &mut RepairOrder,
    staff: StaffId,
) -> Result<(), AppError> {
    if ro.status() != RoStatus::ReadyForPickup || ro.row.handover_staff_id != Some(staff) {
        return Ok(());
    }
    match decide(tx, ro, cx.now, Some(staff))? {
        Ok(promise) => pass(tx, cx, ro, &promise, By::System),
        Err(nobody) => withdraw(tx, cx, ro, &nobody, By::System),
    }
}
