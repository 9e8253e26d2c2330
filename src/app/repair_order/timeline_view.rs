//! The RO's history as staff read it: every event, the conversation, and
//! every message with its delivery history.

use crate::app::admin::staff::require;
use crate::app::messaging::conversation;
use crate::app::messaging::conversation::MessageView;
use crate::app::time::utc;
use crate::app::{Actor, App, AppError};
use crate::db::events::StoredEvent;
use crate::db::{self, DbConn};
use crate::domain::delivery::DeliveryState;
use crate::domain::event::ActorKind;
use crate::domain::ids::{NotificationId, RoId, StaffId};
use crate::domain::lifecycle::RoStatus;
use crate::domain::message::{Channel, MessageKind, RecipientKind};
use crate::domain::role::Permission;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineView {
    pub repair_order_id: Uuid,
    pub events: Vec<EventView>,
    /// What the customer and staff wrote to each other.
    pub messages: Vec<conversation::MessageView>,
    /// Every text and email about this RO, with its delivery history.
    pub notifications: Vec<NotificationView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    /// Which message: checked_in, estimate, ready, …
    pub kind: MessageKind,
    /// customer or staff.
    pub recipient: RecipientKind,
    /// sms or email.
    pub channel: Channel,
    pub to: String,
    /// pending, sending, sent, delivered, failed, suppressed or superseded.
    pub state: DeliveryState,
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
    pub state: DeliveryState,
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
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub from_status: Option<RoStatus>,
    pub to_status: Option<RoStatus>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl EventView {
    fn new(e: StoredEvent, names: &HashMap<StaffId, String>) -> Result<Self, AppError> {
        Ok(Self {
            id: e.id.uuid(),
            at: utc(e.at),
            actor_name: e.actor_id.and_then(|a| names.get(&a).cloned()),
            actor_id: e.actor_id.map(StaffId::uuid),
            kind: e.event.kind().to_owned(),
            actor_kind: e.actor_kind,
            from_status: e.from_status,
            to_status: e.to_status,
            detail: e.event.detail()?,
        })
    }
}

impl App {
    pub async fn timeline(&self, actor: &Actor, id: RoId) -> Result<TimelineView, AppError> {
        require(actor, Permission::ViewRepairOrders)?;
        let dealership_id = actor.dealership_id;
        self.db
            .run(move |conn| {
                db::repair_orders::find(conn, dealership_id, id)?
                    .ok_or(AppError::NotFound("repair order"))?;
                let rows = db::events::list(conn, id)?;
                let actor_ids: Vec<StaffId> = rows.iter().filter_map(|r| r.actor_id).collect();
                let names: HashMap<StaffId, String> =
                    db::staff::names(conn, &actor_ids)?.into_iter().collect();
                let events = rows
                    .into_iter()
                    .map(|e| EventView::new(e, &names))
                    .collect::<Result<_, _>>()?;
                Ok(TimelineView {
                    repair_order_id: id.uuid(),
                    events,
                    messages: db::messages::list_for_ro(conn, id)?
                        .iter()
                        .map(MessageView::from_row)
                        .collect(),
                    notifications: notification_views(conn, id)?,
                })
            })
            .await
    }
}

/// Every message about the RO with its delivery history.
fn notification_views(conn: &mut DbConn, ro_id: RoId) -> Result<Vec<NotificationView>, AppError> {
    let rows = db::notifications::list_for_ro(conn, ro_id)?;
    let ids: Vec<NotificationId> = rows.iter().map(|n| n.id).collect();
    let mut steps: HashMap<NotificationId, Vec<DeliveryStep>> = HashMap::new();
    for e in db::notifications::events_for(conn, &ids)? {
        steps
            .entry(e.notification_id)
            .or_default()
            .push(DeliveryStep {
                at: utc(e.at),
                state: e.state,
                provider_status: e.provider_status,
                detail: e.detail,
            });
    }
    Ok(rows
        .into_iter()
        .map(|n| NotificationView {
            id: n.id.uuid(),
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
            fallback_of: n.fallback_of.map(NotificationId::uuid),
            created_at: utc(n.created_at),
            sent_at: n.sent_at.map(utc),
            delivered_at: n.delivered_at.map(utc),
        })
        .collect())
}
