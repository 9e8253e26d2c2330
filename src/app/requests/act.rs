//! Acting on a request: acknowledge it, answer it (in Handover, or by a
//! text from one's own phone, which answers one's oldest open request),
//! hand it on to someone who can answer; and, from a job, escalate it to
//! the managers once when its due time passes unanswered.

use super::{Names, RequestList, RequestView, tell, view};
use crate::app::idempotency::Outcome;
use crate::app::jobs::schedule::schedule_promotion;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, record};
use crate::app::time::{stored, utc};
use crate::app::{Actor, App, AppError, Ctx, IdempotencyKey, Reply};
use crate::db::models::{DealershipRow, StaffRequestRow, StaffRow};
use crate::db::requests::{Answer, Filter};
use crate::db::{self, DbConn};
use crate::domain::event::{RequestAnswered, RequestEscalated, RequestHandedOn, RoEvent};
use crate::domain::ids::{DealershipId, RequestId, RoId, StaffId};
use crate::domain::lifecycle::RoStatus;
use crate::domain::request::RequestStatus;
use crate::domain::role::{Permission, Role};
use crate::domain::text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    #[schema(example = "Card, at 9:10. The receipt is in the RO folder.")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandOnInput {
    pub to_staff_id: Option<Uuid>,
    /// Why them: what they know that you do not.
    pub note: Option<String>,
}

/// The request, if `actor` may act on it: the person who has it, or a
/// manager. The asker is told they may not (403); anyone else, that there
/// is no such request (404).
fn actable(tx: &mut DbConn, actor: &Actor, id: RequestId) -> Result<StaffRequestRow, AppError> {
    let row =
        db::requests::find(tx, actor.dealership_id, id)?.ok_or(AppError::NotFound("request"))?;
    if row.routed_to == actor.staff_id || actor.role == Role::Manager {
        return Ok(row);
    }
    if row.asked_by == actor.staff_id {
        return Err(AppError::forbidden(
            "only the person the request is with, or a manager, can act on it",
        ));
    }
    Err(AppError::NotFound("request"))
}

fn already_answered() -> AppError {
    AppError::conflict("request-answered", "the request has already been answered")
}

/// The RO a request is about, locked (the fixed order: RO before request).
fn locked_ro(
    tx: &mut DbConn,
    d: DealershipId,
    ro: Option<RoId>,
) -> Result<Option<RepairOrder>, AppError> {
    match ro {
        Some(id) => match db::repair_orders::lock(tx, d, id)? {
            Some(row) => Ok(Some(RepairOrder::from_row(tx, row)?)),
            None => Ok(None),
        },
        None => Ok(None),
    }
}

fn dealership(tx: &mut DbConn, id: DealershipId) -> Result<DealershipRow, AppError> {
    db::dealerships::find(tx, id)?.ok_or(AppError::NotFound("dealership"))
}

/// Records `text` as the answer to `row` by `by`; tells the asker; a car
/// the request held and that waits to be ready is tried again at once.
fn answer_row(
    tx: &mut DbConn,
    cx: &Ctx,
    row: &StaffRequestRow,
    by: StaffId,
    text: &str,
    sid: Option<&str>,
) -> Result<StaffRequestRow, AppError> {
    let ro = locked_ro(tx, row.dealership_id, row.ro_id)?;
    let answer = Answer {
        by,
        text,
        sid,
        at: stored(cx.now),
    };
    if !db::requests::answer(tx, row.id, &answer)? {
        return Err(already_answered());
    }
    let row =
        db::requests::find(tx, row.dealership_id, row.id)?.ok_or(AppError::NotFound("request"))?;
    if let Some(ro) = &ro {
        let event = RoEvent::RequestAnswered(RequestAnswered {
            request_id: row.id,
            answer: text.to_owned(),
        });
        record(tx, cx, ro, By::Staff(by), event, None)?;
        let waiting = ro.status() == RoStatus::WorkComplete && ro.row.ready_when_available;
        if row.blocking && waiting {
            schedule_promotion(tx, cx, ro, cx.now)?;
        }
    }
    let d = dealership(tx, row.dealership_id)?;
    let names = Names::load(tx, d.id)?;
    tell::answered(tx, cx, &d, &row, &names)?;
    Ok(row)
}

