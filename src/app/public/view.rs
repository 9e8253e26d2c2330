//! What the customer's status page shows (also GET /api/v1/public/{token}):
//! the car, its status in plain words, the estimate, who hands it over, the
//! conversation. Only first names of staff.

use super::estimate_view::{bill, jobs};
use crate::app::AppError;
use crate::app::handover::candidates::zone;
use crate::app::messaging::context::vehicle_words;
use crate::app::repair_order::RepairOrder;
use crate::app::time::utc;
use crate::db::{self, DbConn};
use crate::domain::ids::StaffId;
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::local_time::{describe, describe_until};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// What the page shows (also GET /api/v1/public/{token}).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicView {
    pub language: Language,
    pub dealership: PublicDealership,
    pub number: i64,
    pub status: String,
    pub vehicle: String,
    pub promised_at: DateTime<Utc>,
    /// "today at 5:00 PM", in the dealership's zone.
    pub promised_words: String,
    pub advisor_first_name: String,
    pub timeline: Vec<PublicStep>,
    /// Send it back with decisions: they apply to the estimate you saw.
    pub estimate_version: i32,
    /// Customer-pay jobs, each with its lines and the customer's answer.
    pub jobs: Vec<PublicJob>,
    /// What warranty or the dealership pays for: shown, never billed.
    pub covered: Vec<PublicJob>,
    /// The sum of `covered` ("" when nothing is).
    pub covered_total: String,
    /// The bill for the work you approved.
    pub approved: PublicBill,
    /// The bill if you approve every job still waiting (only while some is).
    pub if_all_approved: Option<PublicBill>,
    /// The rate applied, as printed: "8.25%".
    pub tax_rate: String,
    pub paid: String,
    /// What you owe for approved work, less what you paid.
    pub balance_due: String,
    pub balance_due_cents: i64,
    /// Whether the page offers to pay the balance online now.
    pub pay_online: bool,
    /// Whether a customer-pay job waits for your answer (and the page asks).
    pub decisions_open: bool,
    /// Who hands the car over, once it is ready.
    pub handover: Option<PublicHandover>,
    /// What you told us, in your words; after the handover, what was done.
    pub concerns: Vec<PublicConcern>,
    pub messages: Vec<PublicMessage>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicDealership {
    pub name: String,
    pub phone: String,
    /// One line, as printed ("" when not set).
    pub address: String,
    /// "Open today 7:30 AM to 6:00 PM" ("" when no hours are set).
    pub hours_today: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicStep {
    pub at: DateTime<Utc>,
    pub at_words: String,
    /// checked_in, estimate_sent, in_progress, waiting_parts, work_complete, ready, picked_up, …
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicJob {
    pub id: String,
    pub title: String,
    /// The concern it answers, in your words.
    pub concern: Option<String>,
    pub lines: Vec<PublicLine>,
    /// "" without a discount.
    pub discount: String,
    pub subtotal: String,
    /// customer, warranty or internal.
    pub payer: String,
    /// not_required, pending, approved or declined.
    pub approval: String,
    /// Can be approved or declined here now.
    pub decidable: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicLine {
    /// labor, part, fee or sublet.
    pub kind: String,
    pub description: String,
    pub amount: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicBill {
    /// The jobs in this bill, after their own discounts.
    pub jobs: String,
    pub subtotal: String,
    /// "" when there is no fee.
    pub shop_supplies: String,
    /// "" without a discount.
    pub discount: String,
    pub tax: String,
    pub total: String,
    pub total_cents: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicHandover {
    pub first_name: String,
    pub until_words: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicConcern {
    pub description: String,
    pub outcome: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicMessage {
    /// "you", or the staff member's first name.
    pub from: String,
    pub body: String,
    pub at_words: String,
}

/// What /s/{token} answers.
pub enum PublicPage {
    Open(Box<PublicView>),
    /// The link ran out (some days after pickup): who to call instead.
    Expired {
        dealership: PublicDealership,
        language: Language,
    },
}

fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or(name).to_owned()
}

pub(crate) fn view(
    tx: &mut DbConn,
    ro: &RepairOrder,
    now: DateTime<Utc>,
) -> Result<PublicView, AppError> {
    let language = ro.customer.language;
    let (tz, _) = zone(&ro.dealership);
    let totals = ro.totals()?;
    let status = ro.status();
    let (jobs, covered) = jobs(ro, status.accepts_estimate());
    Ok(PublicView {
        language,
        dealership: public_dealership(ro, now),
        number: ro.row.number,
        status: status.as_str().into(),
        vehicle: vehicle_words(ro, language),
        promised_at: ro.promised_at(),
        promised_words: describe(ro.promised_at(), now, tz, language),
        advisor_first_name: first_name(ro.staff_name(ro.row.advisor_id)?),
        timeline: steps(tx, ro, now)?,
        estimate_version: ro.row.estimate_version,
        decisions_open: jobs.iter().any(|j| j.decidable),
        jobs,
        covered_total: (totals.warranty + totals.internal).display_usd_unless_zero(),
        covered,
        approved: bill(&totals.approved),
        if_all_approved: (ro.pending_approvals() > 0).then(|| bill(&totals.proposed)),
        tax_rate: ro.tax_rules()?.rate.to_string(),
        paid: totals.paid.display_usd(),
        balance_due: totals.balance_due.display_usd(),
        balance_due_cents: totals.balance_due.0,
        pay_online: false,
        handover: match (ro.row.handover_staff_id, status) {
            (Some(id), RoStatus::ReadyForPickup) => Some(PublicHandover {
                first_name: first_name(ro.staff_name(id)?),
                until_words: ro
                    .row
                    .handover_until
                    .map(|u| describe_until(utc(u), now, tz, language)),
            }),
            _ => None,
        },
        concerns: concerns(ro),
        messages: messages(tx, ro, now)?,
    })
}

pub(crate) fn public_dealership(ro: &RepairOrder, now: DateTime<Utc>) -> PublicDealership {
    let d = &ro.dealership;
    let (tz, _) = zone(d);
    PublicDealership {
        name: d.name.clone(),
        phone: d.phone.to_string(),
        address: d.address.clone().unwrap_or_default(),
        hours_today: d
            .opening_hours
            .today(now, tz, ro.customer.language)
            .unwrap_or_default(),
    }
}

/// Every concern as the customer said it; what was done once the work was
/// explained at the handover.
fn concerns(ro: &RepairOrder) -> Vec<PublicConcern> {
    let explained = ro.row.handover_recorded_at.is_some();
    ro.concerns
        .iter()
        .map(|c| PublicConcern {
            description: c.description.clone(),
            outcome: c
                .outcome
                .filter(|_| explained)
                .map(|o| o.as_str().to_owned()),
            note: c.note.clone().filter(|_| explained),
        })
        .collect()
}

/// The milestones the customer sees, in words of their own zone.
fn steps(
    tx: &mut DbConn,
    ro: &RepairOrder,
    now: DateTime<Utc>,
) -> Result<Vec<PublicStep>, AppError> {
    let (tz, _) = zone(&ro.dealership);
    let language = ro.customer.language;
    Ok(db::events::list(tx, ro.row.id)?
        .into_iter()
        .filter_map(|e| {
            let kind = e.event.public_step(e.to_status)?;
            Some(PublicStep {
                at: utc(e.at),
                at_words: describe(utc(e.at), now, tz, language),
                kind: kind.to_owned(),
            })
        })
        .collect())
}

/// The conversation, with staff by first name.
fn messages(
    tx: &mut DbConn,
    ro: &RepairOrder,
    now: DateTime<Utc>,
) -> Result<Vec<PublicMessage>, AppError> {
    let (tz, _) = zone(&ro.dealership);
    let messages = db::messages::list_for_ro(tx, ro.row.id)?;
    let staff_ids: Vec<StaffId> = messages.iter().filter_map(|m| m.staff_id).collect();
    let names: HashMap<StaffId, String> = db::staff::names(tx, &staff_ids)?.into_iter().collect();
    Ok(messages
        .iter()
        .map(|m| PublicMessage {
            from: match m.staff_id {
                Some(id) => first_name(names.get(&id).map_or("", String::as_str)),
                None => "you".into(),
            },
            body: m.body.clone(),
            at_words: describe(utc(m.at), now, tz, ro.customer.language),
        })
        .collect())
}

fn sample_job(payer: &str, approval: &str, decidable: bool) -> PublicJob {
    PublicJob {
        id: "j1".into(),
        title: "Replace the front brake pads".into(),
        concern: Some("Squeal".into()),
        lines: vec![PublicLine {
            kind: "labor".into(),
            description: "Brake pads".into(),
            amount: "$1.00".into(),
        }],
        discount: "$0.10".into(),
        subtotal: "$0.90".into(),
        payer: payer.into(),
        approval: approval.into(),
        decidable,
    }
}

fn sample_bill() -> PublicBill {
    PublicBill {
        jobs: "$1.05".into(),
        subtotal: "$1.00".into(),
        shop_supplies: "$0.05".into(),
        discount: "$0.10".into(),
        tax: "$0.08".into(),
        total: "$1.08".into(),
        total_cents: 108,
    }
}

/// Renders both pages in every language with a full sample, so a broken
/// page template stops start-up like a broken message template does.
pub fn check_pages(
    templates: &crate::notify::templates::Templates,
) -> Result<(), crate::notify::templates::TemplateError> {
    let at = DateTime::<Utc>::default();
    let sample = PublicView {
        language: Language::En,
        dealership: PublicDealership {
            name: "Lakeside Motors".into(),
            phone: "+13125550100".into(),
            address: "1200 Lake Shore Dr, Chicago, IL 60610".into(),
            hours_today: "Open today 7:30 AM to 6:00 PM".into(),
        },
        number: 1001,
        status: "ready_for_pickup".into(),
        vehicle: "2019 Honda Accord".into(),
        promised_at: at,
        promised_words: "today at 5:00 PM".into(),
        advisor_first_name: "Ana".into(),
        timeline: vec![PublicStep {
            at,
            at_words: "today at 9:00 AM".into(),
            kind: "checked_in".into(),
        }],
        estimate_version: 1,
        jobs: vec![sample_job("customer", "pending", true)],
        covered: vec![sample_job("warranty", "not_required", false)],
        covered_total: "$2.00".into(),
        approved: sample_bill(),
        if_all_approved: Some(sample_bill()),
        tax_rate: "8.25%".into(),
        paid: "$0.00".into(),
        balance_due: "$1.08".into(),
        balance_due_cents: 108,
        pay_online: true,
        decisions_open: true,
        handover: Some(PublicHandover {
            first_name: "Ana".into(),
            until_words: Some("6:00 PM today".into()),
        }),
        concerns: vec![PublicConcern {
            description: "Squeal".into(),
            outcome: Some("fixed".into()),
            note: Some("New pads".into()),
        }],
        messages: vec![PublicMessage {
            from: "you".into(),
            body: "Hi".into(),
            at_words: "today".into(),
        }],
    };
    for lang in [Language::En, Language::Es] {
        let ctx = serde_json::json!({ "view": sample, "token": "t", "csrf": "c", "nonce": "n", "flash": "f", "error": "e" });
        templates.render_page(lang, "status_page", &ctx)?;
        templates.render_page(
            lang,
            "status_expired",
            &serde_json::json!({ "dealership": sample.dealership, "nonce": "n" }),
        )?;
    }
    Ok(())
}
