//! The cashier's counter: payments in, keys out.

use crate::app::Ctx;
use crate::app::error::present;
use crate::app::idempotency::Outcome;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, save_and_record};
use crate::app::repair_order::view::RoView;
use crate::app::time::stored;
use crate::app::{Actor, App, AppError, IdempotencyKey, Reply};
use crate::db::{self, DbConn, models::PaymentRow};
use crate::domain::card::mask_card_numbers;
use crate::domain::event::{PaymentRecorded, PickedUp, RoEvent};
use crate::domain::ids::{PaymentId, RoId};
use crate::domain::lifecycle::{RoStatus, check_transition};
use crate::domain::money::Cents;
use crate::domain::payment::PaymentMethod;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::domain::validation::{Invalid, Violations};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    #[schema(example = 46493)]
    pub amount_cents: i64,
    /// card_present, cash, check, online or account.
    #[schema(example = "cash")]
    pub method: String,
    /// A check number or a terminal receipt number. Never a card number.
    pub reference: Option<String>,
}

pub(crate) fn parse_reference(raw: Option<&str>) -> Result<Option<String>, Invalid> {
    let value = text::optional_line(raw, 60)?;
    if let Some(r) = &value
        && mask_card_numbers(r) != *r
    {
        return Err(Invalid::new(
            "looks like a card number; never record card numbers, only the terminal's receipt number",
        ));
    }
    Ok(value)
}

fn pay(
    tx: &mut DbConn,
    actor: &Actor,
    id: RoId,
    if_match: Option<i64>,
    input: &NewPayment,
    cx: &Ctx,
) -> Result<RoView, AppError> {
    let now = cx.now;
    let mut v = Violations::new();
    let method = v.check("method", PaymentMethod::parse(&input.method));
    let reference = v.check("reference", parse_reference(input.reference.as_deref()));
    if input.amount_cents <= 0 {
        v.push("amount_cents", "must be greater than zero");
    }
    v.finish()?;
    let (method, reference) = (present(method)?, present(reference)?);
    let mut ro = RepairOrder::load_for_write(tx, actor, id, if_match)?;
    let status = ro.status();
    if !status.is_open() {
        return Err(AppError::conflict(
            "repair-order-closed",
            format!("the repair order is {status}; no payment can be taken on it"),
        ));
    }
    let due = ro.totals()?.balance_due;
    if Cents(input.amount_cents) > due {
        return Err(AppError::Conflict {
            problem: "overpayment",
            detail: format!(
                "{} is more than the {} due",
                Cents(input.amount_cents).display_usd(),
                due.display_usd()
            ),
            extra: Some(serde_json::json!({ "balance_due_cents": due.0 })),
        });
    }
    let row = PaymentRow {
        id: PaymentId::generate(),
        ro_id: ro.row.id,
        amount_cents: input.amount_cents,
        method,
        reference,
        recorded_by: Some(actor.staff_id),
        recorded_at: stored(now),
    };
    db::payments::insert(tx, &row)?;
    ro.payments.push(row.clone());
    let event = RoEvent::PaymentRecorded(PaymentRecorded {
        payment_id: row.id,
        amount_cents: row.amount_cents,
        method,
        balance_due_cents: ro.totals()?.balance_due.0,
        balance_before_cents: None,
    });
    save_and_record(tx, cx, &mut ro, By::Staff(actor.staff_id), event, None)?;
    RoView::build(&ro, &cx.links)
}

fn pickup(
    tx: &mut DbConn,
    actor: &Actor,
    id: RoId,
    if_match: Option<i64>,
    cx: &Ctx,
) -> Result<RoView, AppError> {
    let now = cx.now;
    let mut ro = RepairOrder::load_for_write(tx, actor, id, if_match)?;
    let from = ro.status();
    check_transition(from, RoStatus::PickedUp, &ro.facts()?)?;
    crate::app::requests::hold(tx, &ro, "picked up")?;
    ro.set_status(RoStatus::PickedUp);
    ro.row.closed_at = Some(stored(now));
    let totals = ro.totals()?;
    let event = RoEvent::PickedUp(PickedUp {
        paid_cents: totals.paid.0,
        total_cents: totals.approved.total.0,
    });
    let transition = Some((from, RoStatus::PickedUp));
    save_and_record(
        tx,
        cx,
        &mut ro,
        By::Staff(actor.staff_id),
        event,
        transition,
    )?;
    RoView::build(&ro, &cx.links)
}

impl App {
    /// Answers 201 with the RO, its new balance and the payment in `payments`.
    pub async fn record_payment(
        &self,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
        input: NewPayment,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RoView>, AppError> {
        self.staff_write(
            actor,
            Permission::RecordPayment,
            idem,
            move |tx, who, cx| Ok((Outcome::Created, pay(tx, who, id, if_match, &input, cx)?)),
        )
        .await
    }

    /// Keys released: the RO is closed.
    pub async fn pickup(
        &self,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RoView>, AppError> {
        self.staff_write(
            actor,
            Permission::ConfirmPickup,
            idem,
            move |tx, who, cx| Ok((Outcome::Done, pickup(tx, who, id, if_match, cx)?)),
        )
        .await
    }
}
