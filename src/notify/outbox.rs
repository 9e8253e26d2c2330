//! Writing messages to the outbox, inside the transaction of the change that
//! caused them. Nothing is sent here: a worker picks the rows up after the
//! commit (woken at once in this process, by NOTIFY in others).

use super::context::MessageContext;
use super::metrics::Metrics;
use super::templates::{Rendered, Templates};
use crate::db::models::{DealershipRow, NotificationEventRow, NotificationRow};
use crate::db::{self, DbConn};
use crate::domain::contact::{NotifyBy, channels};
use crate::domain::delivery::DeliveryState;
use crate::domain::language::Language;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use tokio::sync::Notify;
use uuid::Uuid;

/// Who a message is for.
#[derive(Debug, Clone)]
pub enum Recipient {
    Customer {
        phone: Option<String>,
        email: Option<String>,
        sms_consent: bool,
        notify_by: NotifyBy,
        language: Language,
    },
    Staff {
        id: String,
        phone: Option<String>,
        email: Option<String>,
    },
}

/// One message to write: what, to whom, about what, caused by what.
pub struct Outgoing<'a> {
    pub dealership: &'a DealershipRow,
    pub ro_id: Option<&'a str>,
    /// The event or job that caused it: (cause, recipient, channel) is unique.
    pub cause_id: &'a str,
    pub kind: &'static str,
    pub to: Recipient,
    /// Routine messages wait out quiet hours; `send_at` already says when.
    pub routine: bool,
    pub send_at: DateTime<Utc>,
    /// A newer pending message with the same key replaces older ones.
    pub supersede_key: Option<&'static str>,
    pub reply_to: Option<String>,
    pub context: MessageContext,
}

pub struct Outbox {
    templates: Templates,
    wake: Notify,
    metrics: Metrics,
}

