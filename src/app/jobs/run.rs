//! Running the jobs that are due: one arm per kind of job. A job that fails
//! is tried again later (`jobs.*` settings) and, when its attempts are spent
//! or it cannot be read, marked failed, counted and logged once.

use super::schedule::{schedule_progress, schedule_promotion};
use crate::app::handover::candidates;
use crate::app::handover::coverage;
use crate::app::handover::ready;
use crate::app::messaging::notices::tell_staff;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, record};
use crate::app::time::{stored, utc};
use crate::app::{App, AppError, Ctx};
use crate::db::models::JobRow;
use crate::db::{self, DbConn};
use crate::domain::event::{Escalated, ProgressUpdate, RoEvent};
use crate::domain::ids::{JobId, MessageId};
use crate::domain::job::{Job, JobRetry, JobState};
use crate::domain::lifecycle::RoStatus;
use crate::domain::message::MessageKind;
use crate::domain::role::Role;
use chrono::{Duration, NaiveDateTime};

/// Why a run ended without its work.
enum RunFailed {
    /// The lease ran out during the run and another claim holds the job:
    /// this run is undone (its messages included), or it would happen twice.
    LeaseLost,
    Failed(AppError),
}

impl From<AppError> for RunFailed {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

impl From<crate::db::DbError> for RunFailed {
    fn from(e: crate::db::DbError) -> Self {
        Self::Failed(e.into())
    }
}

impl From<diesel::result::Error> for RunFailed {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failed(e.into())
    }
}

impl App {
    /// Runs the jobs that are due (at most `limit`); returns how many ran.
    pub async fn run_due_jobs(&self, limit: i64) -> Result<usize, AppError> {
        let now = self.clock.now();
        let lease = stored(now + Duration::seconds(self.settings.worker.lease_seconds));
        let claimed = self
            .db
            .write(move |tx| Ok::<_, AppError>(db::jobs::claim(tx, lease, stored(now), limit)?))
            .await?;
        let count = claimed.len();
        for row in claimed {
            self.run_claimed(row).await?;
        }
        if count > 0 {
            self.outbox.wake();
        }
        Ok(count)
    }

    async fn run_claimed(&self, row: JobRow) -> Result<(), AppError> {
        let lease_until = row.lease_until.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("job {} claimed without a lease", row.id))
        })?;
        let job = match Job::from_stored(&row.kind, &row.payload) {
            Ok(job) => job,
            // Trying again will not make it readable.
            Err(e) => {
                let why = format!("cannot read the job: {e}");
                return self.give_up(&row, lease_until, why).await;
            }
        };
        let cx = self.ctx();
        let held = row.clone();
        let result = self
            .db
            .write(move |tx| -> Result<(), RunFailed> {
                run(tx, &cx, &held, job)?;
                let now = stored(cx.now);
                if db::jobs::finish(tx, held.id, lease_until, JobState::Done, None, now)? {
                    Ok(())
                } else {
                    Err(RunFailed::LeaseLost)
                }
            })
            .await;
        match result {
            Ok(()) => Ok(()),
            Err(RunFailed::LeaseLost) => {
                tracing::warn!(job = %row.id, kind = %row.kind, "a job's lease ran out during its run; its newer claim runs it");
                Ok(())
            }
            Err(RunFailed::Failed(e)) => self.job_failed(&row, lease_until, format!("{e:#}")).await,
        }
    }

    /// Puts a failed job back for later, or gives up once its attempts are spent.
    async fn job_failed(
        &self,
        row: &JobRow,
        lease_until: NaiveDateTime,
        error: String,
    ) -> Result<(), AppError> {
        let j = &self.settings.jobs;
        let retry = JobRetry {
            base: Duration::seconds(j.retry_base_seconds),
            max: Duration::seconds(j.retry_max_seconds),
            jitter: j.retry_jitter,
            max_attempts: j.max_attempts,
        };
        let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
        let Some(delay) = retry.next_delay(attempts, fastrand::f64()) else {
            let why = format!("gave up after {attempts} attempt(s): {error}");
            return self.give_up(row, lease_until, why).await;
        };
        tracing::warn!(job = %row.id, kind = %row.kind, attempts, %error, retry_in_s = delay.num_seconds(), "a scheduled job failed; it will be tried again");
        let (id, due) = (row.id, stored(self.clock.now() + delay));
        self.db
            .write(move |tx| {
                db::jobs::retry(tx, id, lease_until, due, &error)?;
                Ok::<_, AppError>(())
            })
            .await
    }

    /// Marks the job failed for good: counted in /metrics, logged once.
    async fn give_up(
        &self,
        row: &JobRow,
        lease_until: NaiveDateTime,
        why: String,
    ) -> Result<(), AppError> {
        tracing::error!(job = %row.id, kind = %row.kind, error = %why, "a scheduled job failed for good");
        self.outbox.metrics().job_failed();
        let (id, now) = (row.id, stored(self.clock.now()));
        self.db
            .write(move |tx| {
                db::jobs::finish(tx, id, lease_until, JobState::Failed, Some(&why), now)?;
                Ok::<_, AppError>(())
            })
            .await
    }
}

