//! Writing jobs: a leaf anything may call, in its own transaction. Each job
//! has a dedupe key, so scheduling the same thing twice writes it once.

use crate::app::messaging::context::next_progress_time;
use crate::app::repair_order::RepairOrder;
use crate::app::time::stored;
use crate::app::{AppError, Ctx};
use crate::db::models::JobRow;
use crate::db::{self, DbConn};
use crate::domain::ids::{DealershipId, JobId, MessageId, RequestId, RoId, StaffId};
use crate::domain::job::{Job, JobState};
use chrono::{DateTime, Utc};

/// Writes `job` for `ro`, due at `due`, unless one with the same key exists.
fn schedule(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    job: Job,
    key: String,
    due: DateTime<Utc>,
) -> Result<(), AppError> {
    let row = JobRow {
        id: JobId::generate(),
        dealership_id: ro.dealership.id,
        ro_id: Some(ro.row.id),
        kind: job.kind().to_owned(),
        dedupe_key: format!("{}:{key}", job.kind()),
        due_at: stored(due),
        state: JobState::Pending,
        attempts: 0,
        lease_until: None,
        payload: job.payload()?,
        last_error: None,
        created_at: stored(cx.now),
        finished_at: None,
    };
    db::jobs::schedule(tx, &row)?;
    Ok(())
}

/// A manager hears of `request_id` if it is still open at `due`.
pub(crate) fn schedule_request_escalation(
    tx: &mut DbConn,
    cx: &Ctx,
    dealership_id: DealershipId,
    ro_id: Option<RoId>,
    request_id: RequestId,
    due: DateTime<Utc>,
) -> Result<(), AppError> {
    let job = Job::EscalateRequest { request_id };
    let row = JobRow {
        id: JobId::generate(),
        dealership_id,
        ro_id,
        kind: job.kind().to_owned(),
        dedupe_key: format!("{}:{request_id}", job.kind()),
        due_at: stored(due),
        state: JobState::Pending,
        attempts: 0,
        lease_until: None,
        payload: job.payload()?,
        last_error: None,
        created_at: stored(cx.now),
        finished_at: None,
    };
    db::jobs::schedule(tx, &row)?;
    Ok(())
}

/// The next daily progress update for `ro`, at the configured local time at
/// least a day after `after`.
pub(crate) fn schedule_progress(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    after: DateTime<Utc>,
) -> Result<(), AppError> {
    let due = next_progress_time(after, cx.progress_at(), ro.dealership.timezone.0);
    let key = format!("{}:{}", ro.row.id, due.format("%Y-%m-%d"));
    schedule(tx, cx, ro, Job::ProgressUpdate {}, key, due)
}

/// The manager hears about `message_id` if nobody has answered it by `due`.
pub(crate) fn schedule_escalation(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    message_id: MessageId,
    due: DateTime<Utc>,
) -> Result<(), AppError> {
    let job = Job::EscalateUnanswered { message_id };
    schedule(tx, cx, ro, job, message_id.to_string(), due)
}

/// Escalations of the customer's messages on `ro` that an answer made moot.
pub(crate) fn cancel_escalations(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
) -> Result<usize, AppError> {
    let kind = Job::ESCALATE_UNANSWERED;
    Ok(db::jobs::cancel_pending(
        tx,
        ro.row.id,
        kind,
        stored(cx.now),
    )?)
}

/// At `at`, `staff` stops covering `ro`: the car passes on or waits.
pub(crate) fn schedule_coverage_end(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    staff_id: StaffId,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let key = format!("{}:{staff_id}:{}", ro.row.id, at.timestamp());
    schedule(tx, cx, ro, Job::CoverageEnd { staff_id }, key, at)
}

/// At `at` someone is expected back: a car waiting for them may become ready
/// then, even if nobody clocks in (they never clocked out).
pub(crate) fn schedule_promotion(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let key = format!("{}:{}", ro.row.id, at.timestamp());
    schedule(tx, cx, ro, Job::PromoteReady {}, key, at)
}
