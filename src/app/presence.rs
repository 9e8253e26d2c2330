//! Clocking in and out. Clocking in can complete a "ready when available";
//! clocking out must not strand a customer who was told someone is there.

use super::Ctx;
use super::handover::{promote_waiting, withdraw_coverage};
use super::idempotency::OK;
use super::ids::{new_id, stored};
use super::staff::{StaffView, presence_of, require};
use super::timeline::By;
use super::{Actor, App, AppError, IdempotencyKey, Reply};
use crate::db::{self, DbConn, models::PresenceEventRow};
use crate::domain::role::{Permission, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockOutInput {
    /// A manager may clock someone out although ready cars depend on them;
    /// those cars go back to work_complete and wait for the next person.
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clocking {
    In,
    Out { force: bool },
}

/// Self, or a manager for anyone at their dealership.
fn may_clock(actor: &Actor, staff_id: Uuid) -> Result<(), AppError> {
    if actor.staff_id == staff_id {
        return Ok(());
    }
    require(actor, Permission::ManageOthersPresence)
        .map_err(|_| AppError::forbidden("only a manager may clock someone else in or out"))
}

fn clock(
    tx: &mut DbConn,
    actor: &Actor,
    staff_id: Uuid,
    what: Clocking,
    cx: &Ctx,
) -> Result<StaffView, AppError> {
    let now = cx.now;
    let dealership_id = actor.dealership_id.to_string();
    let id = staff_id.to_string();
    // Lock first: a concurrent "ready" naming this person waits, or is waited for.
    db::staff::lock(tx, &id)?;
    let mut staff =
        db::staff::find(tx, &dealership_id, &id)?.ok_or(AppError::NotFound("staff member"))?;
    let presence = presence_of(&staff)?;
    let next = match what {
        Clocking::In => presence.clock_in(now),
        Clocking::Out { .. } => presence.clock_out(now),
    }
    .map_err(|c| AppError::conflict("presence", c.0))?;
    let forced = matches!(what, Clocking::Out { force: true });
    if let Clocking::Out { force } = what {
        let depending = db::repair_orders::ready_handed_over_by(tx, &id)?;
        if !depending.is_empty() {
            if !force {
                return Err(AppError::Conflict {
                    problem: "handover-coverage",
                    detail: format!(
                        "{} is to hand over {} ready car(s); clocking out would leave those customers without anyone. \
                         A manager may force it: the cars then wait for the next person on duty.",
                        staff.name,
                        depending.len()
                    ),
                    extra: Some(serde_json::json!({
                        "repair_orders": depending.iter().map(|r| serde_json::json!({"id": r.id, "number": r.number})).collect::<Vec<_>>(),
                    })),
                });
            }
            if actor.role != Role::Manager {
                return Err(AppError::forbidden("only a manager may force a clock-out"));
            }
            withdraw_coverage(tx, &dealership_id, &id, By::Staff(actor.staff_id), cx)?;
        }
    }
    db::staff::set_presence(tx, &id, next.state.as_str(), stored(now))?;
    db::presence::append(
        tx,
        &PresenceEventRow {
            id: new_id(),
            dealership_id,
            staff_id: id,
            kind: match what {
                Clocking::In => "clock_in",
                Clocking::Out { .. } => "clock_out",
            }
            .into(),
            at: stored(now),
            recorded_by: actor.staff_id.to_string(),
            forced,
        },
    )?;
    staff.presence = next.state.as_str().into();
    staff.presence_since = Some(stored(now));
    if what == Clocking::In {
        promote_waiting(tx, &staff, cx)?;
    }
    StaffView::from_row(&staff)
}

impl App {
    pub async fn clock_in(
        &self,
        actor: &Actor,
        staff_id: Uuid,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<StaffView>, AppError> {
        may_clock(actor, staff_id)?;
        let who = actor.clone();
        self.write_once(actor.scope(), idem, move |tx, cx| {
            Ok((OK, clock(tx, &who, staff_id, Clocking::In, cx)?))
        })
        .await
    }

    pub async fn clock_out(
        &self,
        actor: &Actor,
        staff_id: Uuid,
        input: ClockOutInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<StaffView>, AppError> {
        may_clock(actor, staff_id)?;
        let who = actor.clone();
        let what = Clocking::Out { force: input.force };
        self.write_once(actor.scope(), idem, move |tx, cx| {
            Ok((OK, clock(tx, &who, staff_id, what, cx)?))
        })
        .await
    }
}
