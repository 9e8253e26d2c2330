//! Asking a colleague: checked field by field, routed by the pure
//! `domain::request::route`, due within the dealership's internal target
//! of business time (never past 24 hours), escalated by a job at that time.

use super::{Names, RequestView, tell, view};
use crate::app::handover::candidates::schedules;
use crate::app::idempotency::Outcome;
use crate::app::jobs::schedule::schedule_request_escalation;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, record};
use crate::app::time::stored;
use crate::app::{Actor, App, AppError, Ctx, IdempotencyKey, Reply};
use crate::db::models::{DealershipRow, StaffRequestRow};
use crate::db::{self, DbConn};
use crate::domain::dealership::QuietHours;
use crate::domain::event::{RequestOpened, RoEvent};
use crate::domain::ids::{RequestId, RoId, StaffId};
use crate::domain::request::{Addressee, Colleague, RequestStatus, Routing, Unroutable, route};
use crate::domain::role::{Permission, Role};
use crate::domain::text;
use crate::domain::validation::Violations;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A question for a colleague: to a person (`to_staff_id`) or to whoever
/// of a role is there (`to_role`), optionally about an RO, which a
/// `blocking` request holds until it is answered.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub to_staff_id: Option<Uuid>,
    /// advisor, technician, cashier or manager.
    #[schema(example = "cashier")]
    pub to_role: Option<String>,
    pub ro_id: Option<Uuid>,
    #[schema(example = "Did Mrs. Garcia pay the deposit by card or cash?")]
    pub text: Option<String>,
    /// Hold the RO ("ready" and "pickup" wait) until it is answered.
    pub blocking: Option<bool>,
}

struct Checked {
    to: Addressee,
    ro_id: Option<RoId>,
    body: String,
    blocking: bool,
}

fn check(input: &NewRequest, asker: StaffId) -> Result<Checked, AppError> {
    let mut v = Violations::new();
    let to = match (input.to_staff_id, input.to_role.as_deref()) {
        (Some(_), Some(_)) => {
            v.push("to_role", "give to_staff_id or to_role, not both");
            None
        }
        (None, None) => {
            v.push(
                "to_staff_id",
                "say who the request is for: to_staff_id or to_role",
            );
            None
        }
        (Some(id), None) if StaffId::from(id) == asker => {
            v.push("to_staff_id", "is you: ask someone else");
            None
        }
        (Some(id), None) => Some(Addressee::Person(id.into())),
        (None, Some(role)) => v.check("to_role", Role::parse(role)).map(Addressee::Role),
    };
    let body = v.check(
        "text",
        text::note(input.text.as_deref().unwrap_or(""), 1000),
    );
    let blocking = input.blocking.unwrap_or(false);
    if blocking && input.ro_id.is_none() {
        v.push(
            "blocking",
            "only a request about a repair order (ro_id) can hold it",
        );
    }
    v.finish()?;
    Ok(Checked {
        to: to.ok_or_else(|| AppError::field("to_staff_id", "is missing"))?,
        ro_id: input.ro_id.map(RoId::from),
        body: body.ok_or_else(|| AppError::field("text", "is missing"))?,
        blocking,
    })
}

/// Everyone at the dealership but the asker, as routing sees them.
fn colleagues(
    tx: &mut DbConn,
    names: &Names,
    asker: StaffId,
    to: Addressee,
    now: DateTime<Utc>,
) -> Result<Vec<Colleague>, AppError> {
    let rows: Vec<_> = names
        .all()
        .iter()
        .filter(|s| s.id != asker)
        .cloned()
        .collect();
    let mut schedules = schedules(tx, &rows, now)?;
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        let delegates = match to {
            Addressee::Person(id) if id == s.id => db::availability::standing_delegates(tx, s.id)?,
            _ => Vec::new(),
        };
        if let Some(schedule) = schedules.remove(&s.id) {
            out.push(Colleague {
                staff_id: s.id,
                name: s.name.clone(),
                role: s.role,
                active: s.active,
                schedule,
                delegates,
            });
        }
    }
    Ok(out)
}

