//! What Stripe tells us, each event once: a paid Checkout Session becomes a
//! payment on the RO (method online, Stripe's amount, the payment intent as
//! its reference) with its timeline entry, in one transaction with the
//! event's id; an expired one is forgotten; every other type is ignored.

use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, save_and_record};
use crate::app::time::stored;
use crate::app::{App, AppError, Ctx};
use crate::db::models::PaymentRow;
use crate::db::{self, DbConn};
use crate::domain::event::{PaymentRecorded, RoEvent};
use crate::domain::ids::{PaymentId, RoId};
use crate::domain::payment::{CheckoutState, PaymentMethod};
use serde::Deserialize;

/// The parts of a Stripe event we read.
#[derive(Debug, Deserialize)]
pub struct StripeEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Done,
    /// Seen before: nothing changed.
    Replay,
    /// Not a type we act on.
    Ignored,
}

fn text<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(serde_json::Value::as_str)
}

/// The RO a Checkout Session was made for: ours on record, else the one
/// its metadata names.
fn ro_of(tx: &mut DbConn, session: &serde_json::Value) -> Result<Option<RepairOrder>, AppError> {
    let id = text(session, "id").unwrap_or_default();
    let ro_id = match db::checkout::find(tx, id)? {
        Some(row) => Some(row.ro_id),
        None => session
            .get("metadata")
            .and_then(|m| text(m, "ro_id"))
            .or_else(|| text(session, "client_reference_id"))
            .and_then(|r| r.parse::<uuid::Uuid>().ok())
            .map(RoId::from),
    };
    let Some(ro_id) = ro_id else { return Ok(None) };
    let Some(row) = db::repair_orders::find_any(tx, ro_id)? else {
        return Ok(None);
    };
    RepairOrder::lock(tx, row.dealership_id, row.id)?
        .ok_or(AppError::NotFound("repair order"))
        .map(Some)
}

fn paid(tx: &mut DbConn, cx: &Ctx, session: &serde_json::Value) -> Result<Handled, AppError> {
    if text(session, "payment_status") != Some("paid") {
        return Ok(Handled::Ignored);
    }
    let amount = session
        .get("amount_total")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    let Some(mut ro) = ro_of(tx, session)? else {
        tracing::warn!("a paid Checkout Session names no repair order of ours");
        return Ok(Handled::Ignored);
    };
    if amount <= 0 {
        return Ok(Handled::Ignored);
    }
    let due_before = ro.totals()?.balance_due.0;
    let row = PaymentRow {
        id: PaymentId::generate(),
        ro_id: ro.row.id,
        amount_cents: amount,
        method: PaymentMethod::Online,
        reference: text(session, "payment_intent").map(str::to_owned),
        recorded_by: None,
        recorded_at: stored(cx.now),
    };
    db::payments::insert(tx, &row)?;
    if let Some(id) = text(session, "id") {
        db::checkout::set_state(tx, id, CheckoutState::Completed)?;
    }
    ro.payments.push(row.clone());
    let event = RoEvent::PaymentRecorded(PaymentRecorded {
        payment_id: row.id,
        amount_cents: amount,
        method: PaymentMethod::Online,
        balance_due_cents: ro.totals()?.balance_due.0,
        balance_before_cents: Some(due_before),
    });
    // The cashier hears of it (notices): recorded as paid all the same.
    if amount != due_before {
        tracing::warn!(
            amount,
            due_before,
            "an online payment does not match the balance it was made for"
        );
    }
    save_and_record(tx, cx, &mut ro, By::Customer, event, None)?;
    Ok(Handled::Done)
}

impl App {
    /// Acts on one verified Stripe event, once.
    pub async fn stripe_event(&self, event: StripeEvent) -> Result<Handled, AppError> {
        let cx = self.ctx();
        self.db
            .write(move |tx| {
                if !db::checkout::claim_event(tx, &event.id, &event.kind, stored(cx.now))? {
                    return Ok(Handled::Replay);
                }
                let session = &event.data.object;
                match event.kind.as_str() {
                    "checkout.session.completed" => paid(tx, &cx, session),
                    "checkout.session.expired" => {
                        if let Some(id) = text(session, "id") {
                            db::checkout::set_state(tx, id, CheckoutState::Expired)?;
                        }
                        Ok(Handled::Done)
                    }
                    _ => Ok(Handled::Ignored),
                }
            })
            .await
    }
}
