//! When the person who promised to hand a car over will not be there: the car
//! passes to the next candidate who is, or goes back to work_complete and
//! waits, and the customer is told either way — before they make the trip.

use super::availability::decide;
use super::ids::{stored, utc, uuid};
use super::repair_order::RepairOrder;
use super::timeline::{By, record};
use super::{AppError, Ctx};
use crate::db::models::StaffRow;
use crate::db::{self, DbConn};
use crate::domain::handover_gate::{HandoverPromise, NobodyToHandOver};
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
    let from = ro.row.handover_staff_id.clone();
    let staff_id = promise.staff_id.to_string();
    ro.staff_names
        .insert(staff_id.clone(), promise.name.clone());
    ro.row.handover_staff_id = Some(staff_id);
    ro.row.handover_until = promise.until.map(stored);
    ro.save(tx, cx.now)?;
    record(
        tx,
        cx,
        ro,
        by,
        "handover_passed",
        None,
        serde_json::json!({
            "from_staff_id": from, "handover_staff_id": promise.staff_id,
            "handover_name": promise.name, "handover_until": promise.until,
        }),
    )?;
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
    let from = ro.status()?;
    check_transition(from, RoStatus::WorkComplete, &ro.facts())?;
    let left = ro.row.handover_staff_id.clone();
    ro.set_status(RoStatus::WorkComplete);
    ro.clear_handover();
    ro.row.ready_when_available = true;
    ro.save(tx, cx.now)?;
    record(
        tx,
        cx,
        ro,
        by,
        "coverage_lost",
        Some((from, RoStatus::WorkComplete)),
        serde_json::json!({
            "left": left,
            "ready_when_available": true,
            "next_available_at": nobody.next_available_at,
            "candidates": nobody.candidates.iter().map(|c| serde_json::json!({"staff_id": c.staff_id, "name": c.name, "reason": c.reason})).collect::<Vec<_>>(),
        }),
    )?;
    match nobody.next_available_at {
        Some(next) => super::jobs::schedule_promotion(tx, cx, ro, next),
        None => Ok(()),
    }
}

/// When a promise has an end, a job at that end passes the car on.
pub(crate) fn schedule_end(tx: &mut DbConn, cx: &Ctx, ro: &RepairOrder) -> Result<(), AppError> {
    match (&ro.row.handover_staff_id, ro.row.handover_until) {
        (Some(staff), Some(until)) => {
            super::jobs::schedule_coverage_end(tx, cx, ro, staff, utc(until))
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
    for row in db::repair_orders::ready_handed_over_by(tx, &staff.id)? {
        let Some(mut ro) = RepairOrder::load(tx, &staff.dealership_id, uuid(&row.id)?)? else {
            continue;
        };
        match decide(tx, &ro, cx.now, Some(&staff.id))? {
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
                    "candidates": n.candidates.iter().map(|c| serde_json::json!({"staff_id": c.staff_id, "name": c.name, "reason": c.reason})).collect::<Vec<_>>(),
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
    for row in db::repair_orders::ready_handed_over_by(tx, &staff.id)? {
        if row.handover_until.is_some_and(|u| utc(u) <= from) {
            continue; // their promise ends before the time off starts
        }
        let Some(ro) = RepairOrder::load(tx, &staff.dealership_id, uuid(&row.id)?)? else {
            continue;
        };
        super::jobs::schedule_coverage_end(tx, cx, &ro, &staff.id, from)?;
    }
    Ok(())
}

/// The job at the end of a promise: if `staff` still holds the car, it
/// passes on or goes back to waiting.
pub(crate) fn end_of_coverage(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &mut RepairOrder,
    staff: &str,
) -> Result<(), AppError> {
    if ro.status()? != RoStatus::ReadyForPickup
        || ro.row.handover_staff_id.as_deref() != Some(staff)
    {
        return Ok(());
    }
    match decide(tx, ro, cx.now, Some(staff))? {
        Ok(promise) => pass(tx, cx, ro, &promise, By::System),
        Err(nobody) => withdraw(tx, cx, ro, &nobody, By::System),
    }
}

/// The answer to "the customer is here".
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ArrivedView {
    pub repair_order_id: uuid::Uuid,
    /// Who was paged to come to the counter (null: nobody is there).
    pub paged: Option<PagedView>,
    /// Who was passed over, and why.
    pub skipped: Vec<PagedView>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PagedView {
    pub staff_id: uuid::Uuid,
    pub name: String,
    pub reason: Option<String>,
}

/// The cashier says the customer is at the counter: page the handover
/// person, or, if they are no longer there, the next candidate who is.
pub(crate) fn customer_arrived(
    tx: &mut DbConn,
    cx: &Ctx,
    actor: &super::Actor,
    id: uuid::Uuid,
) -> Result<ArrivedView, AppError> {
    let ro = RepairOrder::load_for_write(tx, actor, id, None)?;
    let status = ro.status()?;
    if status != RoStatus::ReadyForPickup {
        return Err(AppError::conflict(
            "not-ready",
            format!("the car is {status}, not ready for pickup: nobody to page"),
        ));
    }
    let (tz, _) = super::availability::zone(&ro.dealership);
    let mut candidates = super::availability::candidates(tx, &ro, cx.now)?;
    // The person who promised comes first.
    if let Some(pos) = candidates
        .iter()
        .position(|c| Some(c.staff_id.to_string()) == ro.row.handover_staff_id)
    {
        let promised = candidates.remove(pos);
        candidates.insert(0, promised);
    }
    let mut skipped = Vec::new();
    let mut paged = None;
    for c in &candidates {
        match c
            .schedule
            .availability(cx.now, tz, chrono::Duration::zero())
        {
            crate::domain::availability::Availability::Available { .. } => {
                paged = Some(PagedView {
                    staff_id: c.staff_id,
                    name: c.name.clone(),
                    reason: None,
                });
                break;
            }
            crate::domain::availability::Availability::Unavailable { reason, .. } => {
                skipped.push(PagedView {
                    staff_id: c.staff_id,
                    name: c.name.clone(),
                    reason: Some(reason),
                })
            }
        }
    }
    record(
        tx,
        cx,
        &ro,
        By::Staff(actor.staff_id),
        "customer_arrived",
        None,
        serde_json::json!({
            "paged": paged.as_ref().map(|p| serde_json::json!({"staff_id": p.staff_id, "name": p.name})),
            "skipped": skipped.iter().map(|s| serde_json::json!({"staff_id": s.staff_id, "name": s.name, "reason": s.reason})).collect::<Vec<_>>(),
        }),
    )?;
    if let Some(p) = &paged
        && let Some(staff) = db::staff::find(tx, &ro.dealership.id, &p.staff_id.to_string())?
    {
        let note = skipped.first().map(|s| {
            format!(
                "{} is not here ({}); please go.",
                s.name,
                s.reason.clone().unwrap_or_default()
            )
        });
        let cause = format!("arrived-{}", super::ids::new_id());
        super::notices::tell_staff(tx, cx, &ro, &cause, &staff, "staff_customer_arrived", |c| {
            c.message = note
        })?;
    }
    Ok(ArrivedView {
        repair_order_id: id,
        paged,
        skipped,
    })
}
