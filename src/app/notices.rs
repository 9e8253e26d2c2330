//! Who hears about a change, and what they read. Every event on an RO comes
//! through `after`, in the transaction that recorded it; the messages it
//! decides on go to the outbox in that same transaction.

use super::ids::utc;
use super::repair_order::RepairOrder;
use super::{AppError, Ctx};
use crate::db::models::{EventRow, StaffRow};
use crate::db::{self, DbConn};
use crate::domain::contact::NotifyBy;
use crate::domain::dealership::{LocalTime, QuietHours, TimeZone};
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::local_time::{describe, describe_until};
use crate::domain::money::{Cents, Quantity, line_amount};
use crate::domain::presence::PresenceState;
use crate::domain::role::Role;
use crate::notify::context::*;
use crate::notify::outbox::{Outgoing, Recipient};
use chrono::{DateTime, Duration, Utc};

/// How recently a customer must have texted for a reply to skip quiet hours.
const REPLY_WINDOW_MINUTES: i64 = 30;

/// The messages an event on `ro` causes.
pub(crate) fn after(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    event: &EventRow,
) -> Result<(), AppError> {
    let detail: serde_json::Value = serde_json::from_str(&event.detail).unwrap_or_default();
    let text = |key: &str| detail.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let to_status = event
        .to_status
        .as_deref()
        .and_then(|s| RoStatus::parse(s).ok());
    match event.kind.as_str() {
        "checked_in" => tell_customer(tx, cx, ro, event, "checked_in", None, |_| {}),
        "estimate_sent" => tell_customer(tx, cx, ro, event, "estimate", Some("estimate"), |_| {}),
        "promised_at_changed" => tell_customer(
            tx,
            cx,
            ro,
            event,
            "promised_changed",
            Some("promised_at"),
            |c| {
                c.reason = text("reason");
            },
        ),
        "status_changed" if to_status == Some(RoStatus::WaitingParts) => {
            tell_customer(tx, cx, ro, event, "waiting_parts", None, |_| {})
        }
        "ready" => {
            tell_customer(tx, cx, ro, event, "ready", Some("handover"), |_| {})?;
            if ro.totals().balance_due > Cents::ZERO {
                for cashier in on_duty_first(db::staff::list(tx, &ro.dealership.id)?, Role::Cashier)
                {
                    tell_staff(
                        tx,
                        cx,
                        ro,
                        &event.id,
                        &cashier,
                        "staff_cashier_ready",
                        |_| {},
                    )?;
                }
            }
            Ok(())
        }
        "picked_up" => tell_customer(tx, cx, ro, event, "picked_up", None, |_| {}),
        "handover_passed" => tell_customer(
            tx,
            cx,
            ro,
            event,
            "handover_changed",
            Some("handover"),
            |_| {},
        ),
        // Nobody to hand the car over: the customer hears when pickup is
        // next possible, before they make the trip.
        "coverage_lost" | "ready_when_available" => {
            let next = text("next_available_at").and_then(|d| d.parse::<DateTime<Utc>>().ok());
            let language = Language::parse(&ro.customer.language).unwrap_or_default();
            let words = next.map(|n| describe(n, cx.now, tz(ro), language));
            tell_customer(tx, cx, ro, event, "pickup_later", Some("handover"), |c| {
                c.next_pickup = words
            })
        }
        "progress_update" => tell_customer(tx, cx, ro, event, "progress", Some("progress"), |_| {}),
        "customer_message" => {
            // The first of the advisor and their delegates who is there.
            let first = match super::availability::decide_within(tx, ro, cx.now, Duration::zero())?
            {
                Ok(p) => p.staff_id.to_string(),
                Err(_) => ro.row.advisor_id.clone(),
            };
            let advisor = db::staff::find(tx, &ro.dealership.id, &first)?;
            let due = text("due_at").and_then(|d| d.parse::<DateTime<Utc>>().ok());
            match advisor {
                Some(a) => tell_staff(tx, cx, ro, &event.id, &a, "staff_customer_message", |c| {
                    c.message = text("body");
                    c.due = due.map(|d| describe(d, cx.now, tz(ro), Language::En));
                }),
                None => Ok(()),
            }
        }
        "staff_message" => tell_customer(tx, cx, ro, event, "reply", None, |c| {
            c.message = text("body")
        }),
        // The advisor hears of decisions someone else recorded (a manager,
        // another advisor, the customer on the status page).
        "decisions_recorded" if event.actor_id.as_deref() != Some(ro.row.advisor_id.as_str()) => {
            match db::staff::find(tx, &ro.dealership.id, &ro.row.advisor_id)? {
                Some(a) => tell_staff(tx, cx, ro, &event.id, &a, "staff_decision", |c| {
                    c.decision = Some(decision_words(&detail));
                }),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// "approved 2 and declined 1 line(s)".
fn decision_words(detail: &serde_json::Value) -> String {
    let decisions = detail
        .get("decisions")
        .and_then(|d| d.as_array())
        .cloned()
        .unwrap_or_default();
    let count = |what: &str| decisions.iter().filter(|d| d["approval"] == what).count();
    format!(
        "approved {} and declined {} line(s)",
        count("approved"),
        count("declined")
    )
}

/// Staff of `role`, those clocked in first; everyone of that role if nobody is in.
fn on_duty_first(staff: Vec<StaffRow>, role: Role) -> Vec<StaffRow> {
    let of_role: Vec<StaffRow> = staff
        .into_iter()
        .filter(|s| s.role == role.as_str())
        .collect();
    let on_duty: Vec<StaffRow> = of_role
        .iter()
        .filter(|s| s.presence == PresenceState::OnDuty.as_str())
        .cloned()
        .collect();
    if on_duty.is_empty() { of_role } else { on_duty }
}

fn tz(ro: &RepairOrder) -> chrono_tz::Tz {
    TimeZone::parse(&ro.dealership.timezone).map_or(chrono_tz::UTC, |t| t.0)
}

fn quiet_hours(ro: &RepairOrder) -> QuietHours {
    QuietHours::parse(&ro.dealership.quiet_start, &ro.dealership.quiet_end).unwrap_or_default()
}

fn tell_customer(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    event: &EventRow,
    kind: &'static str,
    supersede_key: Option<&'static str>,
    adjust: impl FnOnce(&mut MessageContext),
) -> Result<(), AppError> {
    let c = &ro.customer;
    let language = Language::parse(&c.language).unwrap_or_default();
    // A reply to a customer who just wrote goes at once, even at night.
    let answering = kind == "reply"
        && db::messages::last_inbound_at(tx, &ro.row.id)?
            .is_some_and(|at| utc(at) > cx.now - Duration::minutes(REPLY_WINDOW_MINUTES));
    let routine = !answering;
    let send_at = if routine {
        quiet_hours(ro).release_time(cx.now, tz(ro))
    } else {
        cx.now
    };
    let mut context = context(ro, &cx.links, language, send_at);
    adjust(&mut context);
    let advisor_email = ro.advisor_email.clone();
    cx.outbox.enqueue(
        tx,
        Outgoing {
            dealership: &ro.dealership,
            ro_id: Some(&ro.row.id),
            cause_id: &event.id,
            kind,
            to: Recipient::Customer {
                phone: c.phone.clone(),
                email: c.email.clone(),
                sms_consent: c.sms_consent_at.is_some(),
                notify_by: NotifyBy::parse(&c.notify_by).unwrap_or(NotifyBy::Sms),
                language,
            },
            routine,
            send_at,
            supersede_key,
            reply_to: advisor_email.or_else(|| ro.dealership.email_from.clone()),
            context,
        },
        cx.now,
    )?;
    Ok(())
}

pub(crate) fn tell_staff(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause_id: &str,
    staff: &StaffRow,
    kind: &'static str,
    adjust: impl FnOnce(&mut MessageContext),
) -> Result<(), AppError> {
    let mut context = context(ro, &cx.links, Language::En, cx.now);
    context.recipient = PersonCtx::new(&staff.name, staff.phone.as_deref());
    adjust(&mut context);
    cx.outbox.enqueue(
        tx,
        Outgoing {
            dealership: &ro.dealership,
            ro_id: Some(&ro.row.id),
            cause_id,
            kind,
            to: Recipient::Staff {
                id: staff.id.clone(),
                phone: staff.phone.clone(),
                email: staff.email.clone(),
            },
            routine: false,
            send_at: cx.now,
            supersede_key: None,
            reply_to: None,
            context,
        },
        cx.now,
    )?;
    Ok(())
}

/// Everything a template can say about `ro`, with times described as the
/// reader will see them at `send_at`.
pub(crate) fn context(
    ro: &RepairOrder,
    links: &super::links::Links,
    language: Language,
    send_at: DateTime<Utc>,
) -> MessageContext {
    let tz = tz(ro);
    let totals = ro.totals();
    let row = &ro.row;
    let vehicle = vehicle_words(ro, language);
    let handover = row.handover_staff_id.as_ref().map(|id| {
        let name = ro.staff_name(id);
        HandoverCtx {
            first_name: PersonCtx::new(&name, None).first_name,
            until: row
                .handover_until
                .map(|u| describe_until(utc(u), send_at, tz, language))
                .unwrap_or_default(),
            name,
        }
    });
    MessageContext {
        dealership: DealershipCtx {
            name: ro.dealership.name.clone(),
            phone: ro.dealership.phone.clone(),
        },
        customer: PersonCtx::new(&ro.customer.name, ro.customer.phone.as_deref()),
        advisor: PersonCtx::new(&ro.staff_name(&row.advisor_id), None),
        ro: RoCtx {
            number: row.number,
            vehicle,
            status: row.status.clone(),
            promised: describe(ro.promised_at(), send_at, tz, language),
            status_url: Some(links.url(&row.id, row.link_version)),
        },
        estimate: EstimateCtx {
            lines: ro
                .lines
                .iter()
                .filter(|l| l.approval != "declined")
                .map(|l| LineCtx {
                    description: l.description.clone(),
                    amount: line_amount(
                        Quantity::from_hundredths(l.quantity_hundredths),
                        Cents(l.unit_price_cents),
                    )
                    .display_usd(),
                    payer: l.pay_type.clone(),
                })
                .collect(),
            subtotal: totals.subtotal.display_usd(),
            tax: totals.tax.display_usd(),
            total: totals.total.display_usd(),
            warranty: if totals.warranty > Cents::ZERO {
                totals.warranty.display_usd()
            } else {
                String::new()
            },
            pending: ro.pending_approvals(),
        },
        money: MoneyCtx {
            total: totals.total.display_usd(),
            paid: totals.paid.display_usd(),
            balance_due: totals.balance_due.display_usd(),
            balance_due_cents: totals.balance_due.0,
        },
        handover,
        concerns: ro
            .concerns
            .iter()
            .map(|c| ConcernCtx {
                description: c.description.clone(),
                outcome: c.outcome.clone().unwrap_or_default(),
                note: c.note.clone().unwrap_or_default(),
            })
            .collect(),
        ..MessageContext::default()
    }
}

/// "2019 Honda Accord", or "car"/"auto" when nothing is known.
pub(crate) fn vehicle_words(ro: &RepairOrder, language: Language) -> String {
    let row = &ro.row;
    let words = [
        row.vehicle_year.map(|y| y.to_string()),
        row.vehicle_make.clone(),
        row.vehicle_model.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    match (words.is_empty(), language) {
        (false, _) => words,
        (true, Language::En) => "car".into(),
        (true, Language::Es) => "auto".into(),
    }
}

/// The next daily progress time (local `at`) at least a day after `from`.
pub(crate) fn next_progress_time(
    from: DateTime<Utc>,
    at: LocalTime,
    tz: chrono_tz::Tz,
) -> DateTime<Utc> {
    let earliest = from + Duration::days(1);
    let mut day = earliest.with_timezone(&tz).date_naive();
    for _ in 0..3 {
        let local = day.and_time(at.0);
        if let Some(t) = chrono::TimeZone::from_local_datetime(&tz, &local).earliest() {
            let t = t.with_timezone(&Utc);
            if t >= earliest {
                return t;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    earliest
}
