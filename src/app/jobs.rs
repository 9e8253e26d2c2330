//! Work that happens at a time rather than on a request: the daily progress
//! text for cars kept more than a day, and the escalation of a customer's
//! message nobody answered. Stored as due rows and claimed like the outbox,
//! so each runs once across instances and survives restarts.

use super::ids::{new_id, stored, utc, uuid};
use super::notices::{next_progress_time, tell_staff};
use super::repair_order::RepairOrder;
use super::timeline::{By, record};
use super::{App, AppError, Ctx};
use crate::db::models::JobRow;
use crate::db::{self, DbConn};
use crate::domain::dealership::TimeZone;
use crate::domain::lifecycle::RoStatus;
use crate::domain::role::Role;
use chrono::{DateTime, Duration, Utc};

pub(crate) const PROGRESS: &str = "progress_update";
pub(crate) const ESCALATE: &str = "escalate_unanswered";
pub(crate) const COVERAGE_END: &str = "coverage_end";
pub(crate) const PROMOTE: &str = "promote_ready";

fn job(
    ro: &RepairOrder,
    kind: &str,
    key: String,
    due: DateTime<Utc>,
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> JobRow {
    JobRow {
        id: new_id(),
        dealership_id: ro.dealership.id.clone(),
        ro_id: Some(ro.row.id.clone()),
        kind: kind.into(),
        dedupe_key: key,
        due_at: stored(due),
        state: "pending".into(),
        attempts: 0,
        lease_until: None,
        payload: payload.to_string(),
        last_error: None,
        created_at: stored(now),
        finished_at: None,
    }
}

/// The next daily progress update for `ro`, at the configured local time at
/// least a day after `after`.
pub(crate) fn schedule_progress(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    after: DateTime<Utc>,
) -> Result<(), AppError> {
    let tz = TimeZone::parse(&ro.dealership.timezone).map_or(chrono_tz::UTC, |t| t.0);
    let due = next_progress_time(after, cx.progress_at(), tz);
    let key = format!("{PROGRESS}:{}:{}", ro.row.id, due.format("%Y-%m-%d"));
    db::jobs::schedule(
        tx,
        &job(ro, PROGRESS, key, due, serde_json::json!({}), cx.now),
    )?;
    Ok(())
}

/// The manager hears about `message_id` if nobody has answered it by `due`.
pub(crate) fn schedule_escalation(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    message_id: &str,
    due: DateTime<Utc>,
) -> Result<(), AppError> {
    let key = format!("{ESCALATE}:{message_id}");
    db::jobs::schedule(
        tx,
        &job(
            ro,
            ESCALATE,
            key,
            due,
            serde_json::json!({ "message_id": message_id }),
            cx.now,
        ),
    )?;
    Ok(())
}

/// At `at`, `staff` stops covering `ro`: the car passes on or waits.
pub(crate) fn schedule_coverage_end(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    staff: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let key = format!("{COVERAGE_END}:{}:{staff}:{}", ro.row.id, at.timestamp());
    db::jobs::schedule(
        tx,
        &job(
            ro,
            COVERAGE_END,
            key,
            at,
            serde_json::json!({ "staff_id": staff }),
            cx.now,
        ),
    )?;
    Ok(())
}

/// At `at` someone is expected back: a car waiting for them may become ready
/// then, even if nobody clocks in (they never clocked out).
pub(crate) fn schedule_promotion(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let key = format!("{PROMOTE}:{}:{}", ro.row.id, at.timestamp());
    db::jobs::schedule(
        tx,
        &job(ro, PROMOTE, key, at, serde_json::json!({}), cx.now),
    )?;
    Ok(())
}

impl App {
    /// Runs the jobs that are due (at most `limit`); returns how many ran.
    pub async fn run_due_jobs(&self, limit: i64) -> Result<usize, AppError> {
        let now = self.clock.now();
        let lease = stored(now + Duration::seconds(self.settings.worker.lease_seconds));
        let jobs = self
            .db
            .write(move |tx| Ok::<_, AppError>(db::jobs::claim(tx, stored(now), lease, limit)?))
            .await?;
        let count = jobs.len();
        for job in jobs {
            let cx = self.ctx();
            let result = self
                .db
                .write(move |tx| -> Result<(), AppError> {
                    let Some(lease_until) = job.lease_until else {
                        return Ok(());
                    };
                    run_job(tx, &cx, &job)?;
                    db::jobs::finish(tx, &job.id, lease_until, "done", None, stored(cx.now))?;
                    Ok(())
                })
                .await;
            if let Err(e) = result {
                tracing::error!(error = %e, "a scheduled job failed; it will be retried");
            }
        }
        if count > 0 {
            self.outbox.wake();
        }
        Ok(count)
    }
}

fn run_job(tx: &mut DbConn, cx: &Ctx, job: &JobRow) -> Result<(), AppError> {
    let Some(ro_id) = job.ro_id.as_deref() else {
        return Ok(());
    };
    let Some(ro) = RepairOrder::load(tx, &job.dealership_id, uuid(ro_id)?)? else {
        return Ok(());
    };
    let status = ro.status()?;
    match job.kind.as_str() {
        PROGRESS => {
            // Only while the car is still with us and not yet ready.
            if status.is_open() && status != RoStatus::ReadyForPickup {
                record(
                    tx,
                    cx,
                    &ro,
                    By::System,
                    "progress_update",
                    None,
                    serde_json::json!({ "status": status }),
                )?;
                schedule_progress(tx, cx, &ro, cx.now)?;
            }
            Ok(())
        }
        ESCALATE => {
            let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap_or_default();
            let Some(message_id) = payload.get("message_id").and_then(|m| m.as_str()) else {
                return Ok(());
            };
            let Some(message) = db::messages::find(tx, message_id)? else {
                return Ok(());
            };
            if message.answered_at.is_some() || message.escalated_at.is_some() {
                return Ok(());
            }
            let waited = cx.now - utc(message.at);
            let waited_words = if waited.num_hours() >= 1 {
                format!("{} hour(s)", waited.num_hours())
            } else {
                format!("{} minute(s)", waited.num_minutes())
            };
            db::messages::mark_escalated(tx, message_id, stored(cx.now))?;
            record(
                tx,
                cx,
                &ro,
                By::System,
                "escalated",
                None,
                serde_json::json!({ "message_id": message_id, "waited_minutes": waited.num_minutes() }),
            )?;
            let managers: Vec<_> = db::staff::list(tx, &ro.dealership.id)?
                .into_iter()
                .filter(|s| s.role == Role::Manager.as_str())
                .collect();
            for manager in managers {
                tell_staff(tx, cx, &ro, &job.id, &manager, "staff_escalation", |c| {
                    c.message = Some(message.body.clone());
                    c.waited = Some(waited_words.clone());
                })?;
            }
            Ok(())
        }
        PROMOTE => {
            if status != RoStatus::WorkComplete || !ro.row.ready_when_available {
                return Ok(());
            }
            let mut ro = ro;
            match super::availability::decide(tx, &ro, cx.now, None)? {
                Ok(promise) => super::handover::promote(tx, &mut ro, &promise, By::System, cx),
                Err(nobody) => match nobody.next_available_at {
                    Some(next) if next > cx.now => schedule_promotion(tx, cx, &ro, next),
                    _ => Ok(()),
                },
            }
        }
        COVERAGE_END => {
            let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap_or_default();
            let Some(staff) = payload.get("staff_id").and_then(|s| s.as_str()) else {
                return Ok(());
            };
            let mut ro = ro;
            super::coverage::end_of_coverage(tx, cx, &mut ro, staff)
        }
        other => {
            tracing::warn!(kind = other, "unknown job kind");
            Ok(())
        }
    }
}
