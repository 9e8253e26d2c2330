//! Telling colleagues about a request, by text or email as their account
//! allows, in plain words, through the outbox in the request's transaction.

use super::Names;
use crate::app::time::utc;
use crate::app::{AppError, Ctx};
use crate::db::models::{DealershipRow, StaffRequestRow, StaffRow};
use crate::db::{self, DbConn};
use crate::domain::ids::EventId;
use crate::domain::language::Language;
use crate::domain::local_time::describe;
use crate::domain::message::MessageKind;
use crate::domain::role::Role;
use crate::notify::context::{DealershipCtx, MessageContext, PersonCtx, RequestCtx};
use crate::notify::outbox::{Outgoing, Recipient};
use chrono::{DateTime, Utc};

/// "2 hours", "45 minutes".
fn waited_words(row: &StaffRequestRow, now: DateTime<Utc>) -> String {
    let waited = now - utc(row.created_at);
    match waited.num_hours() {
        0 => crate::notify::templates::plural(
            waited.num_minutes().max(1) as usize,
            "minute",
            "minutes",
        ),
        h => crate::notify::templates::plural(h as usize, "hour", "hours"),
    }
}

fn words(
    tx: &mut DbConn,
    cx: &Ctx,
    d: &DealershipRow,
    row: &StaffRequestRow,
    names: &Names,
) -> Result<RequestCtx, AppError> {
    let about = match row.ro_id {
        Some(ro) => db::repair_orders::find(tx, d.id, ro)?
            .map(|r| format!("order {}", r.number))
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(RequestCtx {
        from: names.person(row.asked_by).name,
        to: names.person(row.routed_to).name,
        text: row.body.clone(),
        about,
        due: describe(utc(row.due_at), cx.now, d.timezone.0, Language::En),
        answer: row.answer.clone().unwrap_or_default(),
        note: String::new(),
        waited: waited_words(row, cx.now),
    })
}

/// One message to one colleague. `what` names it, so the same message is
/// never queued twice; a repeatable one (a hand-on) passes a fresh cause.
struct Note<'a> {
    staff: &'a StaffRow,
    kind: MessageKind,
    request: RequestCtx,
    send_at: DateTime<Utc>,
    cause: &'a str,
}

fn send(
    tx: &mut DbConn,
    cx: &Ctx,
    d: &DealershipRow,
    row: &StaffRequestRow,
    n: Note<'_>,
) -> Result<(), AppError> {
    let Note {
        staff,
        kind,
        request,
        send_at,
        cause,
    } = n;
    let context = MessageContext {
        dealership: DealershipCtx {
            name: d.name.clone(),
            phone: d.phone.to_string(),
        },
        recipient: PersonCtx::new(&staff.name, staff.phone.as_ref().map(|p| p.as_str())),
        request: Some(request),
        ..MessageContext::default()
    };
    cx.outbox.enqueue(
        tx,
        Outgoing {
            dealership: d,
            ro_id: row.ro_id,
            cause_id: cause,
            kind,
            to: Recipient::Staff {
                id: staff.id,
                phone: staff.phone.clone(),
                email: staff.email.clone(),
            },
            routine: false,
            send_at,
            supersede_key: None,
            reply_to: None,
            context,
        },
        cx.now,
    )?;
    Ok(())
}

/// The person who has the request hears of it (at `send_at`: when they are
/// expected, if nobody was there), with the note it was handed on with.
pub(super) fn holder(
    tx: &mut DbConn,
    cx: &Ctx,
    d: &DealershipRow,
    row: &StaffRequestRow,
    names: &Names,
    send_at: DateTime<Utc>,
    note: Option<&str>,
) -> Result<(), AppError> {
    let Some(staff) = names.row(row.routed_to).cloned() else {
        return Ok(());
    };
    let mut request = words(tx, cx, d, row, names)?;
    request.note = note.unwrap_or_default().to_owned();
    let cause = format!("request-{}-{}", row.id, EventId::generate());
    let kind = MessageKind::StaffRequest;
    let staff = &staff;
    send(
        tx,
        cx,
        d,
        row,
        Note {
            staff,
            kind,
            request,
            send_at,
            cause: &cause,
        },
    )
}

/// The asker hears the answer.
pub(super) fn answered(
    tx: &mut DbConn,
    cx: &Ctx,
    d: &DealershipRow,
    row: &StaffRequestRow,
    names: &Names,
) -> Result<(), AppError> {
    let Some(asker) = names.row(row.asked_by).cloned() else {
        return Ok(());
    };
    let mut request = words(tx, cx, d, row, names)?;
    if let Some(by) = row.answered_by {
        request.to = names.person(by).name;
    }
    let cause = format!("request-{}-answered", row.id);
    let kind = MessageKind::StaffRequestAnswered;
    let send_at = cx.now;
    send(
        tx,
        cx,
        d,
        row,
        Note {
            staff: &asker,
            kind,
            request,
            send_at,
            cause: &cause,
        },
    )
}

/// The managers (every active one) and the asker hear it waited too long.
pub(super) fn escalated(
    tx: &mut DbConn,
    cx: &Ctx,
    d: &DealershipRow,
    row: &StaffRequestRow,
    names: &Names,
) -> Result<(), AppError> {
    let request = words(tx, cx, d, row, names)?;
    let cause = format!("request-{}-escalated", row.id);
    let managers: Vec<StaffRow> = names
        .all()
        .iter()
        .filter(|s| s.role == Role::Manager && s.active && s.id != row.asked_by)
        .cloned()
        .collect();
    for manager in &managers {
        let kind = MessageKind::StaffRequestEscalated;
        let request = request.clone();
        let send_at = cx.now;
        send(
            tx,
            cx,
            d,
            row,
            Note {
                staff: manager,
                kind,
                request,
                send_at,
                cause: &cause,
            },
        )?;
    }
    if let Some(asker) = names.row(row.asked_by).cloned() {
        let kind = MessageKind::StaffRequestLate;
        let send_at = cx.now;
        send(
            tx,
            cx,
            d,
            row,
            Note {
                staff: &asker,
                kind,
                request,
                send_at,
                cause: &cause,
            },
        )?;
    }
    Ok(())
}
