//! The customer is at the counter: the cashier pages whoever hands the car
//! over, or, if they are no longer there, the next candidate who is.

use super::candidates;
use crate::app::idempotency::Outcome;
use crate::app::messaging::notices::tell_staff;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, record};
use crate::app::{Actor, App, AppError, Ctx, IdempotencyKey, Reply};
use crate::db::{self, DbConn};
use crate::domain::availability::Availability;
use crate::domain::event::{CustomerArrived, Paged, PassedOver, RoEvent};
use crate::domain::ids::{EventId, RoId};
use crate::domain::lifecycle::RoStatus;
use crate::domain::message::MessageKind;
use crate::domain::role::Permission;

impl App {
    /// The customer is at the counter: page whoever hands the car over.
    pub async fn customer_arrived(
        &self,
        actor: &Actor,
        id: RoId,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<ArrivedView>, AppError> {
        self.staff_write(
            actor,
            Permission::ConfirmPickup,
            idem,
            move |tx, who, cx| Ok((Outcome::Done, customer_arrived(tx, cx, who, id)?)),
        )
        .await
    }
}

/// The answer to "the customer is here".
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ArrivedView {
    pub repair_order_id: uuid::Uuid,
    /// Who was paged to come to the counter (null: nobody is there).
    pub paged: Option<PagedView>,
    /// Who was passed over, and why.
    pub skipped: Vec<PagedView>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PagedView {
    pub staff_id: uuid::Uuid,
    pub name: String,
    pub reason: Option<String>,
}

/// The cashier says the customer is at the counter: page the handover
/// person, or, if they are no longer there, the next candidate who is.
pub(crate) fn customer_arrived(
    tx: &mut DbConn,
    cx: &Ctx,
    actor: &Actor,
    id: RoId,
) -> Result<ArrivedView, AppError> {
    let ro = RepairOrder::load_for_write(tx, actor, id, None)?;
    let status = ro.status();
    if status != RoStatus::ReadyForPickup {
        return Err(AppError::conflict(
            "not-ready",
            format!("the car is {status}, not ready for pickup: nobody to page"),
        ));
    }
    let (paged, skipped) = who_to_page(tx, cx, &ro)?;
    let event = RoEvent::CustomerArrived(CustomerArrived {
        paged: paged.clone(),
        skipped: skipped.clone(),
    });
    record(tx, cx, &ro, By::Staff(actor.staff_id), event, None)?;
    if let Some(p) = &paged
        && let Some(staff) = db::staff::find(tx, ro.dealership.id, p.staff_id)?
    {
        let note = skipped
            .first()
            .map(|s| format!("{} is not here ({}); please go.", s.name, s.reason));
        let cause = format!("arrived-{}", EventId::generate());
        let kind = MessageKind::StaffCustomerArrived;
        tell_staff(tx, cx, &ro, &cause, &staff, kind, |c| c.message = note)?;
    }
    Ok(ArrivedView {
        repair_order_id: id.uuid(),
        paged: paged.map(|p| PagedView {
            staff_id: p.staff_id.uuid(),
            name: p.name,
            reason: None,
        }),
        skipped: skipped
            .into_iter()
            .map(|s| PagedView {
                staff_id: s.staff_id.uuid(),
                name: s.name,
                reason: Some(s.reason),
            })
            .collect(),
    })
}

/// The first candidate there now, the person who promised first; and
/// everyone passed over on the way, with why.
fn who_to_page(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
) -> Result<(Option<Paged>, Vec<PassedOver>), AppError> {
    let (tz, _) = candidates::zone(&ro.dealership);
    let mut candidates = candidates::candidates(tx, ro, cx.now)?;
    if let Some(pos) = candidates
        .iter()
        .position(|c| Some(c.staff_id) == ro.row.handover_staff_id)
    {
        let promised = candidates.remove(pos);
        candidates.insert(0, promised);
    }
    let mut skipped = Vec::new();
    for c in candidates {
        match c
            .schedule
            .availability(cx.now, tz, chrono::Duration::zero())
        {
            Availability::Available { .. } => {
                let paged = Paged {
                    staff_id: c.staff_id,
                    name: c.name,
                };
                return Ok((Some(paged), skipped));
            }
            Availability::Unavailable { reason, .. } => skipped.push(PassedOver {
                staff_id: c.staff_id,
                name: c.name,
                reason,
            }),
        }
    }
    Ok((None, skipped))
}