impl Outbox {
    pub fn new(templates: Templates) -> Self {
        Self {
            templates,
            wake: Notify::new(),
            metrics: Metrics::default(),
        }
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Tells this process's worker that rows were committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Resolves when [`Outbox::wake`] is called (or was, since last time).
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Writes the message on every channel the recipient can be reached by.
    /// A customer who cannot be reached at all gets a `suppressed` row saying
    /// why, so the timeline shows they were not told. A template that fails
    /// to render gives a `failed` row instead of failing the change.
    pub fn enqueue(
        &self,
        tx: &mut DbConn,
        out: Outgoing<'_>,
        now: DateTime<Utc>,
    ) -> diesel::QueryResult<usize> {
        let (language, sms_to, email_to, unreachable) = route(tx, &out)?;
        let context = serde_json::to_string(&out.context).unwrap_or_default();
        let rendered = self.templates.render(language, out.kind, &out.context);
        let mut written = 0;
        let mut write = |tx: &mut DbConn,
                         channel: &str,
                         to: &str,
                         state: DeliveryState,
                         error: Option<String>,
                         r: Option<&Rendered>| {
            let key = format!(
                "{}:{}:{}:{channel}",
                out.ro_id.unwrap_or(&out.dealership.id),
                out.cause_id,
                recipient_key(&out.to)
            );
            let row = NotificationRow {
                id: Uuid::now_v7().to_string(),
                dealership_id: out.dealership.id.clone(),
                ro_id: out.ro_id.map(str::to_owned),
                dedupe_key: key,
                kind: out.kind.to_owned(),
                recipient_kind: match out.to {
                    Recipient::Customer { .. } => "customer".into(),
                    Recipient::Staff { .. } => "staff".into(),
                },
                recipient_staff_id: match &out.to {
                    Recipient::Staff { id, .. } => Some(id.clone()),
                    Recipient::Customer { .. } => None,
                },
                channel: channel.to_owned(),
                to_address: to.to_owned(),
                from_address: if channel == "sms" {
                    out.dealership.sms_from.clone()
                } else {
                    out.dealership.email_from.clone()
                },
                reply_to: out.reply_to.clone().filter(|_| channel == "email"),
                subject: r.filter(|_| channel == "email").map(|r| r.subject.clone()),
                body_text: r
                    .map(|r| {
                        if channel == "sms" {
                            r.sms.clone()
                        } else {
                            r.text.clone()
                        }
                    })
                    .unwrap_or_default(),
                body_html: r
                    .filter(|_| channel == "email")
                    .and_then(|r| r.html.clone()),
                language: language.code().to_owned(),
                context: context.clone(),
                routine: out.routine,
                supersede_key: out.supersede_key.map(str::to_owned),
                fallback_of: None,
                state: state.as_str().to_owned(),
                attempts: 0,
                next_attempt_at: stored(out.send_at),
                claimed_at: None,
                lease_until: None,
                recheck_since: None,
                provider_id: None,
                provider_status: None,
                last_error: error.clone(),
                created_at: stored(now),
                updated_at: stored(now),
                sent_at: None,
                delivered_at: None,
            };
            if !db::notifications::insert_new(tx, &row)? {
                return Ok(()); // This change was already told.
            }
            let mut events = vec![history_row(&row.id, state, now, error.as_deref())];
            if let (Some(ro), Some(sk), DeliveryState::Pending) =
                (out.ro_id, out.supersede_key, state)
            {
                for old in
                    db::notifications::supersede(tx, ro, to, channel, sk, &row.id, stored(now))?
                {
                    let why = Some("a newer message replaced it");
                    events.push(history_row(&old, DeliveryState::Superseded, now, why));
                }
            }
            db::notifications::append_events(tx, &events)?;
            written += 1;
            Ok::<_, diesel::result::Error>(())
        };
        match &rendered {
            Err(e) => {
                tracing::error!(kind = out.kind, error = %e, "message template failed");
                let (channel, to) = match (&sms_to, &email_to) {
                    (Some(p), _) => ("sms", p.as_str()),
                    (None, Some(e)) => ("email", e.as_str()),
                    (None, None) => ("sms", ""),
                };
                write(
                    tx,
                    channel,
                    to,
                    DeliveryState::Failed,
                    Some(format!("template error: {e}")),
                    None,
                )?;
            }
            Ok(r) => {
                if let Some(phone) = &sms_to {
                    write(tx, "sms", phone, DeliveryState::Pending, None, Some(r))?;
                }
                if let Some(email) = &email_to {
                    write(tx, "email", email, DeliveryState::Pending, None, Some(r))?;
                }
                if let Some((channel, to, why)) = unreachable {
                    write(
                        tx,
                        channel,
                        &to,
                        DeliveryState::Suppressed,
                        Some(why),
                        Some(r),
                    )?;
                }
            }
        }
        if written > 0
            && let DbConn::Postgres(_) = tx
        {
            // Delivered at commit to every instance's LISTEN.
            tx.batch_execute("NOTIFY handover_outbox")?;
        }
        Ok(written)
    }
}

impl Outbox {
    /// The email copy of a text that could not go (failed, or suppressed
    /// because the customer opted out), rendered from the context the text
    /// was rendered from. `None` when one already exists for that change.
    pub fn fallback_email(
        &self,
        tx: &mut DbConn,
        sms: &NotificationRow,
        to: &str,
        from: Option<String>,
        reply_to: Option<String>,
        now: DateTime<Utc>,
    ) -> diesel::QueryResult<Option<String>> {
        let key = match sms.dedupe_key.strip_suffix(":sms") {
            Some(base) => format!("{base}:email"),
            None => return Ok(None),
        };
        let language = Language::parse(&sms.language).unwrap_or_default();
        let context: MessageContext = serde_json::from_str(&sms.context).unwrap_or_default();
        let rendered = match self.templates.render(language, &sms.kind, &context) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(kind = %sms.kind, error = %e, "fallback template failed");
                return Ok(None);
            }
        };
        let row = NotificationRow {
            id: Uuid::now_v7().to_string(),
            dedupe_key: key,
            channel: "email".into(),
            to_address: to.to_owned(),
            from_address: from,
            reply_to,
            subject: Some(rendered.subject),
            body_text: rendered.text,
            body_html: rendered.html,
            // A fallback goes now: the text it replaces already waited.
            routine: false,
            fallback_of: Some(sms.id.clone()),
            state: DeliveryState::Pending.as_str().to_owned(),
            attempts: 0,
            next_attempt_at: stored(now),
            claimed_at: None,
            lease_until: None,
            recheck_since: None,
            provider_id: None,
            provider_status: None,
            last_error: None,
            created_at: stored(now),
            updated_at: stored(now),
            sent_at: None,
            delivered_at: None,
            ..sms.clone()
        };
        if !db::notifications::insert_new(tx, &row)? {
            return Ok(None); // That change already has its email.
        }
        history(
            tx,
            &row.id,
            DeliveryState::Pending,
            now,
            Some("instead of the text message"),
        )?;
        if let DbConn::Postgres(_) = tx {
            tx.batch_execute("NOTIFY handover_outbox")?;
        }
        Ok(Some(row.id))
    }
}