fn answer(
    tx: &mut DbConn,
    cx: &Ctx,
    actor: &Actor,
    id: RequestId,
    input: &AnswerInput,
) -> Result<RequestView, AppError> {
    let body = text::note(input.text.as_deref().unwrap_or(""), 2000)
        .map_err(|e| AppError::field("text", e.to_string()))?;
    let row = actable(tx, actor, id)?;
    if row.status == RequestStatus::Answered {
        return Err(already_answered());
    }
    let row = answer_row(tx, cx, &row, actor.staff_id, &body, None)?;
    view(&row, &Names::load(tx, actor.dealership_id)?)
}

fn acknowledge(
    tx: &mut DbConn,
    cx: &Ctx,
    actor: &Actor,
    id: RequestId,
) -> Result<RequestView, AppError> {
    let row = actable(tx, actor, id)?;
    if !db::requests::acknowledge(tx, row.id, stored(cx.now))? {
        return Err(already_answered());
    }
    let row =
        db::requests::find(tx, actor.dealership_id, id)?.ok_or(AppError::NotFound("request"))?;
    view(&row, &Names::load(tx, actor.dealership_id)?)
}

fn hand_on(
    tx: &mut DbConn,
    cx: &Ctx,
    actor: &Actor,
    id: RequestId,
    input: &HandOnInput,
) -> Result<RequestView, AppError> {
    let mut v = crate::domain::validation::Violations::new();
    if input.to_staff_id.is_none() {
        v.push("to_staff_id", "say who can answer it");
    }
    let note = v.check("note", text::optional_note(input.note.as_deref(), 500));
    v.finish()?;
    let note = note.flatten();
    let row = actable(tx, actor, id)?;
    let names = Names::load(tx, actor.dealership_id)?;
    let to: StaffId = input
        .to_staff_id
        .map(StaffId::from)
        .ok_or_else(|| AppError::field("to_staff_id", "is missing"))?;
    let target: StaffRow = match names.row(to) {
        Some(s) if s.active && s.id != row.routed_to => s.clone(),
        Some(s) if s.id == row.routed_to => {
            return Err(AppError::field("to_staff_id", "already has it"));
        }
        _ => {
            return Err(AppError::field(
                "to_staff_id",
                "is not on this dealership's active staff",
            ));
        }
    };
    let ro = locked_ro(tx, row.dealership_id, row.ro_id)?;
    if !db::requests::hand_on(tx, row.id, row.routed_to, target.id, target.role)? {
        return Err(AppError::conflict(
            "request-answered",
            "the request was answered or passed on meanwhile",
        ));
    }
    let row =
        db::requests::find(tx, actor.dealership_id, id)?.ok_or(AppError::NotFound("request"))?;
    if let Some(ro) = &ro {
        let event = RoEvent::RequestHandedOn(RequestHandedOn {
            request_id: row.id,
            to: target.id,
            to_name: target.name.clone(),
            note: note.clone().unwrap_or_default(),
        });
        record(tx, cx, ro, By::Staff(actor.staff_id), event, None)?;
    }
    let d = dealership(tx, row.dealership_id)?;
    tell::holder(tx, cx, &d, &row, &names, cx.now, note.as_deref())?;
    view(&row, &names)
}

/// The job at a request's due time: if it is still open, the managers and
/// the asker hear of it, once.
pub(crate) fn escalate(
    tx: &mut DbConn,
    cx: &Ctx,
    d: DealershipId,
    id: RequestId,
) -> Result<(), AppError> {
    let row = db::requests::find(tx, d, id)?.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("escalation of a missing request {id}"))
    })?;
    if row.status == RequestStatus::Answered || row.escalated_at.is_some() {
        return Ok(());
    }
    let ro = locked_ro(tx, d, row.ro_id)?;
    if !db::requests::escalated(tx, id, stored(cx.now))? {
        return Ok(());
    }
    if let Some(ro) = &ro {
        let waited_minutes = (cx.now - utc(row.created_at)).num_minutes();
        let event = RoEvent::RequestEscalated(RequestEscalated {
            request_id: id,
            waited_minutes,
        });
        record(tx, cx, ro, By::System, event, None)?;
    }
    let dealership = dealership(tx, d)?;
    let names = Names::load(tx, d)?;
    tell::escalated(tx, cx, &dealership, &row, &names)
}

