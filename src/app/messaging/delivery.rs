//! What workers and provider callbacks report about messages: accepted,
//! retry later, failed, suppressed. A customer text that cannot go is sent
//! by email instead when there is an address, and the advisor is told.

use crate::app::messaging::notices::tell_staff;
use crate::app::repair_order::RepairOrder;
use crate::app::time::stored;
use crate::app::{App, AppError, Ctx};
use crate::db::models::{ClaimedRow, NotificationRow};
use crate::db::{self, DbConn};
use crate::domain::delivery::{DeliveryState, RetrySchedule, moves_forward, state_for_provider};
use crate::domain::ids::{EventId, NotificationId};
use crate::domain::message::{Channel, MessageKind, RecipientKind};
use crate::notify::context::FailureCtx;
use crate::notify::outbox::{EmailCopy, history_row};
use crate::notify::transport::Envelope;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use std::collections::HashMap;

/// A message a worker claimed: what to send, and the claim it holds.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub envelope: Envelope,
    /// Identifies the claim: outcomes are written only while it holds.
    pub claimed_at: NaiveDateTime,
    pub attempts: i32,
    /// Set when this message was taken over from a worker that died: ask
    /// the provider whether it already went since then.
    pub recheck_since: Option<DateTime<Utc>>,
    /// The customer's number said STOP since the message was written.
    pub opted_out: bool,
}

impl Claimed {
    fn from_row(claimed: ClaimedRow) -> Result<Self, AppError> {
        let n = claimed.notification;
        let claimed_at = n.claimed_at.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("notification {} was not claimed", n.id))
        })?;
        Ok(Self {
            claimed_at,
            attempts: n.attempts,
            recheck_since: n.recheck_since.map(|t| t.and_utc()),
            opted_out: claimed.opted_out,
            envelope: Envelope {
                id: n.id,
                kind: n.kind,
                channel: n.channel,
                to_address: n.to_address,
                from_address: n.from_address,
                reply_to: n.reply_to,
                subject: n.subject,
                body_text: n.body_text,
                body_html: n.body_html,
            },
        })
    }

    pub fn id(&self) -> NotificationId {
        self.envelope.id
    }
}

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
    pub async fn claim_notifications(&self, limit: i64) -> Result<Vec<Claimed>, AppError> {
        let now = self.clock.now();
        let lease = now + Duration::seconds(self.settings.worker.lease_seconds);
        let claimed = self
            .db
            .write(move |tx| {
                let claimed = db::notifications::claim(tx, stored(now), stored(lease), limit)?;
                let events: Vec<_> = claimed
                    .iter()
                    .map(|c| {
                        let n = &c.notification;
                        let detail = n.recheck_since.map(|_| "taken over after a lease ran out");
                        history_row(n.id, DeliveryState::Sending, now, detail)
                    })
                    .collect();
                db::notifications::append_events(tx, &events)?;
                Ok::<_, AppError>(claimed)
            })
            .await?;
        claimed.into_iter().map(Claimed::from_row).collect()
    }

    /// Messages the provider took, recorded in one transaction: a worker
    /// hands over its finished sends together instead of committing once
    /// per text.
    pub async fn deliveries_accepted(
        &self,
        sent: Vec<(Claimed, Accepted)>,
    ) -> Result<(), AppError> {
        let cx = self.ctx();
        self.db
            .write(move |tx| {
                let now = stored(cx.now);
                let mut events = Vec::with_capacity(sent.len());
                let mut by_provider_id = HashMap::new();
                for (claimed, a) in &sent {
                    let id = claimed.id();
                    let state = if a.delivered {
                        DeliveryState::Delivered
                    } else {
                        DeliveryState::Sent
                    };
                    let at = claimed.claimed_at;
                    if !db::notifications::mark_sent(tx, id, at, state, &a.provider_id, &a.status, now)? {
                        tracing::warn!(notification = %id, "sent, but the claim had passed to another worker");
                        continue;
                    }
                    let detail = format!("{}: {}", a.provider_id, a.status);
                    events.push(history_row(id, state, cx.now, Some(&detail)));
                    by_provider_id.insert(a.provider_id.as_str(), id);
                }
                db::notifications::append_events(tx, &events)?;
                // A status callback may have come first; apply what it said.
                let provider_ids: Vec<&str> = by_provider_id.keys().copied().collect();
                for (provider_id, status, code) in db::notifications::callbacks_for(tx, &provider_ids)? {
                    if let Some(id) = by_provider_id.get(provider_id.as_str()) {
                        apply_provider_status(tx, &cx, *id, &status, code.as_deref())?;
                    }
                }
                Ok(())
            })
            .await
    }

    /// A transient failure: retry on the schedule, or fail when it is spent.
    pub async fn delivery_retry(
        &self,
        n: &Claimed,
        error: String,
        retry_after: Option<Duration>,
    ) -> Result<(), AppError> {
        let w = &self.settings.worker;
        let schedule = RetrySchedule {
            delays: w
                .retry_schedule_seconds
                .iter()
                .map(|s| Duration::seconds(*s))
                .collect(),
            jitter: w.retry_jitter,
        };
        let attempts = u32::try_from(n.attempts).unwrap_or(u32::MAX);
        let Some(delay) = schedule.next_delay(attempts, fastrand::f64(), retry_after) else {
            let error = format!("gave up after {attempts} attempt(s): {error}");
            return self.delivery_failed(n, error, false).await;
        };
        let (id, claimed_at) = (n.id(), n.claimed_at);
        let now = self.clock.now();
        self.db
            .write(move |tx| {
                let next = stored(now + delay);
                if db::notifications::reschedule(tx, id, claimed_at, next, &error, stored(now))? {
                    let detail = format!("retry in {}s: {error}", delay.num_seconds());
                    let row = history_row(id, DeliveryState::Pending, now, Some(&detail));
                    db::notifications::append_event(tx, &row)?;
                }
                Ok(())
            })
            .await
    }

    /// Gave up. `opted_out`: the provider says the number refused us.
    pub async fn delivery_failed(
        &self,
        n: &Claimed,
        error: String,
        opted_out: bool,
    ) -> Result<(), AppError> {
        self.end_delivery(n, DeliveryState::Failed, error, opted_out)
            .await
    }

    /// Not sent on purpose (the customer opted out after it was written).
    pub async fn delivery_suppressed(&self, n: &Claimed, reason: String) -> Result<(), AppError> {
        self.end_delivery(n, DeliveryState::Suppressed, reason, false)
            .await
    }

    async fn end_delivery(
        &self,
        n: &Claimed,
        state: DeliveryState,
        error: String,
        opted_out: bool,
    ) -> Result<(), AppError> {
        let (id, claimed_at) = (n.id(), n.claimed_at);
        let cx = self.ctx();
        self.db
            .write(move |tx| -> Result<(), AppError> {
                let now = stored(cx.now);
                if !db::notifications::finish(tx, id, claimed_at, state, &error, now)? {
                    return Ok(());
                }
                let row = history_row(id, state, cx.now, Some(&error));
                db::notifications::append_event(tx, &row)?;
                let n = db::notifications::find(tx, id)?
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("{id} vanished")))?;
                if opted_out && n.channel == Channel::Sms {
                    let (dealership, phone) = (n.dealership_id, n.to_address.as_str());
                    db::opt_outs::opt_out(tx, dealership, phone, "provider 21610", now)?;
                }
                if n.recipient_kind == RecipientKind::Customer {
                    after_customer_message_lost(tx, &cx, &n, state, &error)?;
                }
                Ok(())
            })
            .await?;
        self.outbox.wake();
        Ok(())
    }

    /// A status callback from the provider. Stored once per (message,
    /// status), then applied only if it moves the message forward:
    /// callbacks arrive out of order, and may be retried or replayed.
    pub async fn provider_status(
        &self,
        provider_id: String,
        status: String,
        error_code: Option<String>,
    ) -> Result<(), AppError> {
        let cx = self.ctx();
        self.db
            .write(move |tx| -> Result<(), AppError> {
                let code = error_code.as_deref();
                let (id, now) = (EventId::generate(), stored(cx.now));
                if !db::notifications::store_callback(tx, id, &provider_id, &status, code, now)? {
                    return Ok(()); // Already heard: a retry or a replay.
                }
                if let Some(n) = db::notifications::find_by_provider_id(tx, &provider_id)? {
                    apply_provider_status(tx, &cx, n.id, &status, code)?;
                }
                Ok(())
            })
            .await?;
        self.outbox.wake();
        Ok(())
    }
}

