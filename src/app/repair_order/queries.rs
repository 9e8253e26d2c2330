//! Reading repair orders: one, or a page of them.

use super::aggregate::RepairOrder;
use super::view::{RoList, RoView};
use crate::app::admin::staff;
use crate::app::error::present;
use crate::app::{Actor, App, AppError};
use crate::db;
use crate::domain::ids::{RoId, StaffId};
use crate::domain::lifecycle::RoStatus;
use crate::domain::role::Permission;
use serde::Deserialize;
use uuid::Uuid;

/// Query string of GET /api/v1/repair-orders.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only ROs in this status.
    pub status: Option<String>,
    /// Only ROs of this advisor.
    pub advisor_id: Option<Uuid>,
    /// Search: an RO number, or part of the customer's name or phone
    /// (4 digits or more), the VIN or the plate.
    pub q: Option<String>,
    /// At most this many (1–200, default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl App {
    pub async fn get_repair_order(&self, actor: &Actor, id: RoId) -> Result<RoView, AppError> {
        staff::require(actor, Permission::ViewRepairOrders)?;
        let dealership_id = actor.dealership_id;
        let links = self.links.clone();
        self.db
            .run(move |conn| {
                let ro = RepairOrder::load(conn, dealership_id, id)?
                    .ok_or(AppError::NotFound("repair order"))?;
                RoView::build(&ro, &links)
            })
            .await
    }

    pub async fn list_repair_orders(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<RoList, AppError> {
        staff::require(actor, Permission::ViewRepairOrders)?;
        let mut v = crate::domain::validation::Violations::new();
        let status = match &query.status {
            Some(s) => v.check("status", RoStatus::parse(s)).map(Some),
            None => Some(None),
        };
        let limit = query.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            v.push("limit", "must be between 1 and 200");
        }
        let before = match &query.cursor {
            Some(c) => v.check(
                "cursor",
                c.parse::<i64>().map_err(|_| {
                    crate::domain::validation::Invalid::new("is not a cursor from a previous page")
                }),
            ),
            None => None,
        };
        v.finish()?;
        let filter = db::repair_orders::ListFilter {
            status: present(status)?,
            advisor_id: query.advisor_id.map(StaffId::from),
            q: query.q.clone(),
            before_number: before,
            limit,
        };
        let dealership_id = actor.dealership_id;
        let links = self.links.clone();
        self.db
            .run(move |conn| {
                let rows = db::repair_orders::list(conn, dealership_id, &filter)?;
                let full_page = rows.len() as i64 == filter.limit;
                let items = RepairOrder::load_many(conn, rows)?
                    .iter()
                    .map(|ro| RoView::build(ro, &links))
                    .collect::<Result<Vec<_>, _>>()?;
                let next_cursor = if full_page {
                    items.last().map(|i| i.number.to_string())
                } else {
                    None
                };
                Ok(RoList { items, next_cursor })
            })
            .await
    }
}