type Route = (
    Language,
    Option<String>,
    Option<String>,
    Option<(&'static str, String, String)>,
);

/// The language and the channels a message goes by, and when nothing can
/// reach the customer, the row to record that (channel, address, reason).
fn route(tx: &mut DbConn, out: &Outgoing<'_>) -> diesel::QueryResult<Route> {
    match &out.to {
        Recipient::Staff { phone, email, .. } => Ok(match (phone, email) {
            (Some(p), _) => (Language::En, Some(p.clone()), None, None),
            (None, Some(e)) => (Language::En, None, Some(e.clone()), None),
            (None, None) => (
                Language::En,
                None,
                None,
                Some((
                    "sms",
                    String::new(),
                    "the staff member has no phone number or email address".to_owned(),
                )),
            ),
        }),
        Recipient::Customer {
            phone,
            email,
            sms_consent,
            notify_by,
            language,
        } => {
            let opted_out = match phone {
                Some(p) => db::opt_outs::is_opted_out(tx, &out.dealership.id, p)?,
                None => false,
            };
            let sms_open = phone.is_some() && *sms_consent && !opted_out;
            let reach = channels(*notify_by, sms_open, email.is_some());
            let unreachable = (!reach.sms && !reach.email).then(|| {
                let why = if opted_out {
                    "the customer opted out of texts and has no email address"
                } else if phone.is_some() {
                    "no consent to texts and no email address"
                } else {
                    "no phone number or email address"
                };
                match phone {
                    Some(p) => ("sms", p.clone(), why.to_owned()),
                    None => ("email", email.clone().unwrap_or_default(), why.to_owned()),
                }
            });
            Ok((
                *language,
                phone.clone().filter(|_| reach.sms),
                email.clone().filter(|_| reach.email),
                unreachable,
            ))
        }
    }
}

fn recipient_key(to: &Recipient) -> String {
    match to {
        Recipient::Customer { .. } => "customer".into(),
        Recipient::Staff { id, .. } => format!("staff-{id}"),
    }
}

fn stored(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// Appends to a message's delivery history.
pub fn history(
    tx: &mut DbConn,
    id: &str,
    state: DeliveryState,
    at: DateTime<Utc>,
    detail: Option<&str>,
) -> diesel::QueryResult<()> {
    db::notifications::append_event(tx, &history_row(id, state, at, detail))
}

/// One history entry, for writing several at once.
pub fn history_row(
    id: &str,
    state: DeliveryState,
    at: DateTime<Utc>,
    detail: Option<&str>,
) -> NotificationEventRow {
    NotificationEventRow {
        id: Uuid::now_v7().to_string(),
        notification_id: id.to_owned(),
        at: stored(at),
        state: state.as_str().to_owned(),
        provider_status: None,
        detail: detail.map(str::to_owned),
    }
}
