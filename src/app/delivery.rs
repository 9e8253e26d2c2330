//! What workers and provider callbacks report about messages: accepted,
//! retry later, failed, suppressed. A customer text that cannot go is sent
//! by email instead when there is an address, and the advisor is told.

use super::ids::{stored, uuid};
use super::notices::tell_staff;
use super::repair_order::RepairOrder;
use super::{App, AppError, Ctx};
use crate::db::models::{ClaimedRow, NotificationRow};
use crate::db::{self, DbConn};
use crate::domain::delivery::{DeliveryState, RetrySchedule, moves_forward, state_for_provider};
use crate::notify::context::FailureCtx;
use crate::notify::outbox::{history, history_row};
use chrono::{Duration, NaiveDateTime};
use std::collections::HashMap;

/// What the provider said when it took a message.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub provider_id: String,
    pub status: String,
    /// Already delivered (the log transport delivers at once).
    pub delivered: bool,
}

impl App {
    /// Due messages for one worker, each now `sending` under a lease, with
    /// whether the customer's number has opted out since it was written.
    pub async fn claim_notifications(&self, limit: i64) -> Result<Vec<ClaimedRow>, AppError> {
        let now = self.clock.now();
        let lease = now + Duration::seconds(self.settings.worker.lease_seconds);
        self.db
            .write(move |tx| {
                let claimed = db::notifications::claim(tx, stored(now), stored(lease), limit)?;
                let events: Vec<_> = claimed
                    .iter()
                    .map(|c| {
                        let detail = c
                            .notification
                            .recheck_since
                            .map(|_| "taken over after a lease ran out");
                        history_row(&c.notification.id, DeliveryState::Sending, now, detail)
                    })
                    .collect();
                db::notifications::append_events(tx, &events)?;
                Ok(claimed)
            })
            .await
    }

    /// The provider took it (or, for the log transport, it is delivered).
    pub async fn delivery_accepted(
        &self,
        n: &NotificationRow,
        provider_id: String,
        status: String,
        delivered: bool,
    ) -> Result<(), AppError> {
        let accepted = Accepted {
            provider_id,
            status,
            delivered,
        };
        self.deliveries_accepted(vec![(n.clone(), accepted)]).await
    }

    /// Messages the provider took, recorded in one transaction: a worker
    /// hands over its finished sends together instead of committing once
    /// per text.
    pub async fn deliveries_accepted(
        &self,
        sent: Vec<(NotificationRow, Accepted)>,
    ) -> Result<(), AppError> {
        let held = sent
            .into_iter()
            .map(|(n, a)| claim_of(&n).map(|(id, claimed_at)| (id, claimed_at, a)))
            .collect::<Result<Vec<_>, _>>()?;
        let cx = self.ctx();
        self.db
            .write(move |tx| {
                let mut events = Vec::with_capacity(held.len());
                let mut by_provider_id = HashMap::new();
                for (id, claimed_at, a) in &held {
                    let state = if a.delivered {
                        DeliveryState::Delivered
                    } else {
                        DeliveryState::Sent
                    };
                    let now = stored(cx.now);
                    if !db::notifications::mark_sent(tx, id, *claimed_at, state.as_str(), &a.provider_id, &a.status, now)? {
                        tracing::warn!(notification = %id, "sent, but the claim had passed to another worker");
                        continue;
                    }
                    let detail = format!("{}: {}", a.provider_id, a.status);
                    events.push(history_row(id, state, cx.now, Some(&detail)));
                    by_provider_id.insert(a.provider_id.as_str(), id.as_str());
                }
                db::notifications::append_events(tx, &events)?;
                // A status callback may have come first; apply what it said.
                let provider_ids: Vec<&str> = by_provider_id.keys().copied().collect();
                for (provider_id, status, code) in db::notifications::callbacks_for(tx, &provider_ids)? {
                    if let Some(id) = by_provider_id.get(provider_id.as_str()) {
                        apply_provider_status(tx, &cx, id, &status, code.as_deref())?;
                    }
                }
                Ok(())
            })
            .await
    }

