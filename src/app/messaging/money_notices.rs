//! Who hears about money: a payment made from the phone (the customer gets
//! a receipt, the cashier is told, with any difference from what was due),
//! a credit (the customer hears how much, why and how it comes back; the
//! cashier is asked for what goes back at the counter), and an online
//! refund Stripe would not make (the cashier pays it back instead).

use super::notices::{on_duty_first, tell_customer, tell_staff};
use crate::app::repair_order::RepairOrder;
use crate::app::{AppError, Ctx};
use crate::db::{self, DbConn};
use crate::domain::event::{CreditIssued, PaymentRecorded, RefundShare};
use crate::domain::message::MessageKind;
use crate::domain::money::{Cents, TaxRate};
use crate::domain::payment::PaymentMethod;
use crate::domain::role::Role;
use crate::notify::context::{CreditCtx, PaymentCtx};

pub(super) fn payment_recorded(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause: &str,
    p: &PaymentRecorded,
) -> Result<(), AppError> {
    // Paid at the counter: the cashier was there and gave the receipt.
    if !p.method.refunds_online() {
        return Ok(());
    }
    let payment = PaymentCtx {
        amount: Cents(p.amount_cents).display_usd(),
        expected: p
            .balance_before_cents
            .filter(|before| *before != p.amount_cents)
            .map(|before| Cents(before).display_usd()),
    };
    let receipt = PaymentCtx {
        expected: None,
        ..payment.clone()
    };
    tell_customer(tx, cx, ro, cause, MessageKind::PaidOnline, None, |c| {
        c.payment = Some(receipt)
    })?;
    tell_cashiers(tx, cx, ro, cause, MessageKind::StaffPaidOnline, |c| {
        c.payment = Some(payment.clone())
    })
}

/// "card at the counter", "cash", …: how the cashier gives it back.
fn counter_words(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::CardPresent => "card at the counter",
        PaymentMethod::Cash => "cash",
        PaymentMethod::Check => "check",
        PaymentMethod::Account => "the customer's account",
        PaymentMethod::Online => "card paid online",
    }
}

fn sum(shares: &[&RefundShare]) -> Cents {
    shares.iter().map(|s| Cents(s.amount_cents)).sum()
}

pub(super) fn credit_issued(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause: &str,
    credit: &CreditIssued,
) -> Result<(), AppError> {
    let (online, counter): (Vec<&RefundShare>, Vec<&RefundShare>) =
        credit.refunds.iter().partition(|r| r.online);
    let words = CreditCtx {
        amount: Cents(credit.amount_cents).display_usd(),
        reason: credit.reason.clone(),
        to_card: Cents::display_usd_unless_zero(sum(&online)),
        at_counter: Cents::display_usd_unless_zero(sum(&counter)),
        counter_method: counter
            .first()
            .map(|r| counter_words(r.method).to_owned())
            .unwrap_or_default(),
        error: None,
        tax_from: String::new(),
        tax_to: String::new(),
    };
    let words = match credit.corrected_tax_rate_bp.map(TaxRate::try_from) {
        Some(Ok(to)) => CreditCtx {
            tax_from: ro.row.tax_rate.to_string(),
            tax_to: to.to_string(),
            ..words
        },
        _ => words,
    };
    let for_customer = words.clone();
    tell_customer(tx, cx, ro, cause, MessageKind::Credit, None, |c| {
        c.credit = Some(for_customer)
    })?;
    if counter.is_empty() {
        return Ok(());
    }
    let for_cashier = CreditCtx {
        amount: words.at_counter.clone(),
        ..words
    };
    tell_cashiers(tx, cx, ro, cause, MessageKind::StaffRefund, |c| {
        c.credit = Some(for_cashier.clone())
    })
}

/// Stripe would not refund `amount`: the cashier pays it back instead.
pub(crate) fn refund_to_counter(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause: &str,
    amount: Cents,
    reason: &str,
    error: &str,
) -> Result<(), AppError> {
    let words = CreditCtx {
        amount: amount.display_usd(),
        reason: reason.to_owned(),
        to_card: String::new(),
        at_counter: amount.display_usd(),
        counter_method: counter_words(PaymentMethod::Online).to_owned(),
        error: Some(error.to_owned()),
        tax_from: String::new(),
        tax_to: String::new(),
    };
    tell_cashiers(tx, cx, ro, cause, MessageKind::StaffRefund, |c| {
        c.credit = Some(words.clone())
    })
}

/// Every cashier on duty (every cashier, if none is).
fn tell_cashiers(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause: &str,
    kind: MessageKind,
    adjust: impl Fn(&mut crate::notify::context::MessageContext),
) -> Result<(), AppError> {
    let staff = db::staff::list(tx, ro.dealership.id)?;
    for cashier in on_duty_first(staff, Role::Cashier) {
        tell_staff(tx, cx, ro, cause, &cashier, kind, &adjust)?;
    }
    Ok(())
}
