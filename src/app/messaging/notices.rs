//! Who hears about a change, and what they read. Every event on an RO comes
//! through `after`, in the transaction that recorded it; the messages it
//! decides on go to the outbox in that same transaction.

use super::context::{context, quiet_hours, tz};
use super::money_notices;
use crate::app::handover::candidates;
use crate::app::repair_order::RepairOrder;
use crate::app::time::utc;
use crate::app::{AppError, Ctx};
use crate::db::events::StoredEvent;
use crate::db::models::StaffRow;
use crate::db::{self, DbConn};
use crate::domain::estimate::Approval;
use crate::domain::event::{CustomerMessage, DecisionsRecorded, PromisedAtChanged, RoEvent};
use crate::domain::ids::StaffId;
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::local_time::describe;
use crate::domain::message::MessageKind;
use crate::domain::money::Cents;
use crate::domain::presence::PresenceState;
use crate::domain::role::Role;
use crate::notify::context::{MessageContext, PersonCtx};
use crate::notify::outbox::{Outgoing, Recipient};
use crate::notify::templates::plural;
use chrono::{DateTime, Duration, Utc};

/// How recently a customer must have texted for a reply to skip quiet hours.
const REPLY_WINDOW_MINUTES: i64 = 30;

/// The messages an event on `ro` causes. Every kind of event is named here,
/// so a new one cannot be added without deciding who hears of it.
pub(crate) fn after(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    stored: &StoredEvent,
) -> Result<(), AppError> {
    let cause = stored.id.to_string();
    let customer = |tx: &mut DbConn, kind, supersede| {
        tell_customer(tx, cx, ro, &cause, kind, supersede, |_| {})
    };
    match &stored.event {
        RoEvent::CheckedIn(_) => customer(tx, MessageKind::CheckedIn, None),
        RoEvent::EstimateSent(_) => customer(tx, MessageKind::Estimate, Some("estimate")),
        RoEvent::PromisedAtChanged(change) => promised_changed(tx, cx, ro, &cause, change),
        RoEvent::StatusChanged(_) => match stored.to_status {
            Some(RoStatus::WaitingParts) => customer(tx, MessageKind::WaitingParts, None),
            _ => Ok(()),
        },
        RoEvent::Ready(_) => ready(tx, cx, ro, &cause),
        RoEvent::PickedUp(_) => customer(tx, MessageKind::PickedUp, None),
        RoEvent::HandoverPassed(_) => customer(tx, MessageKind::HandoverChanged, Some("handover")),
        // Nobody to hand the car over: the customer hears when pickup is
        // next possible, before they make the trip.
        RoEvent::CoverageLost(lost) => pickup_later(tx, cx, ro, &cause, lost.next_available_at),
        RoEvent::ReadyWhenAvailable(queued) => {
            pickup_later(tx, cx, ro, &cause, queued.next_available_at)
        }
        RoEvent::ProgressUpdate(_) => customer(tx, MessageKind::Progress, Some("progress")),
        RoEvent::CustomerMessage(message) => customer_message(tx, cx, ro, &cause, message),
        RoEvent::StaffMessage(message) => {
            tell_customer(tx, cx, ro, &cause, MessageKind::Reply, None, |c| {
                c.message = Some(message.body.clone())
            })
        }
        RoEvent::DecisionsRecorded(decisions) => {
            decisions_recorded(tx, cx, ro, &cause, stored.actor_id, decisions)
        }
        RoEvent::PaymentRecorded(p) => money_notices::payment_recorded(tx, cx, ro, &cause, p),
        RoEvent::CreditIssued(credit) => money_notices::credit_issued(tx, cx, ro, &cause, credit),
        // Recorded for the timeline; nobody else needs a message for these
        // (the customer heard of a refund with its credit).
        RoEvent::Cancelled(_)
        | RoEvent::HandoverRecorded(_)
        | RoEvent::DelegatesSet(_)
        | RoEvent::Refunded(_)
        | RoEvent::CustomerArrived(_)
        // Colleagues' requests: told by app::requests, which knows who.
        | RoEvent::RequestOpened(_)
        | RoEvent::RequestHandedOn(_)
        | RoEvent::RequestAnswered(_)
        | RoEvent::RequestEscalated(_)
        | RoEvent::OptedOut(_)
        | RoEvent::OptedIn(_)
        | RoEvent::Escalated(_) => Ok(()),
    }
}

fn promised_changed(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause: &str,
    change: &PromisedAtChanged,
) -> Result<(), AppError> {
    let kind = MessageKind::PromisedChanged;
    tell_customer(tx, cx, ro, cause, kind, Some("promised_at"), |c| {
        c.reason = Some(change.reason.clone())
    })
}

/// The customer hears the car is ready (and that they can pay from their
/// link, when online payment is on); with a balance, the cashiers too.
fn ready(tx: &mut DbConn, cx: &Ctx, ro: &RepairOrder, cause: &str) -> Result<(), AppError> {
    let due = ro.totals()?.balance_due;
    let pay_online = cx.settings.payments.stripe.enabled() && due > Cents::ZERO;
    tell_customer(
        tx,
        cx,
        ro,
        cause,
        MessageKind::Ready,
        Some("handover"),
        |c| c.money.pay_online = pay_online,
    )?;
    if due > Cents::ZERO {
        let staff = db::staff::list(tx, ro.dealership.id)?;
        for cashier in on_duty_first(staff, Role::Cashier) {
            tell_staff(
                tx,
                cx,
                ro,
                cause,
                &cashier,
                MessageKind::StaffCashierReady,
                |_| {},
            )?;
        }
    }
    Ok(())
}

