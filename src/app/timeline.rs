//! The RO's history. Every change appends one event in the same transaction
//! as the change; nothing ever rewrites one.

use super::ids::{new_id, stored, utc};
use super::repair_order::RepairOrder;
use super::{Actor, App, AppError, Ctx};
use crate::db::{self, DbConn, models::EventRow};
use crate::domain::lifecycle::RoStatus;
use crate::domain::role::Permission;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Who caused an event.
#[derive(Debug, Clone, Copy)]
pub(crate) enum By {
    Staff(Uuid),
    /// The customer (a text, the status page).
    Customer,
    /// The service itself (a promotion when someone clocked in).
    System,
}

/// Appends one event to the RO's timeline, and writes the messages it
/// causes to the outbox (see `notices`), in the caller's transaction.
pub(crate) fn record(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    by: By,
    kind: &str,
    transition: Option<(RoStatus, RoStatus)>,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let (actor_kind, actor_id) = match by {
        By::Staff(id) => ("staff", Some(id.to_string())),
        By::Customer => ("customer", None),
        By::System => ("system", None),
    };
    let event = EventRow {
        id: new_id(),
        ro_id: ro.row.id.clone(),
        at: stored(cx.now),
        actor_kind: actor_kind.into(),
        actor_id,
        kind: kind.into(),
        from_status: transition.map(|(f, _)| f.as_str().to_owned()),
        to_status: transition.map(|(_, t)| t.as_str().to_owned()),
        detail: detail.to_string(),
    };
    db::events::append(tx, &event)?;
    super::notices::after(tx, cx, ro, &event)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineView {
    pub repair_order_id: Uuid,
    pub events: Vec<EventView>,
    /// What the customer and staff wrote to each other.
    pub messages: Vec<super::conversation::MessageView>,
    /// Every text and email about this RO, with its delivery history.
    pub notifications: Vec<NotificationView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    /// Which message: checked_in, estimate, ready, …
    pub kind: String,
    /// customer or staff.
    pub recipient: String,
    /// sms or email.
    pub channel: String,
    pub to: String,
    /// pending, sending, sent, delivered, failed, suppressed or superseded.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub subject: Option<String>,
    /// Exactly what was (or will be) sent.
    pub body: String,
    pub provider_id: Option<String>,
    pub provider_status: Option<String>,
    pub last_error: Option<String>,
    pub fallback_of: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub history: Vec<DeliveryStep>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryStep {
    pub at: DateTime<Utc>,
    pub state: String,
    pub provider_status: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// checked_in, estimate_sent, status_changed, ready, …
    pub kind: String,
    /// staff, customer or system.
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl App {
    pub async fn timeline(&self, actor: &Actor, id: Uuid) -> Result<TimelineView, AppError> {
        super::staff::require(actor, Permission::ViewRepairOrders)?;
        let dealership_id = actor.dealership_id.to_string();
        self.db
            .run(move |conn| {
                db::repair_orders::find(conn, &dealership_id, &id.to_string())?
                    .ok_or(AppError::NotFound("repair order"))?;
                let rows = db::events::list(conn, &id.to_string())?;
                let actor_ids: Vec<String> =
                    rows.iter().filter_map(|r| r.actor_id.clone()).collect();
                let names: std::collections::HashMap<String, String> =
                    db::staff::names(conn, &actor_ids)?.into_iter().collect();
                let events = rows
                    .into_iter()
                    .map(|r| {
                        Ok(EventView {
                            id: super::ids::uuid(&r.id)?,
                            at: utc(r.at),
                            actor_name: r.actor_id.as_ref().and_then(|a| names.get(a).cloned()),
                            actor_id: r.actor_id.as_deref().map(super::ids::uuid).transpose()?,
                            kind: r.kind,
                            actor_kind: r.actor_kind,
                            from_status: r.from_status,
                            to_status: r.to_status,
                            detail: serde_json::from_str(&r.detail)?,
                        })
                    })
                    .collect::<Result<_, AppError>>()?;
                Ok(TimelineView {
                    repair_order_id: id,
                    events,
                    messages: db::messages::list_for_ro(conn, &id.to_string())?
                        .iter()
                        .map(super::conversation::MessageView::from_row)
                        .collect::<Result<_, AppError>>()?,
                    notifications: notification_views(conn, &id.to_string())?,
                })
            })
            .await
    }
}

/// Every message about the RO with its delivery history.
fn notification_views(
    conn: &mut crate::db::DbConn,
    ro_id: &str,
) -> Result<Vec<NotificationView>, AppError> {
    let rows = db::notifications::list_for_ro(conn, ro_id)?;
    let ids: Vec<String> = rows.iter().map(|n| n.id.clone()).collect();
    let mut steps: std::collections::HashMap<String, Vec<DeliveryStep>> =
        std::collections::HashMap::new();
    for e in db::notifications::events_for(conn, &ids)? {
        steps
            .entry(e.notification_id.clone())
            .or_default()
            .push(DeliveryStep {
                at: utc(e.at),
                state: e.state,
                provider_status: e.provider_status,
                detail: e.detail,
            });
    }
    rows.into_iter()
        .map(|n| {
            Ok(NotificationView {
                id: super::ids::uuid(&n.id)?,
                history: steps.remove(&n.id).unwrap_or_default(),
                kind: n.kind,
                recipient: n.recipient_kind,
                channel: n.channel,
                to: n.to_address,
                state: n.state,
                attempts: n.attempts,
                next_attempt_at: utc(n.next_attempt_at),
                subject: n.subject,
                body: n.body_text,
                provider_id: n.provider_id,
                provider_status: n.provider_status,
                last_error: n.last_error,
                fallback_of: n.fallback_of.as_deref().map(super::ids::uuid).transpose()?,
                created_at: utc(n.created_at),
                sent_at: n.sent_at.map(utc),
                delivered_at: n.delivered_at.map(utc),
            })
        })
        .collect()
}
