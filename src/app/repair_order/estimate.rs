//! The estimate: jobs (operations) the customer approves or declines as a
//! whole, each with its lines.
//!
//! Jobs are added in rounds: the first estimate, then supplements when the
//! technician finds more. Each round raises `estimate_version`. A round with
//! a customer-pay job sends the RO to awaiting_approval; work on it waits
//! for the customer's yes or no on every such job (see `decisions`).

use crate::app::Ctx;
use crate::app::idempotency::Outcome;
use crate::app::jargon::JargonCheck;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, save_and_record};
use crate::app::repair_order::view::RoView;
use crate::app::time::stored;
use crate::app::{Actor, App, AppError, IdempotencyKey, Reply};
use crate::db::models::{LineRow, RepairJobRow};
use crate::db::{self, DbConn};
use crate::domain::estimate::{Approval, LineKind, PayType};
use crate::domain::event::{EstimateSent, RoEvent};
use crate::domain::ids::{ConcernId, LineId, RepairJobId, RoId};
use crate::domain::lifecycle::{RoStatus, check_transition};
use crate::domain::money::{Cents, Quantity, UnitPrice, line_amount};
use crate::domain::role::Permission;
use crate::domain::text;
use crate::domain::validation::Violations;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Most jobs in one round and on one RO; most lines on a job and an RO.
const MAX_JOBS_PER_ROUND: usize = 30;
const MAX_JOBS_PER_RO: usize = 100;
const MAX_LINES_PER_JOB: usize = 30;
const MAX_LINES_PER_RO: usize = 300;
/// The largest discount (on a job or the RO): one hundred thousand dollars.
const MAX_DISCOUNT_CENTS: i64 = 10_000_000;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EstimateInput {
    /// The jobs this round adds (may be empty when only `discount_cents`
    /// changes).
    pub jobs: Vec<JobInput>,
    /// A discount on the whole RO, replacing any before. Once the customer
    /// approved a job it can grow but not shrink.
    #[serde(default)]
    #[schema(example = 2000)]
    pub discount_cents: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobInput {
    /// What the customer reads, in plain words.
    #[schema(example = "Replace the front brake pads")]
    pub title: String,
    /// The concern this job answers.
    #[serde(default)]
    pub concern_id: Option<Uuid>,
    /// customer, warranty or internal.
    #[schema(example = "customer")]
    pub pay_type: String,
    /// Off this job's lines; at most their sum.
    #[serde(default)]
    pub discount_cents: Option<i64>,
    pub lines: Vec<LineInput>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// labor, part, fee or sublet.
    #[schema(example = "labor")]
    pub kind: String,
    #[schema(example = "Brake pad replacement, front axle")]
    pub description: String,
    /// Greater than zero, at most two decimals (1.5 hours).
    #[schema(example = 1.5)]
    pub quantity: f64,
    /// 0 to 10,000,000 (one hundred thousand dollars).
    #[schema(example = 18000)]
    pub unit_price_cents: i64,
}

/// What one round writes.
struct Round {
    jobs: Vec<RepairJobRow>,
    lines: Vec<LineRow>,
    discount: Option<Cents>,
}

/// Where the next job and line go, and the stamp they carry.
struct Next {
    version: i32,
    job_position: i32,
    line_position: i32,
    now: NaiveDateTime,
}

fn parse_round(
    ro: &RepairOrder,
    input: &EstimateInput,
    now: NaiveDateTime,
    v: &mut Violations,
) -> Round {
    check_sizes(ro, input, v);
    let mut next = Next {
        version: ro.row.estimate_version + 1,
        job_position: ro.jobs.iter().map(|j| j.row.position).max().unwrap_or(0) + 1,
        line_position: ro.lines().map(|l| l.position).max().unwrap_or(0) + 1,
        now,
    };
    let mut round = Round {
        jobs: Vec::new(),
        lines: Vec::new(),
        discount: input
            .discount_cents
            .and_then(|d| v.check("discount_cents", discount(d))),
    };
    for (i, job) in input.jobs.iter().enumerate() {
        parse_job(ro, i, job, &mut next, &mut round, v);
    }
    if let Some(d) = round.discount
        && d < Cents(ro.row.discount_cents)
        && ro.jobs.iter().any(|j| j.row.approval == Approval::Approved)
    {
        v.push(
            "discount_cents",
            "the customer approved work with the larger discount; it can grow but not shrink",
        );
    }
    round
}

fn check_sizes(ro: &RepairOrder, input: &EstimateInput, v: &mut Violations) {
    let jobs = input.jobs.len();
    if jobs == 0 && input.discount_cents.is_none() {
        v.push("jobs", "must hold at least one job");
    } else if jobs > MAX_JOBS_PER_ROUND {
        v.push(
            "jobs",
            format!("holds at most {MAX_JOBS_PER_ROUND} jobs at a time"),
        );
    } else if ro.jobs.len() + jobs > MAX_JOBS_PER_RO {
        v.push(
            "jobs",
            format!("a repair order holds at most {MAX_JOBS_PER_RO} jobs"),
        );
    }
    let lines: usize = input.jobs.iter().map(|j| j.lines.len()).sum();
    if ro.lines().count() + lines > MAX_LINES_PER_RO {
        v.push(
            "jobs",
            format!("a repair order holds at most {MAX_LINES_PER_RO} lines"),
        );
    }
}

fn discount(cents: i64) -> Result<Cents, crate::domain::validation::Invalid> {
    if (0..=MAX_DISCOUNT_CENTS).contains(&cents) {
        Ok(Cents(cents))
    } else {
        Err(crate::domain::validation::Invalid::new(format!(
            "must be between 0 and {MAX_DISCOUNT_CENTS} cents"
        )))
    }
}

fn parse_job(
    ro: &RepairOrder,
    i: usize,
    job: &JobInput,
    next: &mut Next,
    round: &mut Round,
    v: &mut Violations,
) {
    let f = |name: &str| format!("jobs[{i}].{name}");
    let title = v.check(&f("title"), text::line(&job.title, 120));
    let pay_type = v.check(&f("pay_type"), PayType::parse(&job.pay_type));
    let concern = job.concern_id.map(ConcernId::from);
    if let Some(c) = concern
        && !ro.concerns.iter().any(|k| k.id == c)
    {
        v.push(f("concern_id"), "is not a concern of this repair order");
    }
    let job_discount = v
        .check(
            &f("discount_cents"),
            discount(job.discount_cents.unwrap_or(0)),
        )
        .unwrap_or(Cents::ZERO);
    if job.lines.is_empty() || job.lines.len() > MAX_LINES_PER_JOB {
        v.push(
            f("lines"),
            format!("must hold between 1 and {MAX_LINES_PER_JOB} lines"),
        );
    }
    let id = RepairJobId::generate();
    let mut lines = Vec::new();
    for (k, line) in job.lines.iter().enumerate() {
        let field = |name: &str| format!("jobs[{i}].lines[{k}].{name}");
        if let Some(row) = parse_line(ro, id, line, next, &field, v) {
            lines.push(row);
        }
    }
    let gross: Cents = lines
        .iter()
        .map(|l: &LineRow| {
            line_amount(
                Quantity::from_hundredths(l.quantity_hundredths),
                Cents(l.unit_price_cents),
            )
        })
        .sum();
    if lines.len() == job.lines.len() && job_discount > gross {
        v.push(
            f("discount_cents"),
            format!("is more than the job's lines ({} cents)", gross.0),
        );
    }
    if let (Some(title), Some(pay_type)) = (title, pay_type) {
        round.jobs.push(RepairJobRow {
            id,
            ro_id: ro.row.id,
            position: next.job_position,
            estimate_version: next.version,
            title,
            concern_id: concern,
            pay_type,
            approval: pay_type.initial_approval(),
            discount_cents: job_discount.0,
            decided_at: None,
            decided_via: None,
            decided_ip: None,
            decided_user_agent: None,
            created_at: next.now,
        });
        next.job_position += 1;
    }
    round.lines.extend(lines);
}

fn parse_line(
    ro: &RepairOrder,
    job_id: RepairJobId,
    line: &LineInput,
    next: &mut Next,
    field: &dyn Fn(&str) -> String,
    v: &mut Violations,
) -> Option<LineRow> {
    let kind = v.check(&field("kind"), LineKind::parse(&line.kind));
    let description = v.check(&field("description"), text::line(&line.description, 200));
    let quantity = v.check(&field("quantity"), Quantity::parse(line.quantity));
    let price = v.check(
        &field("unit_price_cents"),
        UnitPrice::parse(line.unit_price_cents),
    );
    let row = LineRow {
        id: LineId::generate(),
        ro_id: ro.row.id,
        job_id,
        position: next.line_position,
        estimate_version: next.version,
        description: description?,
        kind: kind?,
        quantity_hundredths: quantity?.hundredths(),
        unit_price_cents: price?.cents().0,
        created_at: next.now,
    };
    next.line_position += 1;
    Some(row)
}

/// The RO's status, if its estimate is still open (before work is complete).
pub(super) fn estimate_open(ro: &RepairOrder, what: &str) -> Result<RoStatus, AppError> {
    let status = ro.status();
    if status.accepts_estimate() {
        Ok(status)
    } else {
        Err(AppError::conflict(
            "estimate-closed",
            format!("{what} on a repair order that is {status}"),
        ))
    }
}

/// Job titles and line descriptions checked for shop words.
fn jargon(ro: &RepairOrder, input: &EstimateInput) -> Result<JargonCheck, AppError> {
    let mut check = JargonCheck::new(&ro.dealership, ro.customer.language)?;
    for (i, job) in input.jobs.iter().enumerate() {
        check.check(&format!("jobs[{i}].title"), &job.title);
        for (k, line) in job.lines.iter().enumerate() {
            check.check(
                &format!("jobs[{i}].lines[{k}].description"),
                &line.description,
            );
        }
    }
    Ok(check)
}

pub(crate) fn add_estimate(
    tx: &mut DbConn,
    actor: &Actor,
    id: RoId,
    if_match: Option<i64>,
    input: &EstimateInput,
    cx: &Ctx,
) -> Result<RoView, AppError> {
    let now = cx.now;
    let mut ro = RepairOrder::load_for_write(tx, actor, id, if_match)?;
    let status = estimate_open(&ro, "the estimate cannot change")?;
    let mut v = Violations::new();
    let round = parse_round(&ro, input, stored(now), &mut v);
    v.finish()?;
    db::estimate::insert(tx, &round.jobs, &round.lines)?;
    let needs_approval = round.jobs.iter().any(|j| j.approval == Approval::Pending);
    ro.add_jobs(round.jobs.clone(), round.lines);
    if let Some(d) = round.discount {
        ro.row.discount_cents = d.0;
    }
    ro.row.estimate_version += 1;
    let mut transition = None;
    if needs_approval && status != RoStatus::AwaitingApproval {
        check_transition(status, RoStatus::AwaitingApproval, &ro.facts()?)?;
        ro.set_status(RoStatus::AwaitingApproval);
        transition = Some((status, RoStatus::AwaitingApproval));
    }
    let totals = ro.totals()?;
    let event = RoEvent::EstimateSent(EstimateSent {
        estimate_version: ro.row.estimate_version,
        jobs_added: round.jobs.len(),
        total_cents: totals.proposed.total.0,
        warranty_cents: totals.warranty.0,
    });
    save_and_record(
        tx,
        cx,
        &mut ro,
        By::Staff(actor.staff_id),
        event,
        transition,
    )?;
    let mut view = RoView::build(&ro, &cx.links)?;
    view.jargon = jargon(&ro, input)?.flags();
    Ok(view)
}

impl App {
    pub async fn add_estimate(
        &self,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
        input: EstimateInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RoView>, AppError> {
        self.staff_write(
            actor,
            Permission::WriteEstimate,
            idem,
            move |tx, who, cx| {
                Ok((
                    Outcome::Done,
                    add_estimate(tx, who, id, if_match, &input, cx)?,
                ))
            },
        )
        .await
    }
}