/// Runs one job in its transaction. Every kind of job is one arm.
fn run(tx: &mut DbConn, cx: &Ctx, row: &JobRow, job: Job) -> Result<(), AppError> {
    match job {
        Job::ProgressUpdate {} => {
            let ro = ro_of(tx, row)?;
            progress_update(tx, cx, &ro)
        }
        Job::EscalateUnanswered { message_id } => {
            let ro = ro_of(tx, row)?;
            escalate(tx, cx, &ro, row.id, message_id)
        }
        Job::PromoteReady {} => {
            let mut ro = ro_of(tx, row)?;
            promote_ready(tx, cx, &mut ro)
        }
        Job::CoverageEnd { staff_id } => {
            let mut ro = ro_of(tx, row)?;
            coverage::end_of_coverage(tx, cx, &mut ro, staff_id)
        }
        Job::EscalateRequest { request_id } => {
            crate::app::requests::escalate(tx, cx, row.dealership_id, request_id)
        }
    }
}

/// The RO a job is about.
fn ro_of(tx: &mut DbConn, row: &JobRow) -> Result<RepairOrder, AppError> {
    let ro_id = row
        .ro_id
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("job {} names no RO", row.id)))?;
    RepairOrder::load(tx, row.dealership_id, ro_id)?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("job {}: RO {ro_id} not found", row.id)))
}

/// Only while the car is still with us and not yet ready; then the next one.
fn progress_update(tx: &mut DbConn, cx: &Ctx, ro: &RepairOrder) -> Result<(), AppError> {
    let status = ro.status();
    if !status.is_open() || status == RoStatus::ReadyForPickup {
        return Ok(());
    }
    let event = RoEvent::ProgressUpdate(ProgressUpdate { status });
    record(tx, cx, ro, By::System, event, None)?;
    schedule_progress(tx, cx, ro, cx.now)
}

/// The managers hear of a customer's message nobody answered in time.
fn escalate(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    job: JobId,
    message_id: MessageId,
) -> Result<(), AppError> {
    let message = db::messages::find(tx, message_id)?.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "escalation of a missing message {message_id}"
        ))
    })?;
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
    let event = RoEvent::Escalated(Escalated {
        message_id,
        waited_minutes: waited.num_minutes(),
    });
    record(tx, cx, ro, By::System, event, None)?;
    let cause = job.to_string();
    for manager in db::staff::list(tx, ro.dealership.id)?
        .into_iter()
        .filter(|s| s.role == Role::Manager)
    {
        tell_staff(
            tx,
            cx,
            ro,
            &cause,
            &manager,
            MessageKind::StaffEscalation,
            |c| {
                c.message = Some(message.body.clone());
                c.waited = Some(waited_words.clone());
            },
        )?;
    }
    Ok(())
}

/// Someone was expected back: the car becomes ready if they are, or waits
/// for the next person expected.
fn promote_ready(tx: &mut DbConn, cx: &Ctx, ro: &mut RepairOrder) -> Result<(), AppError> {
    if ro.status() != RoStatus::WorkComplete || !ro.row.ready_when_available {
        return Ok(());
    }
    // A colleague's blocking question holds the car; its answer tries again.
    if db::requests::open_blocking(tx, ro.row.id)?.is_some() {
        return Ok(());
    }
    match candidates::decide(tx, ro, cx.now, None)? {
        Ok(promise) => ready::promote(tx, ro, &promise, By::System, cx),
        Err(nobody) => match nobody.next_available_at {
            Some(next) if next > cx.now => schedule_promotion(tx, cx, ro, next),
            _ => Ok(()),
        },
    }
}
