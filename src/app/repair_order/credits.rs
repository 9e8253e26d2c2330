//! Putting a bill right: a credit for a mistake found later (also after
//! pickup), never more than was paid, paid back the way the money came.
//! Online payments go back through Stripe, sent by the worker; money taken
//! at the counter is handed back by the cashier, who confirms it.

use crate::app::Ctx;
use crate::app::admin::staff::require;
use crate::app::error::present;
use crate::app::idempotency::Outcome;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, record};
use crate::app::time::{stored, utc};
use crate::app::{Actor, App, AppError, IdempotencyKey, Reply};
use crate::db::models::{CreditRow, PaymentRow, RefundRow};
use crate::db::{self, DbConn};
use crate::domain::event::{CreditIssued, RefundShare, Refunded, RoEvent};
use crate::domain::ids::{CreditId, RefundId, RoId};
use crate::domain::money::{Cents, TaxRate};
use crate::domain::payment::RefundState;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::domain::validation::Violations;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// A credit: an amount, or the tax rate that should have applied (the
/// credit is then the tax charged less the tax at that rate). Give one.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCredit {
    #[schema(example = 1250)]
    pub amount_cents: Option<i64>,
    /// The right tax rate in basis points (975 = 9.75%).
    #[schema(example = 975)]
    pub corrected_tax_rate_bp: Option<i64>,
    /// What went wrong, in plain words: the customer reads it.
    #[schema(example = "Sales tax was charged at the city rate; you live outside the city.")]
    pub reason: Option<String>,
}