/// What a text from a colleague's own phone did.
pub(crate) enum StaffText {
    /// It answered their oldest open request; these words go back.
    Answered(String),
    /// Twilio retried a text already handled.
    Retry,
    /// They have no open request: it may be a text as a customer.
    NothingOpen,
}

/// A text from a colleague's own phone answers their oldest open request.
pub(crate) fn staff_text(
    tx: &mut DbConn,
    cx: &Ctx,
    staff: &StaffRow,
    sid: &str,
    body: &str,
) -> Result<StaffText, AppError> {
    if db::requests::answered_by_sid(tx, sid)? {
        return Ok(StaffText::Retry);
    }
    let Some(row) = db::requests::oldest_open_for(tx, staff.id)? else {
        return Ok(StaffText::NothingOpen);
    };
    let Ok(text) = text::note(body, 2000) else {
        return Ok(StaffText::Answered(
            "Handover: an empty text cannot be an answer.".into(),
        ));
    };
    let row = answer_row(tx, cx, &row, staff.id, &text, Some(sid))?;
    let names = Names::load(tx, row.dealership_id)?;
    Ok(StaffText::Answered(format!(
        "Handover: thanks, your answer went to {}.",
        names.person(row.asked_by).name
    )))
}

impl App {
    pub async fn acknowledge_request(
        &self,
        actor: &Actor,
        id: RequestId,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RequestView>, AppError> {
        self.staff_write(
            actor,
            Permission::ViewRepairOrders,
            idem,
            move |tx, who, cx| Ok((Outcome::Done, acknowledge(tx, cx, who, id)?)),
        )
        .await
    }

    pub async fn answer_request(
        &self,
        actor: &Actor,
        id: RequestId,
        input: AnswerInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RequestView>, AppError> {
        let reply = self
            .staff_write(
                actor,
                Permission::ViewRepairOrders,
                idem,
                move |tx, who, cx| Ok((Outcome::Done, answer(tx, cx, who, id, &input)?)),
            )
            .await?;
        Ok(reply)
    }

    pub async fn hand_on_request(
        &self,
        actor: &Actor,
        id: RequestId,
        input: HandOnInput,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RequestView>, AppError> {
        self.staff_write(
            actor,
            Permission::ViewRepairOrders,
            idem,
            move |tx, who, cx| Ok((Outcome::Done, hand_on(tx, cx, who, id, &input)?)),
        )
        .await
    }

    /// What I asked and what is with me (newest first), optionally only
    /// open ones or those about one RO.
    pub async fn list_requests(
        &self,
        actor: &Actor,
        status: Option<RequestStatus>,
        ro_id: Option<RoId>,
    ) -> Result<RequestList, AppError> {
        let filter = Filter {
            dealership_id: actor.dealership_id,
            involving: Some(actor.staff_id),
            status,
            ro_id,
            limit: 200,
        };
        self.db
            .run(move |conn| {
                let rows = db::requests::list(conn, &filter)?;
                let names = Names::load(conn, filter.dealership_id)?;
                let requests = rows
                    .iter()
                    .map(|r| view(r, &names))
                    .collect::<Result<_, _>>()?;
                Ok(RequestList { requests })
            })
            .await
    }

    /// One request, for the asker, the person who has it, or a manager.
    pub async fn get_request(&self, actor: &Actor, id: RequestId) -> Result<RequestView, AppError> {
        let who = actor.clone();
        self.db
            .run(move |conn| {
                let row = db::requests::find(conn, who.dealership_id, id)?
                    .filter(|r| {
                        r.asked_by == who.staff_id
                            || r.routed_to == who.staff_id
                            || who.role == Role::Manager
                    })
                    .ok_or(AppError::NotFound("request"))?;
                view(&row, &Names::load(conn, who.dealership_id)?)
            })
            .await
    }
}
