//! Estimates and the customer's decisions on them.
//!
//! Lines are added in rounds: the first estimate, then supplements when the
//! technician finds more. Each round raises `estimate_version`. A round with
//! customer-pay lines sends the RO to awaiting_approval; work on it waits
//! for the customer's yes or no on every such line.

use crate::app::Ctx;
use crate::app::error::present;
use crate::app::idempotency::Outcome;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, record};
use crate::app::repair_order::view::RoView;
use crate::app::time::stored;
use crate::app::{Actor, App, AppError, IdempotencyKey, Reply};
use crate::db::{self, DbConn, models::LineRow};
use crate::domain::estimate::{Approval, Decision, DecisionChannel, LineKind, PayType};
use crate::domain::event::{DecisionsRecorded, EstimateSent, LineDecision, RoEvent};
use crate::domain::ids::{ConcernId, LineId, RoId};
use crate::domain::lifecycle::{RoStatus, check_transition};
use crate::domain::money::{Quantity, UnitPrice};
use crate::domain::role::Permission;
use crate::domain::text;
use crate::domain::validation::Violations;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Most lines added in one round, and on one RO in all.
const MAX_LINES_PER_ROUND: usize = 50;
const MAX_LINES_PER_RO: usize = 200;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EstimateInput {
    pub lines: Vec<LineInput>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    #[schema(example = "Replace front brake pads and resurface rotors")]
    pub description: String,
    /// labor, part or fee.
    #[schema(example = "labor")]
    pub kind: String,
    /// Greater than zero, at most two decimals (1.5 hours).
    #[schema(example = 1.5)]
    pub quantity: f64,
    /// 0 to 10,000,000 (one hundred thousand dollars).
    #[schema(example = 18000)]
    pub unit_price_cents: i64,
    /// customer, warranty or internal.
    #[schema(example = "customer")]
    pub pay_type: String,
    /// The concern this line answers.
    pub concern_id: Option<Uuid>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    pub decisions: Vec<DecisionInput>,
    /// How the customer told us: phone, in_person, sms, email or status_page.
    #[schema(example = "phone")]
    pub channel: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub line_id: Uuid,
    /// approved or declined.
    #[schema(example = "approved")]
    pub decision: String,
}

fn parse_lines(
    ro: &RepairOrder,
    input: &EstimateInput,
    now: DateTime<Utc>,
) -> Result<Vec<LineRow>, AppError> {
    let mut v = Violations::new();
    if input.lines.is_empty() || input.lines.len() > MAX_LINES_PER_ROUND {
        v.push(
            "lines",
            format!("must hold between 1 and {MAX_LINES_PER_ROUND} lines"),
        );
    } else if ro.lines.len() + input.lines.len() > MAX_LINES_PER_RO {
        v.push(
            "lines",
            format!("a repair order holds at most {MAX_LINES_PER_RO} lines"),
        );
    }
    let version = ro.row.estimate_version + 1;
    let first_position = ro.lines.iter().map(|l| l.position).max().unwrap_or(0) + 1;
    let mut rows = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let f = |name: &str| format!("lines[{i}].{name}");
        let description = v.check(&f("description"), text::note(&line.description, 200));
        let kind = v.check(&f("kind"), LineKind::parse(&line.kind));
        let quantity = v.check(&f("quantity"), Quantity::parse(line.quantity));
        let price = v.check(
            &f("unit_price_cents"),
            UnitPrice::parse(line.unit_price_cents),
        );
        let pay_type = v.check(&f("pay_type"), PayType::parse(&line.pay_type));
        let concern = line.concern_id.map(ConcernId::from);
        if let Some(c) = concern
            && !ro.concerns.iter().any(|k| k.id == c)
        {
            v.push(f("concern_id"), "is not a concern of this repair order");
        }
        if let (Some(description), Some(kind), Some(quantity), Some(price), Some(pay_type)) =
            (description, kind, quantity, price, pay_type)
        {
            rows.push(LineRow {
                id: LineId::generate(),
                ro_id: ro.row.id,
                position: first_position + i as i32,
                estimate_version: version,
                description,
                kind,
                quantity_hundredths: quantity.hundredths(),
                unit_price_cents: price.cents().0,
                pay_type,
                concern_id: concern,
                approval: pay_type.initial_approval(),
                decided_at: None,
                decided_via: None,
                created_at: stored(now),
                decided_ip: None,
                decided_user_agent: None,
            });
        }
    }
    v.finish()?;
    Ok(rows)
}

/// The RO's status, if its estimate is still open (before work is complete).
fn estimate_open(ro: &RepairOrder, what: &str) -> Result<RoStatus, AppError> {
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
    let status = estimate_open(&ro, "estimate lines cannot be added")?;
    let rows = parse_lines(&ro, input, now)?;
    db::lines::insert_all(tx, &rows)?;
    let needs_approval = rows.iter().any(|l| l.approval == Approval::Pending);
    ro.lines.extend(rows.iter().cloned());
    ro.row.estimate_version += 1;
    let mut transition = None;
    if needs_approval && status != RoStatus::AwaitingApproval {
        check_transition(status, RoStatus::AwaitingApproval, &ro.facts())?;
        ro.set_status(RoStatus::AwaitingApproval);
        transition = Some((status, RoStatus::AwaitingApproval));
    }
    ro.save(tx, now)?;
    let totals = ro.totals();
    let event = RoEvent::EstimateSent(EstimateSent {
        estimate_version: ro.row.estimate_version,
        lines_added: rows.len(),
        total_cents: totals.total.0,
        warranty_cents: totals.warranty.0,
    });
    record(tx, cx, &ro, By::Staff(actor.staff_id), event, transition)?;
    RoView::build(&ro, &cx.links)
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
        let line_id = LineId::from(d.line_id);
        let field = format!("decisions[{i}].line_id");
        if input.decisions[..i].iter().any(|e| e.line_id == d.line_id) {
            v.push(field, "appears twice");
            continue;
        }
        let Some(line) = ro.lines.iter().find(|l| l.id == line_id) else {
            v.push(field, "is not a line of this repair order");
            continue;
        };
        if let Some(decision) = decision
            && let Some(next) = v.check(&field, line.approval.can_become(decision))
        {
            changes.push((line_id, next));
        }
    }
    v.finish()?;
    let channel = present(channel)?;
    for (line_id, approval) in &changes {
        db::lines::set_approval(tx, *line_id, *approval, stored(now), channel)?;
        if let Some(line) = ro.lines.iter_mut().find(|l| l.id == *line_id) {
            line.approval = *approval;
            line.decided_at = Some(stored(now));
            line.decided_via = Some(channel);
        }
    }
    ro.save(tx, now)?;
    let event = RoEvent::DecisionsRecorded(DecisionsRecorded {
        channel,
        decisions: changes
            .iter()
            .map(|(line_id, approval)| LineDecision {
                line_id: *line_id,
                approval: *approval,
            })
            .collect(),
        pending_left: ro.pending_approvals(),
        ip: None,
    });
    record(tx, cx, &ro, By::Staff(actor.staff_id), event, None)?;
    RoView::build(&ro, &cx.links)
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

    /// Records the customer's decisions as the advisor heard them (on the
    /// phone, at the counter). The status page records its own.
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
