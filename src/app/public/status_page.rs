//! The customer's status page behind /s/{token}: the two things they can
//! do there — decide on the estimate, and write to the advisor — and
//! reading the page (see `view` for what it shows).

use super::links::Links;
use super::view::{PublicPage, public_dealership, view};
use crate::app::messaging::conversation::receive;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::decisions::{DecidedFrom, next_approval, record_job};
use crate::app::repair_order::timeline::{By, save_and_record};
use crate::app::time::{stored, utc};
use crate::app::{App, AppError, Ctx};
use crate::db::models::{MessageRow, RoRow};
use crate::db::{self, DbConn};
use crate::domain::card::mask_card_numbers;
use crate::domain::estimate::{Approval, Decision, DecisionChannel, PayType};
use crate::domain::event::{DecisionsRecorded, RoEvent};
use crate::domain::ids::{MessageId, RepairJobId};
use crate::domain::message::{ConversationChannel, Direction};
use crate::domain::text;
use chrono::{DateTime, Duration, Utc};

/// Where the browser is, for the record of a decision.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub(super) fn find(tx: &mut DbConn, token: &str) -> Result<RoRow, AppError> {
    db::repair_orders::find_by_token_hash(tx, &Links::hash(token))?
        .ok_or(AppError::NotFound("page"))
}

pub(super) fn expired(ro: &RepairOrder, days: i64, now: DateTime<Utc>) -> bool {
    ro.row
        .closed_at
        .is_some_and(|closed| utc(closed) + Duration::days(days) < now)
}

/// Loads and locks the RO behind `token` for a write, unless its link ran out.
fn for_write(tx: &mut DbConn, cx: &Ctx, token: &str) -> Result<RepairOrder, AppError> {
    let row = find(tx, token)?;
    let ro = RepairOrder::lock(tx, row.dealership_id, row.id)?.ok_or(AppError::NotFound("page"))?;
    if expired(&ro, cx.settings.status_page.days_after_pickup, cx.now) || !ro.status().is_open() {
        return Err(AppError::conflict(
            "repair-order-closed",
            "this repair order is closed",
        ));
    }
    Ok(ro)
}

fn decide(
    tx: &mut DbConn,
    cx: &Ctx,
    token: &str,
    seen_version: i32,
    decisions: &[(RepairJobId, Decision)],
    visitor: &Visitor,
) -> Result<(), AppError> {
    let mut ro = for_write(tx, cx, token)?;
    if !ro.status().accepts_estimate() {
        return Err(AppError::conflict(
            "estimate-closed",
            "the work is done: the estimate can no longer change",
        ));
    }
    if seen_version != ro.row.estimate_version {
        return Err(AppError::conflict(
            "stale-estimate",
            "the estimate changed since this page was opened; here is the new one",
        ));
    }
    let from = DecidedFrom {
        ip: visitor.ip.clone(),
        user_agent: visitor
            .user_agent
            .as_deref()
            .map(|u| u.chars().take(300).collect()),
    };
    let mut changed = Vec::new();
    for (job_id, decision) in decisions {
        let current = ro
            .jobs
            .iter()
            .find(|j| j.row.id == *job_id && j.row.pay_type == PayType::Customer)
            .map(|j| j.row.approval)
            .ok_or_else(|| AppError::field("decisions", "a job that is not yours to decide"))?;
        // Answering again what is already so changes nothing.
        if matches!(
            (current, decision),
            (Approval::Approved, Decision::Approved) | (Approval::Declined, Decision::Declined)
        ) {
            continue;
        }
        let next = next_approval(&ro, *job_id, *decision)
            .map_err(|e| AppError::field("decisions", e.0))?;
        let made = record_job(
            tx,
            &mut ro,
            *job_id,
            next,
            DecisionChannel::StatusPage,
            &from,
            cx.now,
        )?;
        changed.push(made);
    }
    if changed.is_empty() {
        return Ok(());
    }
    let event = RoEvent::DecisionsRecorded(DecisionsRecorded {
        channel: DecisionChannel::StatusPage,
        decisions: changed,
        pending_left: ro.pending_approvals(),
        ip: visitor.ip.clone(),
    });
    save_and_record(tx, cx, &mut ro, By::Customer, event, None)
}

fn write_to_advisor(
    tx: &mut DbConn,
    cx: &Ctx,
    token: &str,
    body: &str,
    visitor: &Visitor,
) -> Result<(), AppError> {
    let ro = for_write(tx, cx, token)?;
    let body = text::note(body, 1000).map_err(|e| AppError::field("body", e.0))?;
    let message = MessageRow {
        id: MessageId::generate(),
        dealership_id: ro.dealership.id,
        ro_id: Some(ro.row.id),
        direction: Direction::Inbound,
        channel: ConversationChannel::StatusPage,
        from_address: visitor.ip.clone(),
        staff_id: None,
        body: mask_card_numbers(&body),
        provider_id: None,
        at: stored(cx.now),
        answered_at: None,
        escalated_at: None,
    };
    receive(tx, cx, &ro, message)
}

impl App {
    pub async fn public_page(&self, token: String) -> Result<PublicPage, AppError> {
        let now = self.clock.now();
        let days = self.settings.status_page.days_after_pickup;
        let online = self.stripe.is_some();
        self.db
            .run(move |conn| {
                let row = find(conn, &token)?;
                let ro = RepairOrder::from_row(conn, row)?;
                if expired(&ro, days, now) {
                    return Ok(PublicPage::Expired {
                        dealership: public_dealership(&ro, now),
                        language: ro.customer.language,
                    });
                }
                let mut page = view(conn, &ro, now)?;
                page.pay_online = online && page.balance_due_cents > 0 && ro.status().is_open();
                Ok(PublicPage::Open(Box::new(page)))
            })
            .await
    }

    /// The customer approves or declines jobs of the estimate they saw.
    pub async fn public_decisions(
        &self,
        token: String,
        seen_version: i32,
        decisions: Vec<(RepairJobId, Decision)>,
        visitor: Visitor,
    ) -> Result<(), AppError> {
        let cx = self.ctx();
        self.db
            .write(move |tx| decide(tx, &cx, &token, seen_version, &decisions, &visitor))
            .await?;
        self.outbox.wake();
        Ok(())
    }

    /// The customer writes to the advisor from the page.
    pub async fn public_message(
        &self,
        token: String,
        body: String,
        visitor: Visitor,
    ) -> Result<(), AppError> {
        let cx = self.ctx();
        self.db
            .write(move |tx| write_to_advisor(tx, &cx, &token, &body, &visitor))
            .await?;
        self.outbox.wake();
        Ok(())
    }
}
