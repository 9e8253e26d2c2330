//! What the manager's page for one person shows: their account, their week,
//! their time off and who stands in for them.

use crate::app::admin::staff::require;
use crate::app::handover::AvailabilityView;
use crate::app::{Actor, App, AppError, StaffView};
use crate::db;
use crate::domain::ids::StaffId;
use crate::domain::role::Permission;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Serialize)]
pub struct StaffPage {
    pub person: StaffView,
    pub availability: AvailabilityView,
    /// Their standing delegates, in the order they are asked.
    pub delegates: Vec<Uuid>,
    /// Who could be a delegate: active advisors and managers but them.
    pub choices: Vec<Choice>,
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub id: Uuid,
    pub name: String,
}

impl App {
    pub async fn staff_page(&self, actor: &Actor, id: StaffId) -> Result<StaffPage, AppError> {
        require(actor, Permission::CreateStaff)?;
        let availability = self.availability(actor, id, None).await?;
        let dealership_id = actor.dealership_id;
        self.db
            .run(move |conn| {
                let staff = db::staff::list(conn, dealership_id)?;
                let row = staff
                    .iter()
                    .find(|s| s.id == id)
                    .ok_or(AppError::NotFound("staff member"))?;
                let delegates = db::availability::standing_delegates(conn, id)?
                    .into_iter()
                    .map(|d| d.uuid())
                    .collect();
                let choices = staff
                    .iter()
                    .filter(|s| s.id != id && s.active && s.role.can_hand_over())
                    .map(|s| Choice {
                        id: s.id.uuid(),
                        name: s.name.clone(),
                    })
                    .collect();
                Ok(StaffPage {
                    person: StaffView::from_row(row),
                    availability,
                    delegates,
                    choices,
                })
            })
            .await
    }
}