fn apply_provider_status(
    tx: &mut DbConn,
    cx: &Ctx,
    id: NotificationId,
    status: &str,
    error_code: Option<&str>,
) -> Result<(), AppError> {
    let Some(n) = db::notifications::find(tx, id)? else {
        return Ok(());
    };
    // Only what the provider holds can move; and only forward.
    let movable = matches!(
        n.state,
        DeliveryState::Sent | DeliveryState::Delivered | DeliveryState::Failed
    );
    if !movable || !moves_forward(n.provider_status.as_deref(), status) {
        return Ok(());
    }
    let Some(state) = state_for_provider(status) else {
        return Ok(());
    };
    let error = error_code.map(|c| format!("provider error {c}: {status}"));
    let now = stored(cx.now);
    db::notifications::set_provider_status(tx, id, state, status, error.as_deref(), now)?;
    let mut row = history_row(id, state, cx.now, error.as_deref());
    row.provider_status = Some(status.to_owned());
    db::notifications::append_event(tx, &row)?;
    if state == DeliveryState::Failed
        && n.state != DeliveryState::Failed
        && n.recipient_kind == RecipientKind::Customer
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
    let Some(ro_id) = n.ro_id else {
        return Ok(());
    };
    let Some(ro) = RepairOrder::load(tx, n.dealership_id, ro_id)? else {
        return Ok(());
    };
    let mut fallback = None;
    if n.channel == Channel::Sms
        && n.fallback_of.is_none()
        && let Some(email) = &ro.customer.email
    {
        let from = ro.dealership.email_from.as_ref();
        let reply_to = ro.advisor_email.as_ref().or(from);
        match cx
            .outbox
            .fallback_email(tx, n, email, from, reply_to, cx.now)?
        {
            EmailCopy::Written(_) | EmailCopy::AlreadyWritten => fallback = Some(Channel::Email),
            EmailCopy::Unrenderable => {}
        }
    }
    if state == DeliveryState::Suppressed && fallback.is_some() {
        return Ok(());
    }
    if let Some(advisor) = db::staff::find(tx, ro.dealership.id, ro.row.advisor_id)? {
        let cause = n.id.to_string();
        tell_staff(
            tx,
            cx,
            &ro,
            &cause,
            &advisor,
            MessageKind::StaffDeliveryFailed,
            |c| {
                c.failure = Some(FailureCtx {
                    kind: n.kind.as_str().to_owned(),
                    channel: n.channel.as_str().to_owned(),
                    to: n.to_address.clone(),
                    error: error.to_owned(),
                    fallback: fallback.map(|f| f.as_str().to_owned()),
                });
            },
        )?;
    }
    Ok(())
}
