//! The repair order as clients see it (GET, and the answer to every write).

use crate::app::AppError;
use crate::app::public::links;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::aggregate::{EstimateJob, line_amount};
use crate::app::time::utc;
use crate::db::models::{LineRow, PaymentRow};
use crate::domain::bill::{Scope, TaxRules};
use crate::domain::concern::ConcernOutcome;
use crate::domain::consent::ConsentMethod;
use crate::domain::estimate::{Approval, DecisionChannel, LineKind, PayType};
use crate::domain::jargon::JargonFlag;
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::money::Quantity;
use crate::domain::payment::PaymentMethod;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct RoView {
    pub id: Uuid,
    /// Sequential per dealership.
    pub number: i64,
    pub status: RoStatus,
    /// Send it back in `If-Match` to make a write conditional.
    pub version: i64,
    /// Where the RO may go next from here.
    pub allowed_next: Vec<RoStatus>,
    pub advisor_id: Uuid,
    pub advisor_name: String,
    /// The projected completion time promised to the customer.
    pub promised_at: DateTime<Utc>,
    pub customer: CustomerView,
    pub vehicle: VehicleView,
    pub concerns: Vec<ConcernView>,
    /// The estimate: jobs the customer approves or declines as a whole.
    pub jobs: Vec<JobView>,
    /// Raised each time jobs are added; approvals apply to what was seen.
    pub estimate_version: i32,
    /// The rules this RO's estimate is written under (kept from check-in,
    /// whatever the dealership changes later).
    pub tax_rules: TaxRulesView,
    /// If the customer approves every job still waiting: customer-pay jobs
    /// not declined, the shop-supplies fee, less the RO's discount.
    pub subtotal_cents: i64,
    /// The shop-supplies fee inside `subtotal_cents`.
    pub shop_supplies_cents: i64,
    /// The RO's discount as applied (jobs' own discounts are in their
    /// subtotals).
    pub discount_cents: i64,
    /// The part of `subtotal_cents` tax is computed on.
    pub taxable_cents: i64,
    /// Tax on `taxable_cents`, computed once and rounded half away from zero.
    pub tax_cents: i64,
    /// subtotal + tax.
    pub total_cents: i64,
    /// The same figures for what the customer approved: what they owe.
    pub approved: BillView,
    /// What warranty covers (shown to the customer, not billed).
    pub warranty_cents: i64,
    /// What the dealership absorbs (not billed).
    pub internal_cents: i64,
    /// Customer-pay jobs the customer declined.
    pub declined_cents: i64,
    pub paid_cents: i64,
    /// What they approved less what they paid, never below zero.
    pub balance_due_cents: i64,
    pub payments: Vec<PaymentView>,
    /// Who will hand the car over and until when, once ready.
    pub handover: Option<HandoverView>,
    pub handover_recorded_at: Option<DateTime<Utc>>,
    /// Ready was requested but nobody was there: it happens when the
    /// handover person comes on duty.
    pub ready_when_available: bool,
    /// The customer's status page: the link every message carries.
    pub customer_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Shop words found in what this request wrote for the customer, with
    /// plain words to use instead. A warning: the write was made. Empty on
    /// reads.
    pub jargon: Vec<JargonFlag>,
}

/// One part of the bill.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillView {
    pub subtotal_cents: i64,
    pub shop_supplies_cents: i64,
    pub discount_cents: i64,
    pub taxable_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
}

