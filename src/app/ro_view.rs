//! The repair order as clients see it (GET, and the answer to every write).

use super::AppError;
use super::cashier::PaymentView;
use super::ids::utc;
use super::repair_order::RepairOrder;
use crate::domain::consent::ConsentMethod;
use crate::domain::lifecycle::RoStatus;
use crate::domain::money::Quantity;
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
    pub lines: Vec<LineView>,
    /// Raised each time lines are added; approvals apply to what was seen.
    pub estimate_version: i32,
    /// Customer-pay lines not declined. Warranty and internal lines are
    /// never the customer's to pay.
    pub subtotal_cents: i64,
    /// Tax on `subtotal_cents`, computed once and rounded half away from zero.
    pub tax_cents: i64,
    /// What the customer pays in all: subtotal + tax.
    pub total_cents: i64,
    /// What warranty covers (shown to the customer, not billed).
    pub warranty_cents: i64,
    /// What the dealership absorbs (not billed).
    pub internal_cents: i64,
    /// Customer-pay lines the customer declined.
    pub declined_cents: i64,
    pub paid_cents: i64,
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub language: String,
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
    pub outcome: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    pub id: Uuid,
    pub description: String,
    pub kind: String,
    /// Up to two decimals (1.5 hours).
    pub quantity: f64,
    pub unit_price_cents: i64,
    /// quantity × unit price, rounded to the cent.
    pub amount_cents: i64,
    pub pay_type: String,
    pub concern_id: Option<Uuid>,
    /// not_required, pending, approved or declined.
    pub approval: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_via: Option<String>,
    pub estimate_version: i32,
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
    pub(crate) fn build(ro: &RepairOrder, links: &super::links::Links) -> Result<Self, AppError> {
        let row = &ro.row;
        let status = ro.status()?;
        let totals = ro.totals();
        let id = |s: &str| super::ids::uuid(s);
        let handover = match &row.handover_staff_id {
            Some(staff) if status == RoStatus::ReadyForPickup => Some(HandoverView {
                staff_id: id(staff)?,
                name: ro.staff_name(staff),
                until: row.handover_until.map(utc),
            }),
            _ => None,
        };
        Ok(Self {
            id: id(&row.id)?,
            number: row.number,
            status,
            version: row.version,
            allowed_next: status.allowed_next().to_vec(),
            advisor_id: id(&row.advisor_id)?,
            advisor_name: ro.staff_name(&row.advisor_id),
            promised_at: utc(row.promised_at),
            customer: CustomerView {
                name: ro.customer.name.clone(),
                phone: ro.customer.phone.clone(),
                email: ro.customer.email.clone(),
                language: ro.customer.language.clone(),
                sms_consent: match (&ro.customer.sms_consent_at, &ro.customer.sms_consent_method) {
                    (Some(at), Some(method)) => Some(ConsentView {
                        given_at: utc(*at),
                        method: ConsentMethod::parse(method)
                            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?,
                    }),
                    _ => None,
                },
            },
            vehicle: VehicleView {
                vin: row.vin.clone(),
                year: row.vehicle_year,
                make: row.vehicle_make.clone(),
                model: row.vehicle_model.clone(),
                plate: row.vehicle_plate.clone(),
                mileage: row.vehicle_mileage,
            },
            concerns: ro
                .concerns
                .iter()
                .map(|c| {
                    Ok(ConcernView {
                        id: id(&c.id)?,
                        description: c.description.clone(),
                        outcome: c.outcome.clone(),
                        note: c.note.clone(),
                    })
                })
                .collect::<Result<_, AppError>>()?,
            lines: ro
                .lines
                .iter()
                .map(|l| {
                    let quantity = Quantity::from_hundredths(l.quantity_hundredths);
                    Ok(LineView {
                        id: id(&l.id)?,
                        description: l.description.clone(),
                        kind: l.kind.clone(),
                        quantity: quantity.as_f64(),
                        unit_price_cents: l.unit_price_cents,
                        amount_cents: crate::domain::money::line_amount(
                            quantity,
                            crate::domain::money::Cents(l.unit_price_cents),
                        )
                        .0,
                        pay_type: l.pay_type.clone(),
                        concern_id: l.concern_id.as_deref().map(id).transpose()?,
                        approval: l.approval.clone(),
                        decided_at: l.decided_at.map(utc),
                        decided_via: l.decided_via.clone(),
                        estimate_version: l.estimate_version,
                    })
                })
                .collect::<Result<_, AppError>>()?,
            estimate_version: row.estimate_version,
            subtotal_cents: totals.subtotal.0,
            tax_cents: totals.tax.0,
            total_cents: totals.total.0,
            warranty_cents: totals.warranty.0,
            internal_cents: totals.internal.0,
            declined_cents: totals.declined.0,
            paid_cents: totals.paid.0,
            balance_due_cents: totals.balance_due.0,
            payments: ro
                .payments
                .iter()
                .map(PaymentView::from_row)
                .collect::<Result<_, AppError>>()?,
            handover,
            handover_recorded_at: row.handover_recorded_at.map(utc),
            ready_when_available: row.ready_when_available,
            customer_url: Some(links.url(&row.id, row.link_version)),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            closed_at: row.closed_at.map(utc),
        })
    }
}
