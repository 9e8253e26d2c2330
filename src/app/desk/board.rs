//! The desk's board: the open repair orders by stage with their promise at
//! a glance, who is on duty until when, and what my leaving would do.

use super::session::DeskSession;
use crate::app::admin::staff::presence_of;
use crate::app::handover::candidates::{peek_candidates, schedules, zone};
use crate::app::messaging::context::{quiet_hours, vehicle_words};
use crate::app::repair_order::RepairOrder;
use crate::app::time::utc;
use crate::app::{App, AppError};
use crate::db::models::{DealershipRow, StaffRow};
use crate::db::{self, DbConn};
use crate::domain::availability::Availability;
use crate::domain::handover_gate::HandoverGate;
use crate::domain::ids::{RoId, StaffId};
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::local_time::{clock_time, describe, describe_until};
use crate::domain::presence::PresenceState;
use crate::domain::promise::{PromiseRisk, risk};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Most open ROs the board loads (a dealership has dozens, not thousands).
const BOARD_LIMIT: i64 = 500;

#[derive(Debug, Serialize)]
pub struct BoardView {
    pub now_words: String,
    pub me: Me,
    pub on_duty: Vec<OnDuty>,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Serialize)]
pub struct Me {
    pub presence: PresenceState,
    /// The ready cars I am to hand over, and who would take each if I left.
    pub leaving: Vec<Leaving>,
}

