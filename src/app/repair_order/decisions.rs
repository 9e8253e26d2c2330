//! The customer's yes or no on each customer-pay job, as the advisor heard
//! it (on the phone, at the counter). The status page records its own
//! (`public::status_page`); both check with `next_approval` and write with
//! `record_job`.

use crate::app::Ctx;
use crate::app::error::present;
use crate::app::idempotency::Outcome;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::estimate::estimate_open;
use crate::app::repair_order::timeline::{By, save_and_record};
use crate::app::repair_order::view::RoView;
use crate::app::time::stored;
use crate::app::{Actor, App, AppError, IdempotencyKey, Reply};
use crate::db::{self, DbConn};
use crate::domain::estimate::{Approval, Decision, DecisionChannel};
use crate::domain::event::{DecisionsRecorded, JobDecision, RoEvent};
use crate::domain::ids::{RepairJobId, RoId};
use crate::domain::role::Permission;
use crate::domain::validation::{Invalid, Violations};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    pub decisions: Vec<DecisionInput>,
    /// How the customer told us: phone, in_person, sms, email or status_page.
    #[schema(example = "phone")]
    pub channel: String,
}

/// The customer's answer on one job. Jobs are answered whole: a decision
/// naming a line (`line_id`) is refused.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub job_id: Uuid,
    /// approved or declined.
    #[schema(example = "approved")]
    pub decision: String,
}

/// Where a decision came from, beyond its channel: the status page keeps
/// the address and browser it was made from.
#[derive(Debug, Clone, Default)]
pub(crate) struct DecidedFrom {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// What `decision` makes of one job of `ro`; refuses a job that is not
/// the RO's, not the customer's to decide, or already approved.
pub(crate) fn next_approval(
    ro: &RepairOrder,
    job_id: RepairJobId,
    decision: Decision,
) -> Result<Approval, Invalid> {
    ro.jobs
        .iter()
        .find(|j| j.row.id == job_id)
        .ok_or_else(|| Invalid::new("is not a job of this repair order"))?
        .row
        .approval
        .can_become(decision)
}

/// Writes a checked decision on one job (in memory and in the database).
pub(crate) fn record_job(
    tx: &mut DbConn,
    ro: &mut RepairOrder,
    job_id: RepairJobId,
    approval: Approval,
    channel: DecisionChannel,
    from: &DecidedFrom,
    now: DateTime<Utc>,
) -> Result<JobDecision, AppError> {
    let job = ro
        .jobs
        .iter_mut()
        .find(|j| j.row.id == job_id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("job {job_id} vanished")))?;
    job.row.approval = approval;
    job.row.decided_at = Some(stored(now));
    job.row.decided_via = Some(channel);
    job.row.decided_ip.clone_from(&from.ip);
    job.row.decided_user_agent.clone_from(&from.user_agent);
    db::estimate::set_decision(tx, &job.row)?;
    Ok(JobDecision { job_id, approval })
}

pub(crate) fn decide(
    tx: &mut DbConn,
    actor: &Actor,
    id: RoId,
    if_match: Option<i64>,
    input: &ApprovalInput,
    cx: &Ctx,
) -> Result<RoView, AppError> {
    let now = cx.now;
    let mut ro = RepairOrder::load_for_write(tx, actor, id, if_match)?;
    estimate_open(&ro, "decisions cannot be recorded")?;
    let mut v = Violations::new();
    let channel = v.check("channel", DecisionChannel::parse(&input.channel));
    if input.decisions.is_empty() {
        v.push("decisions", "must hold at least one decision");
    }
    let mut changes = Vec::new();
    for (i, d) in input.decisions.iter().enumerate() {
        let decision = v.check(
            &format!("decisions[{i}].decision"),
            Decision::parse(&d.decision),
        );
        let field = format!("decisions[{i}].job_id");
        let job_id = RepairJobId::from(d.job_id);
        if input.decisions[..i].iter().any(|e| e.job_id == d.job_id) {
            v.push(field, "appears twice");
        } else if let Some(decision) = decision
            && let Some(next) = v.check(&field, next_approval(&ro, job_id, decision))
        {
            changes.push((job_id, next));
        }
    }
    v.finish()?;
    let channel = present(channel)?;
    let mut decisions = Vec::new();
    for (job_id, approval) in changes {
        let from = DecidedFrom::default();
        decisions.push(record_job(
            tx, &mut ro, job_id, approval, channel, &from, now,
        )?);
    }
    let event = RoEvent::DecisionsRecorded(DecisionsRecorded {
        channel,
        decisions,
        pending_left: ro.pending_approvals(),
        ip: None,
    });
    save_and_record(tx, cx, &mut ro, By::Staff(actor.staff_id), event, None)?;
    RoView::build(&ro, &cx.links)
}

impl App {
    /// Records the customer's decisions as the advisor heard them.
    pub async fn record_decisions(
        &self,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
        input: ApprovalInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RoView>, AppError> {
        self.staff_write(
            actor,
            Permission::RecordApproval,
            idem,
            move |tx, who, cx| Ok((Outcome::Done, decide(tx, who, id, if_match, &input, cx)?)),
        )
        .await
    }
}
