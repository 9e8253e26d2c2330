//! The outbox as operators see it: /dev/outbox (what the log transports
//! kept) and the depths /metrics reports.

use crate::app::time::stored;
use crate::app::{App, AppError, Caller};
use crate::db;
use crate::domain::delivery::DeliveryState;
use crate::domain::ids::NotificationId;
use crate::domain::message::{Channel, MessageKind};
use crate::domain::role::Role;
use chrono::{DateTime, Duration, Utc};

/// What waits, for /metrics.
#[derive(Debug, Clone)]
pub struct OutboxDepth {
    pub messages: Vec<(DeliveryState, i64)>,
    pub oldest_due: Option<Duration>,
    pub jobs: Vec<(crate::domain::job::JobState, i64)>,
}

/// A message kept by a log transport, as /dev/outbox lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxEntry {
    pub id: NotificationId,
    pub ro_id: Option<crate::domain::ids::RoId>,
    pub kind: MessageKind,
    pub channel: Channel,
    pub to: String,
    pub state: DeliveryState,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub subject: Option<String>,
    pub body: String,
    pub last_error: Option<String>,
}

/// For /dev/outbox and /metrics.
impl App {
    /// The newest messages on the given channels (the ones kept locally).
    /// They are customers' messages with live status links: the admin sees
    /// them all, a manager their dealership's, nobody else any.
    pub async fn recent_notifications(
        &self,
        caller: &Caller,
        channels: Vec<Channel>,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, AppError> {
        let dealership = match caller {
            Caller::Admin => None,
            Caller::Staff(actor) if actor.role == Role::Manager => Some(actor.dealership_id),
            Caller::Staff(_) => {
                return Err(AppError::forbidden(
                    "the local outbox holds customers' messages and links: the admin or a manager only",
                ));
            }
        };
        let rows = self
            .db
            .run(move |conn| {
                Ok::<_, AppError>(db::notifications::recent(
                    conn, &channels, dealership, limit,
                )?)
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|n| OutboxEntry {
                id: n.id,
                ro_id: n.ro_id,
                kind: n.kind,
                channel: n.channel,
                to: n.to_address,
                state: n.state,
                created_at: n.created_at.and_utc(),
                next_attempt_at: n.next_attempt_at.and_utc(),
                subject: n.subject,
                body: n.body_text,
                last_error: n.last_error,
            })
            .collect())
    }

    /// Messages by state, how long the oldest due one has waited, and the
    /// scheduled jobs by state.
    pub async fn outbox_depth(&self) -> Result<OutboxDepth, AppError> {
        let now = self.clock.now();
        self.db
            .run(move |conn| {
                let messages = db::notifications::count_by_state(conn)?;
                let oldest_due = db::notifications::oldest_due_pending(conn, stored(now))?
                    .map(|t| now - t.and_utc());
                let jobs = db::jobs::count_by_state(conn)?;
                Ok(OutboxDepth {
                    messages,
                    oldest_due,
                    jobs,
                })
            })
            .await
    }
}