impl BillView {
    fn of(s: &Scope) -> Self {
        Self {
            subtotal_cents: s.subtotal.0,
            shop_supplies_cents: s.shop_supplies.0,
            discount_cents: s.ro_discount.0,
            taxable_cents: s.taxable.0,
            tax_cents: s.tax.0,
            total_cents: s.total.0,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaxRulesView {
    /// Basis points: 825 is 8.25 %.
    pub tax_rate_bp: u32,
    /// Which kinds of line are taxed.
    pub taxable_kinds: Vec<LineKind>,
    /// The shop-supplies fee: basis points of customer-pay labor …
    pub shop_supplies_bp: u32,
    /// … at most this much.
    pub shop_supplies_cap_cents: i64,
}

impl TaxRulesView {
    pub(crate) fn of(rules: &TaxRules) -> Self {
        Self {
            tax_rate_bp: rules.rate.basis_points(),
            taxable_kinds: rules.taxable.kinds(),
            shop_supplies_bp: rules.shop_supplies.rate_bp,
            shop_supplies_cap_cents: rules.shop_supplies.cap.0,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub language: Language,
    pub sms_consent: Option<ConsentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentView {
    pub given_at: DateTime<Utc>,
    pub method: ConsentMethod,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VehicleView {
    pub vin: String,
    pub year: Option<i32>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub plate: Option<String>,
    pub mileage: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernView {
    pub id: Uuid,
    /// In the customer's words.
    pub description: String,
    /// Set at handover: fixed, deferred, declined or could_not_reproduce.
    pub outcome: Option<ConcernOutcome>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    pub id: Uuid,
    /// What the customer reads.
    pub title: String,
    /// customer, warranty or internal.
    pub pay_type: PayType,
    /// not_required, pending, approved or declined.
    pub approval: Approval,
    /// The concern this job answers.
    pub concern_id: Option<Uuid>,
    pub lines: Vec<LineView>,
    /// Off this job's lines.
    pub discount_cents: i64,
    /// The lines less the discount.
    pub subtotal_cents: i64,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_via: Option<DecisionChannel>,
    pub estimate_version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    pub id: Uuid,
    /// labor, part, fee or sublet.
    pub kind: LineKind,
    pub description: String,
    /// Up to two decimals (1.5 hours).
    pub quantity: f64,
    pub unit_price_cents: i64,
    /// quantity × unit price, rounded to the cent.
    pub amount_cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverView {
    pub staff_id: Uuid,
    pub name: String,
    /// Until when that person is there (null while no shift end is known).
    pub until: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoList {
    pub items: Vec<RoView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl RoView {
    pub(crate) fn build(ro: &RepairOrder, links: &links::Links) -> Result<Self, AppError> {
        let row = &ro.row;
        let status = ro.status();
        let totals = ro.totals()?;
        let handover = match row.handover_staff_id {
            Some(staff) if status == RoStatus::ReadyForPickup => Some(HandoverView {
                staff_id: staff.uuid(),
                name: ro.staff_name(staff)?.to_owned(),
                until: row.handover_until.map(utc),
            }),
            _ => None,
        };
        Ok(Self {
            id: row.id.uuid(),
            number: row.number,
            status,
            version: row.version,
            allowed_next: status.allowed_next().to_vec(),
            advisor_id: row.advisor_id.uuid(),
            advisor_name: ro.staff_name(row.advisor_id)?.to_owned(),
            promised_at: utc(row.promised_at),
            customer: customer_view(ro),
            vehicle: VehicleView {
                vin: row.vin.to_string(),
                year: row.vehicle_year,
                make: row.vehicle_make.clone(),
                model: row.vehicle_model.clone(),
                plate: row.vehicle_plate.clone(),
                mileage: row.vehicle_mileage,
            },
            concerns: ro
                .concerns
                .iter()
                .map(|c| ConcernView {
                    id: c.id.uuid(),
                    description: c.description.clone(),
                    outcome: c.outcome,
                    note: c.note.clone(),
                })
                .collect(),
            jobs: ro.jobs.iter().map(job_view).collect(),
            estimate_version: row.estimate_version,
            tax_rules: TaxRulesView::of(&ro.tax_rules()?),
            subtotal_cents: totals.proposed.subtotal.0,
            shop_supplies_cents: totals.proposed.shop_supplies.0,
            discount_cents: totals.proposed.ro_discount.0,
            taxable_cents: totals.proposed.taxable.0,
            tax_cents: totals.proposed.tax.0,
            total_cents: totals.proposed.total.0,
            approved: BillView::of(&totals.approved),
            warranty_cents: totals.warranty.0,
            internal_cents: totals.internal.0,
            declined_cents: totals.declined.0,
            paid_cents: totals.paid.0,
            balance_due_cents: totals.balance_due.0,
            payments: ro.payments.iter().map(PaymentView::from_row).collect(),
            handover,
            handover_recorded_at: row.handover_recorded_at.map(utc),
            ready_when_available: row.ready_when_available,
            customer_url: Some(links.url(row.id, row.link_version)),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            closed_at: row.closed_at.map(utc),
            jargon: Vec::new(),
        })
    }
}

fn customer_view(ro: &RepairOrder) -> CustomerView {
    let c = &ro.customer;
    CustomerView {
        name: c.name.clone(),
        phone: c.phone.as_ref().map(ToString::to_string),
        email: c.email.as_ref().map(ToString::to_string),
        language: c.language,
        sms_consent: match (c.sms_consent_at, c.sms_consent_method) {
            (Some(at), Some(method)) => Some(ConsentView {
                given_at: utc(at),
                method,
            }),
            _ => None,
        },
    }
}

fn job_view(job: &EstimateJob) -> JobView {
    let r = &job.row;
    JobView {
        id: r.id.uuid(),
        title: r.title.clone(),
        pay_type: r.pay_type,
        approval: r.approval,
        concern_id: r.concern_id.map(|c| c.uuid()),
        lines: job.lines.iter().map(line_view).collect(),
        discount_cents: job.priced().discount_applied().0,
        subtotal_cents: job.priced().subtotal().0,
        decided_at: r.decided_at.map(utc),
        decided_via: r.decided_via,
        estimate_version: r.estimate_version,
    }
}

fn line_view(l: &LineRow) -> LineView {
    LineView {
        id: l.id.uuid(),
        kind: l.kind,
        description: l.description.clone(),
        quantity: Quantity::from_hundredths(l.quantity_hundredths).as_f64(),
        unit_price_cents: l.unit_price_cents,
        amount_cents: line_amount(l).0,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentView {
    pub id: Uuid,
    pub amount_cents: i64,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    /// Who took it at the counter; null when the customer paid online.
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
}

impl PaymentView {
    pub(crate) fn from_row(row: &PaymentRow) -> Self {
        Self {
            id: row.id.uuid(),
            amount_cents: row.amount_cents,
            method: row.method,
            reference: row.reference.clone(),
            recorded_by: row.recorded_by.map(|s| s.uuid()),
            recorded_at: utc(row.recorded_at),
        }
    }
}
