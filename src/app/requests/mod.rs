//! Requests between colleagues: asked of a person or a role, routed to
//! whoever is there now (the handover gate's knowledge of who is in until
//! when), answered within the dealership's internal target, escalated to a
//! manager once if not. Only the asker, the holder and managers see one.

mod act;
mod open;
mod report;
mod tell;

pub use act::{AnswerInput, HandOnInput};
pub use open::NewRequest;
pub use report::{ResponsivenessQuery, ResponsivenessReport};

pub(crate) use act::{StaffText, escalate, staff_text};

use crate::app::AppError;
use crate::app::repair_order::RepairOrder;
use crate::app::time::utc;
use crate::db::models::{StaffRequestRow, StaffRow};
use crate::db::{self, DbConn};
use crate::domain::request::Skipped;
use crate::domain::role::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub staff_id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkippedView {
    pub staff_id: Uuid,
    pub name: String,
    /// "on break until 10:20", "not clocked in", "on leave until …".
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    pub id: Uuid,
    /// open or answered.
    pub status: String,
    pub asked_by: PersonRef,
    pub to_staff_id: Option<Uuid>,
    pub to_role: Option<Role>,
    pub ro_id: Option<Uuid>,
    pub text: String,
    pub blocking: bool,
    /// Who has it now.
    pub routed_to: PersonRef,
    /// Passed over on the way, and why.
    pub skipped: Vec<SkippedView>,
    /// Nobody was there: it waits for `routed_to`, expected at `expected_at`.
    pub waiting: bool,
    pub expected_at: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<PersonRef>,
    pub answer: Option<String>,
    pub escalated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestList {
    pub requests: Vec<RequestView>,
}

/// Names of the dealership's staff, for views.
pub(crate) struct Names(Vec<StaffRow>);

impl Names {
    pub fn load(
        tx: &mut DbConn,
        dealership: crate::domain::ids::DealershipId,
    ) -> Result<Self, AppError> {
        Ok(Self(db::staff::list(tx, dealership)?))
    }

    pub fn person(&self, id: crate::domain::ids::StaffId) -> PersonRef {
        PersonRef {
            staff_id: id.uuid(),
            name: self
                .0
                .iter()
                .find(|s| s.id == id)
                .map_or_else(|| "someone".to_owned(), |s| s.name.clone()),
        }
    }

    pub fn row(&self, id: crate::domain::ids::StaffId) -> Option<&StaffRow> {
        self.0.iter().find(|s| s.id == id)
    }

    pub fn all(&self) -> &[StaffRow] {
        &self.0
    }
}

pub(crate) fn view(row: &StaffRequestRow, names: &Names) -> Result<RequestView, AppError> {
    let skipped: Vec<Skipped> = serde_json::from_str(&row.skipped).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "request {}: stored skipped list: {e}",
            row.id
        ))
    })?;
    Ok(RequestView {
        id: row.id.uuid(),
        status: row.status.as_str().to_owned(),
        asked_by: names.person(row.asked_by),
        to_staff_id: row.to_staff_id.map(|s| s.uuid()),
        to_role: row.to_role,
        ro_id: row.ro_id.map(|r| r.uuid()),
        text: row.body.clone(),
        blocking: row.blocking,
        routed_to: names.person(row.routed_to),
        skipped: skipped
            .into_iter()
            .map(|s| SkippedView {
                staff_id: s.staff_id.uuid(),
                name: s.name,
                reason: s.reason,
            })
            .collect(),
        waiting: row.waiting,
        expected_at: row.expected_at.map(utc),
        due_at: utc(row.due_at),
        created_at: utc(row.created_at),
        acknowledged_at: row.acknowledged_at.map(utc),
        answered_at: row.answered_at.map(utc),
        answered_by: row.answered_by.map(|s| names.person(s)),
        answer: row.answer.clone(),
        escalated_at: row.escalated_at.map(utc),
    })
}

impl crate::app::App {
    /// Open requests by the role of whoever has them, every role listed.
    pub async fn open_requests_by_role(&self) -> Result<Vec<(Role, usize)>, AppError> {
        self.db
            .run(|conn| {
                let roles = db::requests::open_roles(conn)?;
                Ok(Role::ALL
                    .iter()
                    .map(|r| (*r, roles.iter().filter(|x| *x == r).count()))
                    .collect())
            })
            .await
    }
}

/// A blocking request open on the RO holds it: "ready" and "pickup" wait
/// for its answer (409 `open-request`, naming it and who has it).
pub(crate) fn hold(tx: &mut DbConn, ro: &RepairOrder, step: &str) -> Result<(), AppError> {
    let Some(open) = db::requests::open_blocking(tx, ro.row.id)? else {
        return Ok(());
    };
    let holder = db::staff::find(tx, ro.dealership.id, open.routed_to)?
        .map_or_else(|| "a colleague".to_owned(), |s| s.name);
    Err(AppError::Conflict {
        problem: "open-request",
        detail: format!(
            "the car cannot be {step} while a question on it is open: {holder} has it (\"{}\")",
            open.body
        ),
        extra: Some(serde_json::json!({
            "request_id": open.id.uuid(),
            "routed_to": {"staff_id": open.routed_to.uuid(), "name": holder},
        })),
    })
}