fn pickup_later(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause: &str,
    next: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    let language = ro.customer.language;
    let words = next.map(|n| describe(n, cx.now, tz(ro), language));
    let kind = MessageKind::PickupLater;
    tell_customer(tx, cx, ro, cause, kind, Some("handover"), |c| {
        c.next_pickup = words
    })
}

/// The first of the advisor and their delegates who is there hears what
/// the customer wrote (the advisor, if nobody is).
fn customer_message(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause: &str,
    message: &CustomerMessage,
) -> Result<(), AppError> {
    let first = match candidates::decide_within(tx, ro, cx.now, Duration::zero())? {
        Ok(promise) => promise.staff_id,
        Err(_) => ro.row.advisor_id,
    };
    let Some(advisor) = db::staff::find(tx, ro.dealership.id, first)? else {
        return Ok(());
    };
    let due = describe(message.due_at, cx.now, tz(ro), Language::En);
    let kind = MessageKind::StaffCustomerMessage;
    tell_staff(tx, cx, ro, cause, &advisor, kind, |c| {
        c.message = Some(message.body.clone());
        c.due = Some(due);
    })
}

/// The advisor hears of decisions someone else recorded (a manager,
/// another advisor, the customer on the status page).
fn decisions_recorded(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause: &str,
    by: Option<StaffId>,
    decisions: &DecisionsRecorded,
) -> Result<(), AppError> {
    if by == Some(ro.row.advisor_id) {
        return Ok(());
    }
    let Some(advisor) = db::staff::find(tx, ro.dealership.id, ro.row.advisor_id)? else {
        return Ok(());
    };
    let words = decision_words(
        decisions.count(Approval::Approved),
        decisions.count(Approval::Declined),
    );
    tell_staff(
        tx,
        cx,
        ro,
        cause,
        &advisor,
        MessageKind::StaffDecision,
        |c| c.decision = Some(words),
    )
}

/// "approved 2 jobs and declined 1", "declined 1 job".
fn decision_words(approved: usize, declined: usize) -> String {
    match (approved, declined) {
        (0, 0) => "answered".to_owned(),
        (a, 0) => format!("approved {}", plural(a, "job", "jobs")),
        (0, d) => format!("declined {}", plural(d, "job", "jobs")),
        (a, d) => format!("approved {} and declined {d}", plural(a, "job", "jobs")),
    }
}

/// Staff of `role`, those clocked in first; everyone of that role if nobody is in.
pub(super) fn on_duty_first(staff: Vec<StaffRow>, role: Role) -> Vec<StaffRow> {
    let of_role: Vec<StaffRow> = staff.into_iter().filter(|s| s.role == role).collect();
    let on_duty: Vec<StaffRow> = of_role
        .iter()
        .filter(|s| s.presence == PresenceState::OnDuty)
        .cloned()
        .collect();
    if on_duty.is_empty() { of_role } else { on_duty }
}

pub(super) fn tell_customer(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    cause: &str,
    kind: MessageKind,
    supersede_key: Option<&'static str>,
    adjust: impl FnOnce(&mut MessageContext),
) -> Result<(), AppError> {
    let c = &ro.customer;
    // A reply to a customer who just wrote goes at once, even at night.
    let answering = kind == MessageKind::Reply
        && db::messages::last_inbound_at(tx, ro.row.id)?
            .is_some_and(|at| utc(at) > cx.now - Duration::minutes(REPLY_WINDOW_MINUTES));
    let routine = !answering;
    let send_at = if routine {
        quiet_hours(ro).release_time(cx.now, tz(ro))
    } else {
        cx.now
    };
    let mut context = context(ro, &cx.links, c.language, send_at)?;
    adjust(&mut context);
    cx.outbox.enqueue(
        tx,
        Outgoing {
            dealership: &ro.dealership,
            ro_id: Some(ro.row.id),
            cause_id: cause,
            kind,
            to: Recipient::Customer {
                phone: c.phone.clone(),
                email: c.email.clone(),
                sms_consent: c.sms_consent_at.is_some(),
                notify_by: c.notify_by,
                language: c.language,
                opted_out: ro.customer_opted_out,
            },
            routine,
            send_at,
            supersede_key,
            reply_to: ro
                .advisor_email
                .clone()
                .or_else(|| ro.dealership.email_from.clone()),
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
    cause: &str,
    staff: &StaffRow,
    kind: MessageKind,
    adjust: impl FnOnce(&mut MessageContext),
) -> Result<(), AppError> {
    let mut context = context(ro, &cx.links, Language::En, cx.now)?;
    context.recipient = PersonCtx::new(&staff.name, staff.phone.as_ref().map(|p| p.as_str()));
    adjust(&mut context);
    cx.outbox.enqueue(
        tx,
        Outgoing {
            dealership: &ro.dealership,
            ro_id: Some(ro.row.id),
            cause_id: cause,
            kind,
            to: Recipient::Staff {
                id: staff.id,
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
