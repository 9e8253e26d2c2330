//! The cashier's counter: the cars ready to go and who hands each over
//! until when, whether the customer is here, what is left to pay, and what
//! still stands between them and their keys.

use super::board::duration_words;
use super::session::DeskSession;
use crate::app::handover::candidates::zone;
use crate::app::messaging::context::vehicle_words;
use crate::app::repair_order::RepairOrder;
use crate::app::time::utc;
use crate::app::{App, AppError};
use crate::db;
use crate::domain::ids::{DealershipId, RefundId, RoId};
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::local_time::{clock_time, describe, describe_until};
use crate::domain::money::Cents;
use crate::domain::payment::PaymentMethod;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Most open ROs the counter looks through (as the board).
const COUNTER_LIMIT: i64 = 500;

#[derive(Debug, Serialize)]
pub struct CounterView {
    pub now_words: String,
    /// Ready for pickup, the customers who are here first.
    pub ready: Vec<CounterCar>,
    /// Work done, ready as soon as someone who can hand it over is here.
    pub waiting: Vec<CounterCar>,
    /// Money to hand back: credits on counter payments, and online refunds
    /// Stripe would not make.
    pub refunds: Vec<CounterRefund>,
}

#[derive(Debug, Serialize)]
pub struct CounterRefund {
    pub id: RefundId,
    pub ro_id: RoId,
    pub number: i64,
    pub customer: String,
    pub amount_words: String,
    /// "cash", "card at the counter", …
    pub how: &'static str,
    pub reason: String,
    /// Why Stripe did not refund it, for one paid online.
    pub error: Option<String>,
}

/// How the cashier gives money back that came this way.
fn how(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::CardPresent => "to the card, at the terminal",
        PaymentMethod::Cash => "in cash",
        PaymentMethod::Check => "by check",
        PaymentMethod::Account => "to the customer's account",
        PaymentMethod::Online => "to the card paid online, at the terminal",
    }
}

/// The refunds waiting for a cashier, each with its order and reason.
fn refunds(
    conn: &mut db::DbConn,
    dealership_id: DealershipId,
) -> Result<Vec<CounterRefund>, AppError> {
    let waiting = db::credits::with_cashier(conn, dealership_id)?;
    let mut out = Vec::with_capacity(waiting.len());
    for r in waiting {
        let Some(ro) = RepairOrder::load(conn, dealership_id, r.ro_id)? else {
            continue;
        };
        let reason = db::credits::for_ro(conn, r.ro_id)?
            .into_iter()
            .find(|c| c.id == r.credit_id)
            .map(|c| c.reason)
            .unwrap_or_default();
        out.push(CounterRefund {
            id: r.id,
            ro_id: r.ro_id,
            number: ro.row.number,
            customer: ro.customer.name.clone(),
            amount_words: Cents(r.amount_cents).display_usd(),
            how: how(r.method),
            reason,
            error: r.last_error,
        });
    }
    Ok(out)
}

#[derive(Debug, Serialize)]
pub struct CounterCar {
    pub id: RoId,
    pub number: i64,
    pub version: i64,
    pub customer: String,
    pub vehicle: String,
    pub promised_words: String,
    /// "Ana Lopez until 17:00".
    pub handover_name: Option<String>,
    pub handover_until: Option<String>,
    /// "here 12 min" ("just arrived") when the customer is at the counter.
    pub here_for: Option<String>,
    pub handover_recorded: bool,
    pub balance_due_cents: i64,
    pub balance_words: String,
    pub paid_words: String,
    /// What still stands before the keys go, in words (empty: nothing).
    pub before_keys: Vec<&'static str>,
}

fn car(
    ro: &RepairOrder,
    arrived: Option<&DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<CounterCar, AppError> {
    let (tz, _) = zone(&ro.dealership);
    let row = &ro.row;
    let totals = ro.totals()?;
    let handover_name = match row.handover_staff_id {
        Some(id) => Some(ro.staff_name(id)?.to_owned()),
        None => None,
    };
    let mut before_keys = Vec::new();
    if row.status == RoStatus::ReadyForPickup && row.handover_recorded_at.is_none() {
        before_keys.push("go through every concern with the customer (the handover)");
    }
    if totals.balance_due.0 > 0 {
        before_keys.push("take the payment");
    }
    Ok(CounterCar {
        id: row.id,
        number: row.number,
        version: row.version,
        customer: ro.customer.name.clone(),
        vehicle: vehicle_words(ro, Language::En),
        promised_words: describe(ro.promised_at(), now, tz, Language::En),
        handover_name,
        handover_until: row
            .handover_until
            .map(|u| describe_until(utc(u), now, tz, Language::En)),
        here_for: arrived
            .filter(|at| row.status == RoStatus::ReadyForPickup && **at <= now)
            .map(|at| match now - *at {
                d if d.num_minutes() < 1 => "just arrived".to_owned(),
                d => format!("here {}", duration_words(d)),
            }),
        handover_recorded: row.handover_recorded_at.is_some(),
        balance_due_cents: totals.balance_due.0,
        balance_words: totals.balance_due.display_usd(),
        paid_words: totals.paid.display_usd_unless_zero(),
        before_keys,
    })
}

impl App {
    pub async fn counter(&self, session: &DeskSession) -> Result<CounterView, AppError> {
        let now = self.clock.now();
        let dealership_id = session.actor.dealership_id;
        self.db
            .run(move |conn| {
                let dealership = db::dealerships::find(conn, dealership_id)?
                    .ok_or(AppError::NotFound("dealership"))?;
                let rows: Vec<_> = db::repair_orders::open_for(conn, dealership_id, COUNTER_LIMIT)?
                    .into_iter()
                    .filter(|r| {
                        r.status == RoStatus::ReadyForPickup
                            || (r.status == RoStatus::WorkComplete && r.ready_when_available)
                    })
                    .collect();
                let ros = RepairOrder::load_many(conn, rows)?;
                let ids: Vec<RoId> = ros.iter().map(|r| r.row.id).collect();
                let arrived: HashMap<RoId, DateTime<Utc>> =
                    db::events::last_of_kind(conn, &ids, "customer_arrived")?
                        .into_iter()
                        .map(|(id, at)| (id, utc(at)))
                        .collect();
                let (mut ready, mut waiting) = (Vec::new(), Vec::new());
                for ro in &ros {
                    let c = car(ro, arrived.get(&ro.row.id), now)?;
                    match ro.row.status {
                        RoStatus::ReadyForPickup => ready.push(c),
                        _ => waiting.push(c),
                    }
                }
                // The customers standing at the counter first.
                ready.sort_by_key(|c| c.here_for.is_none());
                let (tz, _) = zone(&dealership);
                Ok(CounterView {
                    now_words: clock_time(now, tz, Language::En),
                    ready,
                    waiting,
                    refunds: refunds(conn, dealership_id)?,
                })
            })
            .await
    }
}