    /// A transient failure: retry on the schedule, or fail when it is spent.
    pub async fn delivery_retry(
        &self,
        n: &NotificationRow,
        error: String,
        retry_after: Option<Duration>,
    ) -> Result<(), AppError> {
        let schedule = RetrySchedule {
            delays: self
                .settings
                .worker
                .retry_schedule_seconds
                .iter()
                .map(|s| Duration::seconds(*s))
                .collect(),
            jitter: self.settings.worker.retry_jitter,
        };
        let attempts = u32::try_from(n.attempts).unwrap_or(u32::MAX);
        match schedule.next_delay(attempts, random_unit(), retry_after) {
            Some(delay) => {
                let (id, claimed_at) = claim_of(n)?;
                let now = self.clock.now();
                self.db
                    .write(move |tx| {
                        if db::notifications::reschedule(
                            tx,
                            &id,
                            claimed_at,
                            stored(now + delay),
                            &error,
                            stored(now),
                        )? {
                            let detail = format!("retry in {}s: {error}", delay.num_seconds());
                            history(tx, &id, DeliveryState::Pending, now, Some(&detail))?;
                        }
                        Ok(())
                    })
                    .await
            }
            None => {
                let error = format!("gave up after {attempts} attempt(s): {error}");
                self.delivery_failed(n, error, false).await
            }
        }
    }

    /// Gave up. `opted_out`: the provider says the number refused us.
    pub async fn delivery_failed(
        &self,
        n: &NotificationRow,
        error: String,
        opted_out: bool,
    ) -> Result<(), AppError> {
        self.end_delivery(n, DeliveryState::Failed, error, opted_out)
            .await
    }

    /// Not sent on purpose (the customer opted out after it was written).
    pub async fn delivery_suppressed(
        &self,
        n: &NotificationRow,
        reason: String,
    ) -> Result<(), AppError> {
        self.end_delivery(n, DeliveryState::Suppressed, reason, false)
            .await
    }

    async fn end_delivery(
        &self,
        n: &NotificationRow,
        state: DeliveryState,
        error: String,
        opted_out: bool,
    ) -> Result<(), AppError> {
        let (id, claimed_at) = claim_of(n)?;
        let n = n.clone();
        let cx = self.ctx();
        self.db
            .write(move |tx| -> Result<(), AppError> {
                if !db::notifications::finish(
                    tx,
                    &id,
                    claimed_at,
                    state.as_str(),
                    &error,
                    stored(cx.now),
                )? {
                    return Ok(());
                }
                history(tx, &id, state, cx.now, Some(&error))?;
                if opted_out && n.channel == "sms" {
                    db::opt_outs::opt_out(
                        tx,
                        &n.dealership_id,
                        &n.to_address,
                        "provider 21610",
                        stored(cx.now),
                    )?;
                }
                if n.recipient_kind == "customer" {
                    after_customer_message_lost(tx, &cx, &n, state, &error)?;
                }
                Ok(())
            })
            .await?;
        self.outbox.wake();
        Ok(())
    }

    /// A status callback from the provider. Stored as received, then applied
    /// only if it moves the message forward: callbacks arrive out of order.
    pub async fn provider_status(
        &self,
        provider_id: String,
        status: String,
        error_code: Option<String>,
    ) -> Result<(), AppError> {
        let cx = self.ctx();
        self.db
            .write(move |tx| -> Result<(), AppError> {
                let id = super::ids::new_id();
                db::notifications::store_callback(
                    tx,
                    &id,
                    &provider_id,
                    &status,
                    error_code.as_deref(),
                    stored(cx.now),
                )?;
                if let Some(n) = db::notifications::find_by_provider_id(tx, &provider_id)? {
                    apply_provider_status(tx, &cx, &n.id, &status, error_code.as_deref())?;
                }
                Ok(())
            })
            .await?;
        self.outbox.wake();
        Ok(())
    }
}

fn claim_of(n: &NotificationRow) -> Result<(String, NaiveDateTime), AppError> {
    let claimed_at = n.claimed_at.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("notification {} was not claimed", n.id))
    })?;
    Ok((n.id.clone(), claimed_at))
}

/// A uniform number in [0, 1) for retry jitter.
fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

