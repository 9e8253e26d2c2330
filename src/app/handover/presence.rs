//! Clocking in and out, and breaks. Clocking in can complete a "ready when
//! available"; leaving (clock-out, a break) must not strand a customer who was
//! told someone is there: their cars pass to a delegate who is, or the
//! change is refused unless a manager forces it.

use crate::app::admin::staff::{StaffView, presence_of};
use crate::app::handover::candidates::self_or_manager;
use crate::app::handover::coverage::release_now;
use crate::app::handover::ready::promote_waiting;
use crate::app::idempotency::Outcome;
use crate::app::repair_order::timeline::By;
use crate::app::time::stored;
use crate::app::{Actor, App, AppError, BreakInput, Ctx, IdempotencyKey, Reply};
use crate::db::{self, DbConn, models::PresenceEventRow};
use crate::domain::ids::{EventId, StaffId};
use crate::domain::presence::{PresenceEventKind, PresenceState};
use crate::domain::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockOutInput {
    /// A manager may clock someone out although ready cars depend on them and
    /// no delegate can take them; those cars go back to work_complete and wait.
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy)]
enum Change {
    In,
    Out,
    Break(chrono::DateTime<chrono::Utc>),
}

fn clock(
    tx: &mut DbConn,
    actor: &Actor,
    staff_id: StaffId,
    change: Change,
    force: bool,
    cx: &Ctx,
) -> Result<StaffView, AppError> {
    let now = cx.now;
    let dealership_id = actor.dealership_id;
    // Lock first: a concurrent "ready" naming this person waits, or is waited for.
    db::staff::lock(tx, staff_id)?;
    let mut staff =
        db::staff::find(tx, dealership_id, staff_id)?.ok_or(AppError::NotFound("staff member"))?;
    if !staff.active {
        return Err(AppError::conflict(
            "staff-deactivated",
            format!("{} is deactivated", staff.name),
        ));
    }
    let presence = presence_of(&staff);
    let next = match change {
        Change::In => presence.clock_in(now),
        Change::Out => presence.clock_out(now),
        Change::Break(until) => presence
            .start_break(until, now)
            .map_err(|e| AppError::field("until", e.0))?,
    }
    .map_err(|c| AppError::conflict("presence", c.0))?;
    if force && actor.role != Role::Manager {
        return Err(AppError::forbidden(
            "only a manager may force someone off while cars depend on them",
        ));
    }
    // Write the new presence first, so the gate no longer counts them when
    // their cars are passed on.
    let break_until = next.break_until.map(stored);
    db::staff::set_presence(tx, staff_id, next.state, stored(now), break_until)?;
    staff.presence = next.state;
    staff.presence_since = Some(stored(now));
    staff.break_until = break_until;
    if next.state != PresenceState::OnDuty {
        release_now(tx, cx, &staff, By::Staff(actor.staff_id), force)?;
    }
    db::presence::append(
        tx,
        &PresenceEventRow {
            id: EventId::generate(),
            dealership_id,
            staff_id,
            kind: match change {
                Change::In => PresenceEventKind::ClockIn,
                Change::Out => PresenceEventKind::ClockOut,
                Change::Break(_) => PresenceEventKind::Break,
            },
            at: stored(now),
            recorded_by: actor.staff_id,
            forced: force,
        },
    )?;
    if next.state == PresenceState::OnDuty {
        promote_waiting(tx, &staff, cx)?;
    }
    Ok(StaffView::from_row(&staff))
}

impl App {
    pub async fn clock_in(
        &self,
        actor: &Actor,
        staff_id: StaffId,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<StaffView>, AppError> {
        self.presence_change(actor, staff_id, Change::In, false, idem)
            .await
    }

    pub async fn clock_out(
        &self,
        actor: &Actor,
        staff_id: StaffId,
        input: ClockOutInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<StaffView>, AppError> {
        self.presence_change(actor, staff_id, Change::Out, input.force, idem)
            .await
    }

    /// A break until `until`; back on duty with clock-in.
    pub async fn start_break(
        &self,
        actor: &Actor,
        staff_id: StaffId,
        input: BreakInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<StaffView>, AppError> {
        self.presence_change(
            actor,
            staff_id,
            Change::Break(input.until),
            input.force,
            idem,
        )
        .await
    }

    async fn presence_change(
        &self,
        actor: &Actor,
        staff_id: StaffId,
        change: Change,
        force: bool,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<StaffView>, AppError> {
        self_or_manager(actor, staff_id, "clock in, out or on a break")?;
        let who = actor.clone();
        self.write_once(actor.scope(), idem, move |tx, cx| {
            Ok((Outcome::Done, clock(tx, &who, staff_id, change, force, cx)?))
        })
        .await
    }
}
