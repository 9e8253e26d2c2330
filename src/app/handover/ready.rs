//! "Ready" and the handover: where the gate is asked, what a yes writes, and
//! what happens when the person who promised to be there leaves.

use super::coverage;
use crate::app::Ctx;
use crate::app::handover::candidates::{decide, passed_over};
use crate::app::idempotency::Outcome;
use crate::app::jargon::JargonCheck;
use crate::app::jobs::schedule;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, save_and_record};
use crate::app::repair_order::view::RoView;
use crate::app::time::stored;
use crate::app::{Actor, App, AppError, IdempotencyKey, Reply};
use crate::db::models::StaffRow;
use crate::db::{self, DbConn};
use crate::domain::concern::ConcernOutcome;
use crate::domain::event::{ConcernResult, HandoverRecorded, Ready, ReadyWhenAvailable, RoEvent};
use crate::domain::handover_gate::HandoverPromise;
use crate::domain::ids::{ConcernId, RoId};
use crate::domain::lifecycle::{RoStatus, check_transition};
use crate::domain::role::{Permission, Role};
use crate::domain::text;
use crate::domain::validation::Violations;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadyInput {
    /// When nobody can hand the car over now, mark it ready as soon as
    /// someone can instead of refusing.
    #[serde(default)]
    pub when_available: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverInput {
    /// Every concern of the RO, once each.
    pub concerns: Vec<ConcernOutcomeInput>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernOutcomeInput {
    pub id: uuid::Uuid,
    /// fixed, deferred, declined or could_not_reproduce.
    #[schema(example = "fixed")]
    pub outcome: String,
    /// What was done, in plain words the customer will read.
    #[schema(example = "Replaced the front pads; the squeal is gone.")]
    pub note: String,
}

/// Makes the RO ready with `promise` on it, says so on the timeline, and
/// schedules the end of the promise.
pub(crate) fn promote(
    tx: &mut DbConn,
    ro: &mut RepairOrder,
    promise: &HandoverPromise,
    by: By,
    cx: &Ctx,
) -> Result<(), AppError> {
    let from = ro.status();
    check_transition(from, RoStatus::ReadyForPickup, &ro.facts()?)?;
    let staff_id = promise.staff_id;
    ro.staff_names.insert(staff_id, promise.name.clone());
    ro.row.handover_staff_id = Some(staff_id);
    ro.row.handover_until = promise.until.map(stored);
    ro.row.ready_when_available = false;
    ro.set_status(RoStatus::ReadyForPickup);
    let event = RoEvent::Ready(Ready {
        handover_staff_id: staff_id,
        handover_name: promise.name.clone(),
        handover_until: promise.until,
        balance_due_cents: ro.totals()?.balance_due.0,
    });
    save_and_record(
        tx,
        cx,
        ro,
        by,
        event,
        Some((from, RoStatus::ReadyForPickup)),
    )?;
    coverage::schedule_end(tx, cx, ro)
}

fn mark_ready(
    tx: &mut DbConn,
    actor: &Actor,
    id: RoId,
    if_match: Option<i64>,
    input: &ReadyInput,
    cx: &Ctx,
) -> Result<(Outcome, RoView), AppError> {
    let mut ro = RepairOrder::load_for_write(tx, actor, id, if_match)?;
    let from = ro.status();
    check_transition(from, RoStatus::ReadyForPickup, &ro.facts()?)?;
    crate::app::requests::hold(tx, &ro, "ready")?;
    match decide(tx, &ro, cx.now, None)? {
        Ok(promise) => {
            promote(tx, &mut ro, &promise, By::Staff(actor.staff_id), cx)?;
            Ok((Outcome::Done, RoView::build(&ro, &cx.links)?))
        }
        Err(nobody) if input.when_available => {
            if !ro.row.ready_when_available {
                ro.row.ready_when_available = true;
                let event = RoEvent::ReadyWhenAvailable(ReadyWhenAvailable {
                    candidates: passed_over(&nobody),
                    next_available_at: nobody.next_available_at,
                });
                save_and_record(tx, cx, &mut ro, By::Staff(actor.staff_id), event, None)?;
                if let Some(next) = nobody.next_available_at {
                    schedule::schedule_promotion(tx, cx, &ro, next)?;
                }
            }
            Ok((Outcome::Accepted, RoView::build(&ro, &cx.links)?))
        }
        Err(nobody) => Err(AppError::NobodyToHandOver(nobody)),
    }
}

/// Cars waiting for someone to come on duty become ready if `staff` (who
/// just did) can hand them over. Called in the clock-in transaction, so the
/// promise and the presence agree.
pub(crate) fn promote_waiting(
    tx: &mut DbConn,
    staff: &StaffRow,
    cx: &Ctx,
) -> Result<Vec<i64>, AppError> {
    let mut promoted = Vec::new();
    for row in db::repair_orders::waiting_for_handover(tx, staff.dealership_id)? {
        let mut ro = RepairOrder::from_row(tx, row)?;
        if let Ok(promise) = decide(tx, &ro, cx.now, None)? {
            promote(tx, &mut ro, &promise, By::System, cx)?;
            promoted.push(ro.row.number);
        }
    }
    Ok(promoted)
}

fn record_handover(
    tx: &mut DbConn,
    actor: &Actor,
    id: RoId,
    if_match: Option<i64>,
    input: &HandoverInput,
    cx: &Ctx,
) -> Result<RoView, AppError> {
    let now = cx.now;
    let mut ro = RepairOrder::load_for_write(tx, actor, id, if_match)?;
    // Who is asking before what state the car is in: a stranger learns
    // nothing about the RO from the refusal.
    let me = actor.staff_id;
    let is_handover_person = ro.row.handover_staff_id == Some(me);
    if !(is_handover_person || ro.row.advisor_id == me || actor.role == Role::Manager) {
        return Err(AppError::forbidden(
            "only the RO's advisor, its handover person or a manager records the handover",
        ));
    }
    let status = ro.status();
    if status != RoStatus::ReadyForPickup {
        return Err(AppError::conflict(
            "not-ready",
            format!("the handover is recorded once the car is ready_for_pickup; it is {status}"),
        ));
    }
    let mut v = Violations::new();
    let mut outcomes = Vec::new();
    for (i, c) in input.concerns.iter().enumerate() {
        let field = |n: &str| format!("concerns[{i}].{n}");
        let cid = ConcernId::from(c.id);
        if !ro.concerns.iter().any(|k| k.id == cid) {
            v.push(field("id"), "is not a concern of this repair order");
        } else if input.concerns[..i].iter().any(|d| d.id == c.id) {
            v.push(field("id"), "appears twice");
        }
        let outcome = v.check(&field("outcome"), ConcernOutcome::parse(&c.outcome));
        let note = v.check(&field("note"), text::note(&c.note, 1000));
        if let (Some(o), Some(n)) = (outcome, note) {
            outcomes.push((cid, o, n));
        }
    }
    for (i, k) in ro.concerns.iter().enumerate() {
        if !input.concerns.iter().any(|c| ConcernId::from(c.id) == k.id) {
            v.push(
                "concerns",
                format!("concern {} ({:?}) has no outcome", i + 1, k.description),
            );
        }
    }
    v.finish()?;
    for (cid, outcome, note) in &outcomes {
        db::concerns::set_outcome(tx, *cid, *outcome, note)?;
        if let Some(k) = ro.concerns.iter_mut().find(|k| k.id == *cid) {
            k.outcome = Some(*outcome);
            k.note = Some(note.clone());
        }
    }
    ro.row.handover_recorded_at = Some(stored(now));
    ro.row.handover_recorded_by = Some(me);
    let event = RoEvent::HandoverRecorded(HandoverRecorded {
        concerns: outcomes
            .into_iter()
            .map(|(id, outcome, note)| ConcernResult { id, outcome, note })
            .collect(),
    });
    save_and_record(tx, cx, &mut ro, By::Staff(actor.staff_id), event, None)?;
    let mut check = JargonCheck::new(&ro.dealership, ro.customer.language)?;
    for (i, c) in input.concerns.iter().enumerate() {
        check.check(&format!("concerns[{i}].note"), &c.note);
    }
    let mut view = RoView::build(&ro, &cx.links)?;
    view.jargon = check.flags();
    Ok(view)
}

impl App {
    /// The gate. 200 with the RO when someone is there to hand the car over;
    /// 202 when `when_available` queued it; otherwise 409 saying why.
    pub async fn mark_ready(
        &self,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
        input: ReadyInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RoView>, AppError> {
        self.staff_write(actor, Permission::MarkReady, idem, move |tx, who, cx| {
            mark_ready(tx, who, id, if_match, &input, cx)
        })
        .await
    }

    pub async fn record_handover(
        &self,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
        input: HandoverInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RoView>, AppError> {
        self.staff_write(
            actor,
            Permission::RecordHandover,
            idem,
            move |tx, who, cx| {
                Ok((
                    Outcome::Done,
                    record_handover(tx, who, id, if_match, &input, cx)?,
                ))
            },
        )
        .await
    }
}
