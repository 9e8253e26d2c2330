//! Staff time: weekly schedules, time off, delegates, and the availability
//! endpoint. The rules live in `domain::availability`; the gate in
//! `availability::decide`.

use super::coverage;
use crate::app::admin::staff::{presence_of, require};
use crate::app::error::present;
use crate::app::handover::candidates::{schedules, self_or_manager, zone};
use crate::app::idempotency::Outcome;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline;
use crate::app::repair_order::timeline::{By, record};
use crate::app::time::{stored, utc};
use crate::app::{Actor, App, AppError, Ctx, IdempotencyKey, Reply};
use crate::db::models::{ShiftRow, StaffRow, TimeOffRow};
use crate::db::{self, DbConn};
use crate::domain::availability::{Availability, Schedule};
use crate::domain::dealership::LocalTime;
use crate::domain::event::{DelegatesSet, RoEvent};
use crate::domain::ids::{DealershipId, EventId, RoId, StaffId};
use crate::domain::role::{Permission, Role};
use crate::domain::text;
use crate::domain::validation::Violations;
use crate::domain::weekday::WeekDay;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// Every shift of the week; replaces the schedule. Several a day are fine.
    pub weekly: Vec<ShiftInput>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftInput {
    /// mon … sun
    #[schema(example = "mon")]
    pub weekday: String,
    /// HH:MM in the dealership's zone.
    #[schema(example = "08:00")]
    pub start: String,
    #[schema(example = "17:00")]
    pub end: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOffInput {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    /// A manager may start time off now although ready cars depend on the
    /// person and nobody can take them over.
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakInput {
    /// When the break ends (at most four hours from now).
    pub until: DateTime<Utc>,
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegatesInput {
    /// Advisors or managers of the same dealership, in the order they are asked.
    pub delegate_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleView {
    pub staff_id: Uuid,
    pub weekly: Vec<ShiftView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShiftView {
    pub weekday: String,
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeOffView {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DelegatesView {
    pub delegate_ids: Vec<Uuid>,
}

/// Whether the person can hand a car over from now until `until`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AvailabilityView {
    pub staff_id: Uuid,
    pub name: String,
    pub available: bool,
    /// The end of their time: asked until this.
    pub asked_until: DateTime<Utc>,
    /// When they leave (null: no schedule, so no known end).
    pub until: Option<DateTime<Utc>>,
    /// Why not, in words ("off since 17:00", "on break until 14:30").
    pub reason: Option<String>,
    pub next_available_at: Option<DateTime<Utc>>,
    pub weekly: Vec<ShiftView>,
    pub time_off: Vec<TimeOffView>,
}

fn parse_schedule(input: &ScheduleInput, staff_id: StaffId) -> Result<Vec<ShiftRow>, AppError> {
    let mut v = Violations::new();
    let mut rows: Vec<ShiftRow> = Vec::new();
    if input.weekly.len() > 28 {
        v.push("weekly", "at most 28 shifts a week");
    }
    for (i, s) in input.weekly.iter().enumerate() {
        let f = |n: &str| format!("weekly[{i}].{n}");
        let day = v.check(&f("weekday"), WeekDay::parse(&s.weekday));
        let start = v.check(&f("start"), LocalTime::parse(&s.start));
        let end = v.check(&f("end"), LocalTime::parse(&s.end));
        if let (Some(day), Some(start), Some(end)) = (day, start, end) {
            if end <= start {
                v.push(
                    f("end"),
                    "must be after start (shifts end the day they start)",
                );
                continue;
            }
            if let Some(j) = rows
                .iter()
                .position(|r| r.weekday == day && r.starts < end && start < r.ends)
            {
                v.push(f("start"), format!("overlaps weekly[{j}]"));
                continue;
            }
            rows.push(ShiftRow {
                id: EventId::generate(),
                staff_id,
                weekday: day,
                starts: start,
                ends: end,
            });
        }
    }
    v.finish()?;
    Ok(rows)
}

/// Checks a list of delegates: staff of the dealership who can hand over.
fn parse_delegates(
    tx: &mut DbConn,
    dealership_id: DealershipId,
    owner: Option<StaffId>,
    ids: &[Uuid],
) -> Result<Vec<StaffId>, AppError> {
    let mut v = Violations::new();
    if ids.len() > 5 {
        v.push("delegate_ids", "at most five delegates");
    }
    let wanted: Vec<StaffId> = ids.iter().copied().map(StaffId::from).collect();
    let found = db::staff::find_many(tx, dealership_id, &wanted)?;
    for (i, id) in wanted.iter().enumerate() {
        let field = format!("delegate_ids[{i}]");
        match found.iter().find(|s| s.id == *id) {
            None => v.push(field, "is not a staff member of this dealership"),
            Some(_) if owner == Some(*id) => v.push(field, "cannot be their own delegate"),
            Some(_) if wanted[..i].contains(id) => v.push(field, "appears twice"),
            Some(s) if !s.role.can_hand_over() => v.push(
                field,
                format!(
                    "is a {}: delegates must be able to explain the work (advisor or manager)",
                    s.role
                ),
            ),
            Some(_) => {}
        }
    }
    v.finish()?;
    Ok(wanted)
}

fn staff_row(tx: &mut DbConn, actor: &Actor, id: StaffId) -> Result<StaffRow, AppError> {
    db::staff::find(tx, actor.dealership_id, id)?.ok_or(AppError::NotFound("staff member"))
}

fn shift_view(r: &ShiftRow) -> ShiftView {
    ShiftView {
        weekday: r.weekday.name().to_owned(),
        start: r.starts.to_string(),
        end: r.ends.to_string(),
    }
}

impl App {
    pub async fn set_schedule(
        &self,
        actor: &Actor,
        staff_id: StaffId,
        input: ScheduleInput,
    ) -> Result<ScheduleView, AppError> {
        self_or_manager(actor, staff_id, "set the schedule")?;
        let who = actor.clone();
        self.db
            .write(move |tx| {
                let staff = staff_row(tx, &who, staff_id)?;
                let rows = parse_schedule(&input, staff.id)?;
                db::availability::replace_shifts(tx, staff.id, &rows)?;
                Ok(ScheduleView {
                    staff_id: staff_id.uuid(),
                    weekly: rows.iter().map(shift_view).collect(),
                })
            })
            .await
    }

    pub async fn set_delegates(
        &self,
        actor: &Actor,
        staff_id: StaffId,
        input: DelegatesInput,
    ) -> Result<DelegatesView, AppError> {
        self_or_manager(actor, staff_id, "name delegates")?;
        let who = actor.clone();
        self.db
            .write(move |tx| {
                let staff = staff_row(tx, &who, staff_id)?;
                let ids =
                    parse_delegates(tx, staff.dealership_id, Some(staff.id), &input.delegate_ids)?;
                db::availability::set_standing_delegates(tx, staff.id, &ids)?;
                Ok(DelegatesView {
                    delegate_ids: input.delegate_ids,
                })
            })
            .await
    }

    pub async fn set_ro_delegates(
        &self,
        actor: &Actor,
        ro_id: RoId,
        input: DelegatesInput,
    ) -> Result<DelegatesView, AppError> {
        require(actor, Permission::MarkReady)?;
        let who = actor.clone();
        let cx = self.ctx();
        self.db
            .write(move |tx| {
                let ro = RepairOrder::load_for_write(tx, &who, ro_id, None)?;
                let advisor = Some(ro.row.advisor_id);
                let ids = parse_delegates(tx, ro.dealership.id, advisor, &input.delegate_ids)?;
                db::availability::set_ro_delegates(tx, ro.row.id, &ids)?;
                let event = RoEvent::DelegatesSet(DelegatesSet { delegate_ids: ids });
                record(tx, &cx, &ro, By::Staff(who.staff_id), event, None)?;
                Ok(DelegatesView {
                    delegate_ids: input.delegate_ids,
                })
            })
            .await
    }

    /// Can this person hand a car over from now until `until` (default: the
    /// dealership's minimum handover window)? The same rule as the gate.
    pub async fn availability(
        &self,
        actor: &Actor,
        staff_id: StaffId,
        until: Option<DateTime<Utc>>,
    ) -> Result<AvailabilityView, AppError> {
        let who = actor.clone();
        let now = self.clock.now();
        self.db
            .run(move |conn| {
                let staff = staff_row(conn, &who, staff_id)?;
                let dealership = db::dealerships::find(conn, staff.dealership_id)?
                    .ok_or(AppError::NotFound("dealership"))?;
                let (tz, window) = zone(&dealership);
                let asked_until = until.unwrap_or(now + window);
                if asked_until <= now {
                    return Err(AppError::field("until", "must be in the future"));
                }
                let schedule = schedules(conn, std::slice::from_ref(&staff), now)?
                    .remove(&staff.id)
                    .unwrap_or(Schedule {
                        live: presence_of(&staff).live(),
                        shifts: vec![],
                        leave: vec![],
                    });
                let answer = schedule.availability(now, tz, asked_until - now);
                let shifts = db::availability::shifts_for(conn, &[staff.id])?;
                let leave = db::availability::time_off_for(conn, &[staff.id], stored(now))?;
                let (available, until, reason, next) = match answer {
                    Availability::Available { until } => (true, until, None, None),
                    Availability::Unavailable {
                        reason,
                        next_available_at,
                    } => (false, None, Some(reason), next_available_at),
                };
                Ok(AvailabilityView {
                    staff_id: staff_id.uuid(),
                    name: staff.name.clone(),
                    available,
                    asked_until,
                    until,
                    reason,
                    next_available_at: next,
                    weekly: shifts.iter().map(shift_view).collect(),
                    time_off: leave.iter().map(time_off_view).collect(),
                })
            })
            .await
    }

    /// Time off. Starting now it ends the person's coverage like a clock-out
    /// (ready cars pass to a delegate, or it is refused unless a manager
    /// forces it); starting later, their cars pass on when it starts.
    pub async fn add_time_off(
        &self,
        actor: &Actor,
        staff_id: StaffId,
        input: TimeOffInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<TimeOffView>, AppError> {
        self_or_manager(actor, staff_id, "enter time off")?;
        if input.force && actor.role != Role::Manager {
            return Err(AppError::forbidden(
                "only a manager may force time off on cars that depend on someone",
            ));
        }
        let who = actor.clone();
        self.write_once(actor.scope(), idem, move |tx, cx| {
            let staff = staff_row(tx, &who, staff_id)?;
            db::staff::lock(tx, staff.id)?;
            let view = time_off(tx, cx, &staff, &input)?;
            Ok((Outcome::Created, view))
        })
        .await
    }
}

fn time_off_view(r: &TimeOffRow) -> TimeOffView {
    TimeOffView {
        id: r.id.uuid(),
        staff_id: r.staff_id.uuid(),
        starts_at: utc(r.starts_at),
        ends_at: utc(r.ends_at),
        reason: r.reason.clone(),
    }
}

fn time_off(
    tx: &mut DbConn,
    cx: &Ctx,
    staff: &StaffRow,
    input: &TimeOffInput,
) -> Result<TimeOffView, AppError> {
    let mut v = Violations::new();
    if input.ends_at <= input.starts_at {
        v.push("ends_at", "must be after starts_at");
    } else if input.ends_at <= cx.now {
        v.push("ends_at", "must be in the future");
    } else if input.ends_at - input.starts_at > Duration::days(90) {
        v.push("ends_at", "time off is entered at most 90 days at a time");
    }
    let reason = v.check("reason", text::optional_line(input.reason.as_deref(), 200));
    v.finish()?;
    let reason = present(reason)?;
    let row = TimeOffRow {
        id: EventId::generate(),
        staff_id: staff.id,
        starts_at: stored(input.starts_at.max(cx.now)),
        ends_at: stored(input.ends_at),
        reason,
        created_at: stored(cx.now),
    };
    db::availability::add_time_off(tx, &row)?;
    if input.starts_at <= cx.now {
        // Leaving now: like a clock-out.
        coverage::release_now(tx, cx, staff, timeline::By::System, input.force)?;
    } else {
        coverage::release_at(tx, cx, staff, input.starts_at)?;
    }
    Ok(time_off_view(&row))
}