fn apply_provider_status(
    tx: &mut DbConn,
    cx: &Ctx,
    id: &str,
    status: &str,
    error_code: Option<&str>,
) -> Result<(), AppError> {
    let Some(n) = db::notifications::find(tx, id)? else {
        return Ok(());
    };
    let current_state =
        DeliveryState::parse(&n.state).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    // Only what the provider holds can move; and only forward.
    let movable = matches!(
        current_state,
        DeliveryState::Sent | DeliveryState::Delivered | DeliveryState::Failed
    );
    if !movable || !moves_forward(n.provider_status.as_deref(), status) {
        return Ok(());
    }
    let Some(state) = state_for_provider(status) else {
        return Ok(());
    };
    let error = error_code.map(|c| format!("provider error {c}: {status}"));
    db::notifications::set_provider_status(
        tx,
        id,
        state.as_str(),
        status,
        error.as_deref(),
        stored(cx.now),
    )?;
    db::notifications::append_event(
        tx,
        &crate::db::models::NotificationEventRow {
            id: super::ids::new_id(),
            notification_id: id.to_owned(),
            at: stored(cx.now),
            state: state.as_str().to_owned(),
            provider_status: Some(status.to_owned()),
            detail: error.clone(),
        },
    )?;
    if state == DeliveryState::Failed
        && current_state != DeliveryState::Failed
        && n.recipient_kind == "customer"
    {
        after_customer_message_lost(tx, cx, &n, state, error.as_deref().unwrap_or(status))?;
    }
    Ok(())
}

/// A customer message did not go: send the text's email copy if there is
/// an address, and tell the advisor unless the customer chose this
/// (suppressed after an opt-out, with an email going instead).
fn after_customer_message_lost(
    tx: &mut DbConn,
    cx: &Ctx,
    n: &NotificationRow,
    state: DeliveryState,
    error: &str,
) -> Result<(), AppError> {
    let Some(ro_id) = n.ro_id.as_deref() else {
        return Ok(());
    };
    let Some(ro) = RepairOrder::load(tx, &n.dealership_id, uuid(ro_id)?)? else {
        return Ok(());
    };
    let mut fallback = None;
    if n.channel == "sms"
        && n.fallback_of.is_none()
        && let Some(email) = ro.customer.email.clone()
    {
        let advisor_email = ro.advisor_email.clone();
        cx.outbox.fallback_email(
            tx,
            n,
            &email,
            ro.dealership.email_from.clone(),
            advisor_email.or_else(|| ro.dealership.email_from.clone()),
            cx.now,
        )?;
        fallback = Some("email".to_owned());
    }
    if state == DeliveryState::Suppressed && fallback.is_some() {
        return Ok(());
    }
    if let Some(advisor) = db::staff::find(tx, &ro.dealership.id, &ro.row.advisor_id)? {
        tell_staff(tx, cx, &ro, &n.id, &advisor, "staff_delivery_failed", |c| {
            c.failure = Some(FailureCtx {
                kind: n.kind.clone(),
                channel: n.channel.clone(),
                to: n.to_address.clone(),
                error: error.to_owned(),
                fallback: fallback.clone(),
            });
        })?;
    }
    Ok(())
}

/// For /dev/outbox and /metrics.
impl App {
    /// The newest messages on the given channels (the ones kept locally).
    pub async fn recent_notifications(
        &self,
        channels: Vec<&'static str>,
        limit: i64,
    ) -> Result<Vec<NotificationRow>, AppError> {
        self.db
            .run(move |conn| {
                Ok(db::notifications::recent(conn, limit)?
                    .into_iter()
                    .filter(|n| channels.contains(&n.channel.as_str()))
                    .collect())
            })
            .await
    }

    /// Messages by state, and how long the oldest due one has waited.
    pub async fn outbox_depth(&self) -> Result<(Vec<(String, i64)>, Option<Duration>), AppError> {
        let now = self.clock.now();
        self.db
            .run(move |conn| {
                let counts = db::notifications::count_by_state(conn)?;
                let oldest = db::notifications::oldest_due_pending(conn, stored(now))?
                    .map(|t| now - t.and_utc());
                Ok((counts, oldest))
            })
            .await
    }
}
