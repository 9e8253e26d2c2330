//! The manager's view of the rest of today: which ready cars lose their
//! handover person when, and who is expected to take each over then; and
//! the customer messages nobody answered in time.

use super::board::duration_words;
use super::session::DeskSession;
use crate::app::admin::staff::require;
use crate::app::handover::candidates::{peek_candidates, zone};
use crate::app::messaging::context::quiet_hours;
use crate::app::repair_order::RepairOrder;
use crate::app::time::utc;
use crate::app::{App, AppError};
use crate::db::{self, DbConn};
use crate::domain::handover_gate::HandoverGate;
use crate::domain::ids::RoId;
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::local_time::{clock_time, describe};
use crate::domain::role::Permission;
use chrono::{DateTime, Utc};
use serde::Serialize;

const LIMIT: i64 = 500;

#[derive(Debug, Serialize)]
pub struct TodayView {
    pub now_words: String,
    pub coverage: Vec<CoverageLine>,
    pub escalations: Vec<Escalation>,
}

/// A ready car and what happens when its person's time ends.
#[derive(Debug, Serialize)]
pub struct CoverageLine {
    pub id: RoId,
    pub number: i64,
    pub customer: String,
    pub handover_name: String,
    /// "17:00", or None: no schedule, so no known end.
    pub until_words: Option<String>,
    /// Who is expected to take it then, or None: nobody, it will wait.
    pub then: Option<String>,
    /// Ends before the dealership's day is over: needs a look.
    pub ends_today: bool,
}

/// A customer message past its answer time.
#[derive(Debug, Serialize)]
pub struct Escalation {
    pub id: RoId,
    pub number: i64,
    pub customer: String,
    pub advisor: String,
    pub asked_words: String,
    pub overdue_words: String,
}

fn coverage_line(
    tx: &mut DbConn,
    ro: &RepairOrder,
    now: DateTime<Utc>,
) -> Result<Option<CoverageLine>, AppError> {
    let row = &ro.row;
    let Some(person) = row
        .handover_staff_id
        .filter(|_| row.status == RoStatus::ReadyForPickup)
    else {
        return Ok(None);
    };
    let (tz, window) = zone(&ro.dealership);
    let until = row.handover_until.map(utc);
    let then = match until {
        Some(at) => {
            let others: Vec<_> = peek_candidates(tx, ro, now)?
                .into_iter()
                .filter(|c| c.staff_id != person)
                .collect();
            HandoverGate::decide(&others, at, tz, window)
                .ok()
                .map(|p| match p.until {
                    Some(u) => format!(
                        "{} (there until {})",
                        p.name,
                        clock_time(u, tz, Language::En)
                    ),
                    None => p.name,
                })
        }
        None => None,
    };
    let today = now.with_timezone(&tz).date_naive();
    Ok(Some(CoverageLine {
        id: row.id,
        number: row.number,
        customer: ro.customer.name.clone(),
        handover_name: ro.staff_name(person)?.to_owned(),
        until_words: until.map(|u| describe(u, now, tz, Language::En)),
        then,
        ends_today: until.is_some_and(|u| u.with_timezone(&tz).date_naive() == today),
    }))
}

fn escalations(
    tx: &mut DbConn,
    ros: &[RepairOrder],
    now: DateTime<Utc>,
) -> Result<Vec<Escalation>, AppError> {
    let ids: Vec<RoId> = ros.iter().map(|r| r.row.id).collect();
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (ro_id, at) in db::messages::unanswered_for(tx, &ids)? {
        let Some(ro) = ros.iter().find(|r| r.row.id == ro_id) else {
            continue;
        };
        if seen.contains(&ro_id) {
            continue;
        }
        seen.push(ro_id);
        let (tz, _) = zone(&ro.dealership);
        let minutes = i64::from(ro.dealership.response_target_minutes);
        let due = quiet_hours(ro).answer_due(utc(at), minutes, tz);
        if due > now {
            continue;
        }
        out.push(Escalation {
            id: ro_id,
            number: ro.row.number,
            customer: ro.customer.name.clone(),
            advisor: ro.staff_name(ro.row.advisor_id)?.to_owned(),
            asked_words: describe(utc(at), now, tz, Language::En),
            overdue_words: duration_words(now - due),
        });
    }
    Ok(out)
}

impl App {
    /// The rest of today, for a manager.
    pub async fn today(&self, session: &DeskSession) -> Result<TodayView, AppError> {
        require(&session.actor, Permission::ManageOthersPresence)?;
        let now = self.clock.now();
        let dealership_id = session.actor.dealership_id;
        self.db
            .run(move |conn| {
                let dealership = db::dealerships::find(conn, dealership_id)?
                    .ok_or(AppError::NotFound("dealership"))?;
                let rows = db::repair_orders::open_for(conn, dealership_id, LIMIT)?;
                let ros = RepairOrder::load_many(conn, rows)?;
                let mut coverage = Vec::new();
                for ro in &ros {
                    if let Some(line) = coverage_line(conn, ro, now)? {
                        coverage.push(line);
                    }
                }
                // Soonest end first; no known end last.
                coverage.sort_by_key(|c| (c.until_words.is_none(), !c.ends_today, c.number));
                let (tz, _) = zone(&dealership);
                Ok(TodayView {
                    now_words: clock_time(now, tz, Language::En),
                    escalations: escalations(conn, &ros, now)?,
                    coverage,
                })
            })
            .await
    }
}