#[derive(Debug, Serialize)]
pub struct Leaving {
    pub number: i64,
    pub passes_to: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OnDuty {
    pub name: String,
    pub role: String,
    pub on_break: bool,
    pub until_words: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Stage {
    pub key: RoStatus,
    pub label: &'static str,
    pub ros: Vec<BoardRo>,
}

#[derive(Debug, Serialize)]
pub struct BoardRo {
    pub id: RoId,
    pub number: i64,
    pub customer: String,
    pub vehicle: String,
    pub advisor: String,
    pub promised_words: String,
    pub risk: PromiseRisk,
    pub handover: Option<HandoverLine>,
    pub message: Option<Waiting>,
}

#[derive(Debug, Serialize)]
pub struct HandoverLine {
    pub name: String,
    pub until_words: Option<String>,
}

/// A customer message nobody has answered yet.
#[derive(Debug, Serialize)]
pub struct Waiting {
    pub overdue: bool,
    /// "1 h 20 min".
    pub left_words: String,
}

const STAGES: [(RoStatus, &str); 6] = [
    (RoStatus::CheckedIn, "Checked in"),
    (RoStatus::AwaitingApproval, "Waiting for the customer"),
    (RoStatus::InProgress, "In the shop"),
    (RoStatus::WaitingParts, "Waiting for parts"),
    (RoStatus::WorkComplete, "Work done"),
    (RoStatus::ReadyForPickup, "Ready for pickup"),
];

/// "45 min", "1 h 20 min".
pub(crate) fn duration_words(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn on_duty(
    tx: &mut DbConn,
    staff: &[StaffRow],
    dealership: &DealershipRow,
    now: DateTime<Utc>,
) -> Result<Vec<OnDuty>, AppError> {
    let here: Vec<StaffRow> = staff
        .iter()
        .filter(|s| s.active && s.presence != PresenceState::Off)
        .cloned()
        .collect();
    let (tz, _) = zone(dealership);
    let mut schedules = schedules(tx, &here, now)?;
    Ok(here
        .iter()
        .map(|s| {
            let until = schedules.remove(&s.id).and_then(|sch| {
                match sch.availability(now, tz, Duration::minutes(1)) {
                    Availability::Available { until } => until,
                    Availability::Unavailable { .. } => None,
                }
            });
            OnDuty {
                name: s.name.clone(),
                role: s.role.as_str().to_owned(),
                on_break: s.presence == PresenceState::OnBreak,
                until_words: until.map(|u| describe_until(u, now, tz, Language::En)),
            }
        })
        .collect())
}

fn leaving(
    tx: &mut DbConn,
    me: StaffId,
    ros: &[RepairOrder],
    names: &HashMap<StaffId, String>,
    now: DateTime<Utc>,
) -> Result<Vec<Leaving>, AppError> {
    let mut out = Vec::new();
    for ro in ros
        .iter()
        .filter(|r| r.row.status == RoStatus::ReadyForPickup && r.row.handover_staff_id == Some(me))
    {
        let (tz, window) = zone(&ro.dealership);
        let others: Vec<_> = peek_candidates(tx, ro, now)?
            .into_iter()
            .filter(|c| c.staff_id != me)
            .collect();
        let passes_to = HandoverGate::decide(&others, now, tz, window)
            .ok()
            .and_then(|p| names.get(&p.staff_id).cloned());
        out.push(Leaving {
            number: ro.row.number,
            passes_to,
        });
    }
    Ok(out)
}

fn board_ro(
    ro: &RepairOrder,
    waiting: Option<&DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<BoardRo, AppError> {
    let (tz, _) = zone(&ro.dealership);
    let row = &ro.row;
    let handover = match (row.handover_staff_id, row.status) {
        (Some(id), RoStatus::ReadyForPickup) => Some(HandoverLine {
            name: ro.staff_name(id)?.to_owned(),
            until_words: row
                .handover_until
                .map(|u| describe_until(utc(u), now, tz, Language::En)),
        }),
        _ => None,
    };
    let message = waiting.map(|at| {
        let minutes = i64::from(ro.dealership.response_target_minutes);
        let due = quiet_hours(ro).answer_due(*at, minutes, tz);
        Waiting {
            overdue: due <= now,
            left_words: duration_words(due - now),
        }
    });
    Ok(BoardRo {
        id: row.id,
        number: row.number,
        customer: ro.customer.name.clone(),
        vehicle: vehicle_words(ro, Language::En),
        advisor: ro.staff_name(row.advisor_id)?.to_owned(),
        promised_words: describe(ro.promised_at(), now, tz, Language::En),
        risk: risk(row.status, ro.promised_at(), now),
        handover,
        message,
    })
}

impl App {
    pub async fn board(&self, session: &DeskSession) -> Result<BoardView, AppError> {
        let now = self.clock.now();
        let (me, dealership_id) = (session.actor.staff_id, session.actor.dealership_id);
        self.db
            .run(move |conn| {
                let dealership = db::dealerships::find(conn, dealership_id)?
                    .ok_or(AppError::NotFound("dealership"))?;
                let staff = db::staff::list(conn, dealership_id)?;
                let names: HashMap<StaffId, String> =
                    staff.iter().map(|s| (s.id, s.name.clone())).collect();
                let my_row = staff
                    .iter()
                    .find(|s| s.id == me)
                    .ok_or(AppError::Unauthenticated("the session is not valid"))?;
                let rows = db::repair_orders::open_for(conn, dealership_id, BOARD_LIMIT)?;
                let ros = RepairOrder::load_many(conn, rows)?;
                let ids: Vec<RoId> = ros.iter().map(|r| r.row.id).collect();
                let mut waiting: HashMap<RoId, DateTime<Utc>> = HashMap::new();
                for (ro, at) in db::messages::unanswered_for(conn, &ids)? {
                    waiting.entry(ro).or_insert(utc(at));
                }
                let mut stages: Vec<Stage> = STAGES
                    .iter()
                    .map(|(key, label)| Stage {
                        key: *key,
                        label,
                        ros: Vec::new(),
                    })
                    .collect();
                for ro in &ros {
                    if let Some(stage) = stages.iter_mut().find(|s| s.key == ro.row.status) {
                        stage.ros.push(board_ro(ro, waiting.get(&ro.row.id), now)?);
                    }
                }
                let (tz, _) = zone(&dealership);
                Ok(BoardView {
                    now_words: clock_time(now, tz, Language::En),
                    me: Me {
                        presence: presence_of(my_row).state,
                        leaving: leaving(conn, me, &ros, &names, now)?,
                    },
                    on_duty: on_duty(conn, &staff, &dealership, now)?,
                    stages,
                })
            })
            .await
    }
}