fn routed(
    d: &DealershipRow,
    staff: &[Colleague],
    to: Addressee,
    now: DateTime<Utc>,
) -> Result<Routing, AppError> {
    route(to, staff, now, d.timezone.0).map_err(|e| match e {
        Unroutable::UnknownPerson => {
            AppError::field("to_staff_id", "is not on this dealership's staff")
        }
        Unroutable::NobodyInRole(role) => {
            AppError::field("to_role", format!("nobody here is a {role}"))
        }
    })
}

fn open(
    tx: &mut DbConn,
    cx: &Ctx,
    actor: &Actor,
    input: &NewRequest,
) -> Result<RequestView, AppError> {
    let c = check(input, actor.staff_id)?;
    // The RO first (the fixed lock order): "ready" waits for this.
    let ro = match c.ro_id {
        Some(id) => {
            let row = db::repair_orders::lock(tx, actor.dealership_id, id)?.ok_or_else(|| {
                AppError::field("ro_id", "is not a repair order of this dealership")
            })?;
            Some(RepairOrder::from_row(tx, row)?)
        }
        None => None,
    };
    let d =
        db::dealerships::find(tx, actor.dealership_id)?.ok_or(AppError::NotFound("dealership"))?;
    let names = Names::load(tx, d.id)?;
    let staff = colleagues(tx, &names, actor.staff_id, c.to, cx.now)?;
    let r = routed(&d, &staff, c.to, cx.now)?;
    let quiet = QuietHours {
        start: d.quiet_start,
        end: d.quiet_end,
    };
    let minutes = i64::from(d.internal_response_target_minutes);
    let due = quiet.answer_due(cx.now, minutes, d.timezone.0);
    let row = StaffRequestRow {
        id: RequestId::generate(),
        dealership_id: d.id,
        ro_id: c.ro_id,
        asked_by: actor.staff_id,
        to_staff_id: match c.to {
            Addressee::Person(id) => Some(id),
            Addressee::Role(_) => None,
        },
        to_role: match c.to {
            Addressee::Role(role) => Some(role),
            Addressee::Person(_) => None,
        },
        routed_to: r.routed_to,
        routed_role: r.role,
        waiting: r.waiting,
        expected_at: r.expected_at.map(stored),
        skipped: serde_json::to_string(&r.skipped).map_err(|e| AppError::Internal(e.into()))?,
        body: c.body,
        blocking: c.blocking,
        status: RequestStatus::Open,
        due_at: stored(due),
        created_at: stored(cx.now),
        acknowledged_at: None,
        answered_at: None,
        answered_by: None,
        answer: None,
        answer_sid: None,
        escalated_at: None,
    };
    db::requests::insert(tx, &row)?;
    if let Some(ro) = &ro {
        let event = RoEvent::RequestOpened(RequestOpened {
            request_id: row.id,
            routed_to: row.routed_to,
            routed_name: names.person(row.routed_to).name,
            body: row.body.clone(),
            blocking: row.blocking,
        });
        record(tx, cx, ro, By::Staff(actor.staff_id), event, None)?;
    }
    // Someone expected later hears of it when they are due in.
    let send_at = r
        .expected_at
        .filter(|_| r.waiting)
        .unwrap_or(cx.now)
        .max(cx.now);
    tell::holder(tx, cx, &d, &row, &names, send_at, None)?;
    schedule_request_escalation(tx, cx, d.id, row.ro_id, row.id, due)?;
    view(&row, &names)
}

impl App {
    /// Answers 201 with where the request went, who was passed over and
    /// why, and when it is due.
    pub async fn open_request(
        &self,
        actor: &Actor,
        input: NewRequest,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RequestView>, AppError> {
        self.staff_write(
            actor,
            Permission::ViewRepairOrders,
            idem,
            move |tx, who, cx| Ok((Outcome::Created, open(tx, cx, who, &input)?)),
        )
        .await
    }
}
