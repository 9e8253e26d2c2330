//! Moving work along: status changes, a new promised time, cancelling.

use crate::app::Ctx;
use crate::app::admin::staff::require;
use crate::app::error::present;
use crate::app::idempotency::Outcome;
use crate::app::jargon::JargonCheck;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::check_in::parse_promised_at;
use crate::app::repair_order::timeline::{By, save_and_record};
use crate::app::repair_order::view::RoView;
use crate::app::time::stored;
use crate::app::{Actor, App, AppError, IdempotencyKey, Reply};
use crate::db::DbConn;
use crate::domain::event::{Cancelled, PromisedAtChanged, RoEvent, StatusChanged};
use crate::domain::ids::RoId;
use crate::domain::jargon::JargonFlag;
use crate::domain::lifecycle::{RoStatus, check_transition, parse_work_status};
use crate::domain::role::Permission;
use crate::domain::text;
use crate::domain::validation::Violations;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// in_progress, waiting_parts or work_complete.
    #[schema(example = "in_progress")]
    pub status: String,
    /// For the timeline (waiting for which part, what was found).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromisedAtInput {
    pub promised_at: DateTime<Utc>,
    /// Why, in words the customer will read.
    #[schema(example = "The part arrives tomorrow morning")]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    #[schema(example = "Customer took the car elsewhere")]
    pub reason: String,
}

pub(crate) fn change_status(
    tx: &mut DbConn,
    actor: &Actor,
    id: RoId,
    if_match: Option<i64>,
    input: &StatusInput,
    cx: &Ctx,
) -> Result<RoView, AppError> {
    let mut v = Violations::new();
    let to = v.check("status", parse_work_status(&input.status));
    let note = v.check("note", text::optional_note(input.note.as_deref(), 1000));
    v.finish()?;
    let (to, note) = (present(to)?, present(note)?);
    let note = note.map(|n| crate::domain::card::mask_card_numbers(&n));
    let mut ro = RepairOrder::load_for_write(tx, actor, id, if_match)?;
    let from = ro.status();
    check_transition(from, to, &ro.facts()?)?;
    ro.set_status(to);
    if from == RoStatus::ReadyForPickup {
        // Taking a car back from ready withdraws the handover promise.
        ro.clear_handover();
    }
    let event = RoEvent::StatusChanged(StatusChanged { note });
    save_and_record(
        tx,
        cx,
        &mut ro,
        By::Staff(actor.staff_id),
        event,
        Some((from, to)),
    )?;
    RoView::build(&ro, &cx.links)
}

/// The change, and what the customer will read that staff may want to
/// reword. The view is built after the commit: the RO's lock is not held
/// for it.
fn change_promised_at(
    tx: &mut DbConn,
    actor: &Actor,
    id: RoId,
    if_match: Option<i64>,
    input: &PromisedAtInput,
    cx: &Ctx,
) -> Result<(RepairOrder, Vec<JargonFlag>), AppError> {
    let now = cx.now;
    let mut v = Violations::new();
    let at = v.check("promised_at", parse_promised_at(input.promised_at, now));
    let reason = v.check("reason", text::note(&input.reason, 300));
    v.finish()?;
    let (at, reason) = (present(at)?, present(reason)?);
    let mut ro = RepairOrder::load_for_write(tx, actor, id, if_match)?;
    let status = ro.status();
    if !status.is_open() {
        return Err(AppError::conflict(
            "repair-order-closed",
            format!("the repair order is {status}; its promised time no longer matters"),
        ));
    }
    let before = ro.promised_at();
    if before == at {
        // PUT is idempotent: the same time again changes nothing.
        return Ok((ro, Vec::new()));
    }
    ro.row.promised_at = stored(at);
    let event = RoEvent::PromisedAtChanged(PromisedAtChanged {
        from: before,
        to: at,
        reason,
    });
    save_and_record(tx, cx, &mut ro, By::Staff(actor.staff_id), event, None)?;
    let mut check = JargonCheck::new(&ro.dealership, ro.customer.language)?;
    check.check("reason", &input.reason);
    Ok((ro, check.flags()))
}

fn cancel(
    tx: &mut DbConn,
    actor: &Actor,
    id: RoId,
    if_match: Option<i64>,
    input: &CancelInput,
    cx: &Ctx,
) -> Result<RoView, AppError> {
    let now = cx.now;
    let reason = text::note(&input.reason, 500).map_err(|e| AppError::field("reason", e.0))?;
    let mut ro = RepairOrder::load_for_write(tx, actor, id, if_match)?;
    let from = ro.status();
    check_transition(from, RoStatus::Cancelled, &ro.facts()?)?;
    ro.set_status(RoStatus::Cancelled);
    ro.row.ready_when_available = false;
    ro.row.closed_at = Some(stored(now));
    let paid_cents = ro.totals()?.paid.0;
    let event = RoEvent::Cancelled(Cancelled { reason, paid_cents });
    let transition = Some((from, RoStatus::Cancelled));
    save_and_record(
        tx,
        cx,
        &mut ro,
        By::Staff(actor.staff_id),
        event,
        transition,
    )?;
    RoView::build(&ro, &cx.links)
}

impl App {
    pub async fn change_status(
        &self,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
        input: StatusInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RoView>, AppError> {
        self.staff_write(actor, Permission::MoveWork, idem, move |tx, who, cx| {
            Ok((
                Outcome::Done,
                change_status(tx, who, id, if_match, &input, cx)?,
            ))
        })
        .await
    }

    pub async fn change_promised_at(
        &self,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
        input: PromisedAtInput,
    ) -> Result<RoView, AppError> {
        require(actor, Permission::ChangePromisedTime)?;
        // A PUT: naturally idempotent (the same time twice changes nothing),
        // so no Idempotency-Key bookkeeping.
        let who = actor.clone();
        let cx = self.ctx();
        let links = cx.links.clone();
        let (ro, jargon) = self
            .db
            .write(move |tx| change_promised_at(tx, &who, id, if_match, &input, &cx))
            .await?;
        self.outbox.wake();
        let mut view = RoView::build(&ro, &links)?;
        view.jargon = jargon;
        Ok(view)
    }

    pub async fn cancel(
        &self,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
        input: CancelInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RoView>, AppError> {
        self.staff_write(actor, Permission::Cancel, idem, move |tx, who, cx| {
            Ok((Outcome::Done, cancel(tx, who, id, if_match, &input, cx)?))
        })
        .await
    }
}