/// The cashier handed a refund back.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundConfirmation {
    /// The terminal's receipt number or the check number. Never a card number.
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefundView {
    pub id: uuid::Uuid,
    pub payment_id: uuid::Uuid,
    /// How the money came, and so how it goes back.
    pub method: String,
    pub amount_cents: i64,
    /// pending or sending (to Stripe), with_cashier, refunded.
    pub state: String,
    pub reference: Option<String>,
    pub refunded_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why Stripe did not refund it, if it did not.
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreditView {
    pub id: uuid::Uuid,
    pub ro_id: uuid::Uuid,
    pub amount_cents: i64,
    pub reason: String,
    pub corrected_tax_rate_bp: Option<i32>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub refunds: Vec<RefundView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreditList {
    pub credits: Vec<CreditView>,
    /// What can still be credited: paid less credited.
    pub creditable_cents: i64,
}

fn refund_view(r: &RefundRow) -> RefundView {
    RefundView {
        id: r.id.uuid(),
        payment_id: r.payment_id.uuid(),
        method: r.method.as_str().to_owned(),
        amount_cents: r.amount_cents,
        state: r.state.as_str().to_owned(),
        reference: r.reference.clone(),
        refunded_at: r.refunded_at.map(utc),
        last_error: r.last_error.clone(),
    }
}

fn credit_view(c: &CreditRow, refunds: &[RefundRow]) -> CreditView {
    CreditView {
        id: c.id.uuid(),
        ro_id: c.ro_id.uuid(),
        amount_cents: c.amount_cents,
        reason: c.reason.clone(),
        corrected_tax_rate_bp: c.corrected_tax_rate_bp,
        created_at: utc(c.created_at),
        refunds: refunds
            .iter()
            .filter(|r| r.credit_id == c.id)
            .map(refund_view)
            .collect(),
    }
}

/// What the credit is, checked field by field: every bad field at once.
struct CreditRequest {
    amount: Option<Cents>,
    corrected: Option<TaxRate>,
    reason: String,
}

fn parse(input: &NewCredit) -> Result<CreditRequest, AppError> {
    let mut v = Violations::new();
    match (input.amount_cents, input.corrected_tax_rate_bp) {
        (Some(_), Some(_)) => v.push(
            "corrected_tax_rate_bp",
            "give amount_cents or corrected_tax_rate_bp, not both",
        ),
        (None, None) => v.push(
            "amount_cents",
            "give the amount to credit, or corrected_tax_rate_bp for a tax correction",
        ),
        _ => {}
    }
    if input.amount_cents.is_some_and(|a| a <= 0) {
        v.push("amount_cents", "must be greater than zero");
    }
    let corrected = match input.corrected_tax_rate_bp {
        Some(bp) => v.check("corrected_tax_rate_bp", TaxRate::parse(bp)),
        None => None,
    };
    let reason = v.check(
        "reason",
        text::note(input.reason.as_deref().unwrap_or(""), 500),
    );
    v.finish()?;
    Ok(CreditRequest {
        amount: input.amount_cents.map(Cents),
        corrected,
        reason: present(reason)?,
    })
}

/// The credit's amount: as given, or the tax overcharged.
fn amount_of(ro: &RepairOrder, request: &CreditRequest) -> Result<Cents, AppError> {
    let Some(rate) = request.corrected else {
        return present(request.amount);
    };
    let charged = ro.totals()?.approved.tax;
    let right = ro.totals_at_rate(rate)?.approved.tax;
    let over = charged - right;
    if over <= Cents::ZERO {
        let mut v = Violations::new();
        v.push(
            "corrected_tax_rate_bp",
            format!(
                "must be lower than the {} charged: only an overcharge is credited",
                ro.row.tax_rate
            ),
        );
        v.finish()?;
    }
    Ok(over)
}

/// Splits `amount` over the payments, newest first, each up to what is
/// left of it after earlier refunds.
fn shares(
    payments: &[PaymentRow],
    refunded: &[RefundRow],
    amount: Cents,
) -> Vec<(PaymentRow, Cents)> {
    let mut taken: HashMap<_, Cents> = HashMap::new();
    for r in refunded {
        let t = taken.entry(r.payment_id).or_insert(Cents::ZERO);
        *t = *t + Cents(r.amount_cents);
    }
    let mut left = amount;
    let mut out = Vec::new();
    for p in payments.iter().rev() {
        if left <= Cents::ZERO {
            break;
        }
        let room = Cents(p.amount_cents) - taken.get(&p.id).copied().unwrap_or(Cents::ZERO);
        let share = room.min(left);
        if share > Cents::ZERO {
            out.push((p.clone(), share));
            left = left - share;
        }
    }
    out
}

/// One refund per payment share: online money through Stripe (given its
/// payment intent and Stripe configured), the rest by the cashier.
fn refund_rows(
    credit: &CreditRow,
    shares: Vec<(PaymentRow, Cents)>,
    stripe_on: bool,
) -> Vec<RefundRow> {
    shares
        .into_iter()
        .map(|(p, share)| {
            let online = stripe_on && p.method.refunds_online() && p.reference.is_some();
            RefundRow {
                id: RefundId::generate(),
                credit_id: credit.id,
                ro_id: credit.ro_id,
                payment_id: p.id,
                method: p.method,
                amount_cents: share.0,
                state: if online {
                    RefundState::Pending
                } else {
                    RefundState::WithCashier
                },
                attempts: 0,
                next_attempt_at: credit.created_at,
                lease_until: None,
                last_error: None,
                reference: None,
                refunded_by: None,
                refunded_at: None,
                created_at: credit.created_at,
            }
        })
        .collect()
}

fn issue(
    tx: &mut DbConn,
    actor: &crate::app::Actor,
    id: RoId,
    input: &NewCredit,
    cx: &Ctx,
) -> Result<CreditView, AppError> {
    let request = parse(input)?;
    let ro = RepairOrder::load_for_write(tx, actor, id, None)?;
    let amount = amount_of(&ro, &request)?;
    let refunded = db::credits::refunds_for_ro(tx, ro.row.id)?;
    let paid: Cents = ro.payments.iter().map(|p| Cents(p.amount_cents)).sum();
    let credited: Cents = refunded.iter().map(|r| Cents(r.amount_cents)).sum();
    let creditable = paid - credited;
    if amount > creditable {
        return Err(AppError::Conflict {
            problem: "credit-exceeds-paid",
            detail: format!(
                "{} is more than can be credited: {} paid, {} already credited",
                amount.display_usd(),
                paid.display_usd(),
                credited.display_usd()
            ),
            extra: Some(serde_json::json!({ "creditable_cents": creditable.0 })),
        });
    }
    let now = stored(cx.now);
    let credit = CreditRow {
        id: CreditId::generate(),
        ro_id: ro.row.id,
        amount_cents: amount.0,
        reason: request.reason,
        corrected_tax_rate_bp: request.corrected.map(TaxRate::stored),
        created_by: actor.staff_id,
        created_at: now,
    };
    let shares = shares(&ro.payments, &refunded, amount);
    let refunds = refund_rows(&credit, shares, cx.settings.payments.stripe.enabled());
    db::credits::insert(tx, &credit, &refunds)?;
    let event = RoEvent::CreditIssued(CreditIssued {
        credit_id: credit.id,
        amount_cents: amount.0,
        reason: credit.reason.clone(),
        corrected_tax_rate_bp: credit.corrected_tax_rate_bp,
        refunds: refunds
            .iter()
            .map(|r| RefundShare {
                refund_id: r.id,
                payment_id: r.payment_id,
                method: r.method,
                amount_cents: r.amount_cents,
                online: r.state == RefundState::Pending,
            })
            .collect(),
    });
    record(tx, cx, &ro, By::Staff(actor.staff_id), event, None)?;
    Ok(credit_view(&credit, &refunds))
}

fn confirm(
    tx: &mut DbConn,
    actor: &crate::app::Actor,
    id: RoId,
    refund_id: RefundId,
    input: &RefundConfirmation,
    cx: &Ctx,
) -> Result<CreditView, AppError> {
    let mut v = Violations::new();
    let reference = v.check(
        "reference",
        crate::app::repair_order::cashier::parse_reference(input.reference.as_deref()),
    );
    v.finish()?;
    let reference = present(reference)?;
    let ro = RepairOrder::load_for_write(tx, actor, id, None)?;
    let refund =
        db::credits::find_refund(tx, ro.row.id, refund_id)?.ok_or(AppError::NotFound("refund"))?;
    if refund.state != RefundState::WithCashier {
        return Err(AppError::conflict(
            "refund-not-with-cashier",
            format!(
                "this refund is {}: only one waiting for the cashier is confirmed here",
                refund.state
            ),
        ));
    }
    let now = stored(cx.now);
    db::credits::confirmed(tx, refund.id, actor.staff_id, reference.as_deref(), now)?;
    let event = RoEvent::Refunded(Refunded {
        refund_id: refund.id,
        credit_id: refund.credit_id,
        amount_cents: refund.amount_cents,
        method: refund.method,
        reference: reference.clone(),
    });
    record(tx, cx, &ro, By::Staff(actor.staff_id), event, None)?;
    let credit = db::credits::for_ro(tx, ro.row.id)?
        .into_iter()
        .find(|c| c.id == refund.credit_id)
        .ok_or(AppError::NotFound("credit"))?;
    let refunds = db::credits::refunds_for_ro(tx, ro.row.id)?;
    Ok(credit_view(&credit, &refunds))
}

impl App {
    /// Answers 201 with the credit and how each share of it goes back.
    pub async fn issue_credit(
        &self,
        actor: &Actor,
        id: RoId,
        input: NewCredit,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<CreditView>, AppError> {
        self.staff_write(actor, Permission::IssueCredit, idem, move |tx, who, cx| {
            Ok((Outcome::Created, issue(tx, who, id, &input, cx)?))
        })
        .await
    }

    /// The cashier paid a refund back at the counter.
    pub async fn confirm_refund(
        &self,
        actor: &Actor,
        id: RoId,
        refund_id: RefundId,
        input: RefundConfirmation,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<CreditView>, AppError> {
        self.staff_write(actor, Permission::IssueCredit, idem, move |tx, who, cx| {
            Ok((Outcome::Done, confirm(tx, who, id, refund_id, &input, cx)?))
        })
        .await
    }

    /// The RO's credits and what can still be credited.
    pub async fn credits(&self, actor: &Actor, id: RoId) -> Result<CreditList, AppError> {
        require(actor, Permission::ViewRepairOrders)?;
        let dealership = actor.dealership_id;
        self.db
            .run(move |conn| {
                let ro = RepairOrder::load(conn, dealership, id)?
                    .ok_or(AppError::NotFound("repair order"))?;
                let credits = db::credits::for_ro(conn, id)?;
                let refunds = db::credits::refunds_for_ro(conn, id)?;
                let paid: Cents = ro.payments.iter().map(|p| Cents(p.amount_cents)).sum();
                let credited: Cents = refunds.iter().map(|r| Cents(r.amount_cents)).sum();
                Ok(CreditList {
                    credits: credits.iter().map(|c| credit_view(c, &refunds)).collect(),
                    creditable_cents: (paid - credited).0,
                })
            })
            .await
    }
}
