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
use crate::domain::email::EmailAddress;
use crate::domain::ids::{EventId, NotificationId, RoId, StaffId};
use crate::domain::language::Language;
use crate::domain::message::{Channel, MessageKind, RecipientKind};
use crate::domain::phone::PhoneNumber;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::result::Error as DieselError;
use tokio::sync::Notify;

/// Who a message is for.
#[derive(Debug, Clone)]
pub enum Recipient {
    Customer {
        phone: Option<PhoneNumber>,
        email: Option<EmailAddress>,
        sms_consent: bool,
        notify_by: NotifyBy,
        language: Language,
        /// Whether the number opted out of texts, if the caller already
        /// read it (under the RO's lock); `None`: looked up here.
        opted_out: Option<bool>,
    },
    Staff {
        id: StaffId,
        phone: Option<PhoneNumber>,
        email: Option<EmailAddress>,
    },
}

impl Recipient {
    fn kind(&self) -> RecipientKind {
        match self {
            Recipient::Customer { .. } => RecipientKind::Customer,
            Recipient::Staff { .. } => RecipientKind::Staff,
        }
    }

    /// The recipient's part of a message's dedupe key.
    fn key(&self) -> String {
        match self {
            Recipient::Customer { .. } => "customer".into(),
            Recipient::Staff { id, .. } => format!("staff-{id}"),
        }
    }
}

/// One message to write: what, to whom, about what, caused by what.
pub struct Outgoing<'a> {
    pub dealership: &'a DealershipRow,
    pub ro_id: Option<RoId>,
    /// The event or job that caused it: (cause, recipient, channel) is unique.
    pub cause_id: &'a str,
    pub kind: MessageKind,
    pub to: Recipient,
    /// Routine messages wait out quiet hours; `send_at` already says when.
    pub routine: bool,
    pub send_at: DateTime<Utc>,
    /// A newer pending message with the same key replaces older ones.
    pub supersede_key: Option<&'static str>,
    pub reply_to: Option<EmailAddress>,
    pub context: MessageContext,
}

impl Outgoing<'_> {
    fn dedupe_key(&self, channel: Channel) -> String {
        let about = match self.ro_id {
            Some(ro) => ro.to_string(),
            None => self.dealership.id.to_string(),
        };
        format!("{about}:{}:{}:{channel}", self.cause_id, self.to.key())
    }
}

/// The channels a message goes by, and when nothing can reach the customer,
/// the row that records that.
struct Route {
    language: Language,
    sms: Option<PhoneNumber>,
    email: Option<EmailAddress>,
    unreachable: Option<(Channel, String, &'static str)>,
}

/// What became of a text's email copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailCopy {
    Written(NotificationId),
    /// That change already has its email.
    AlreadyWritten,
    /// The text cannot be rendered again (logged): no email goes.
    Unrenderable,
}

/// One row to write for a message.
struct Row<'a> {
    channel: Channel,
    to: &'a str,
    state: DeliveryState,
    error: Option<String>,
    rendered: Option<&'a Rendering>,
}

/// What a message was rendered into. A message that goes by text alone
/// renders the text's line only: the email's subject, body and HTML were
/// most of the rendering, for parts nobody would store.
enum Rendering {
    Sms(String),
    Full(Rendered),
}

/// A row's subject, body and HTML.
type Body = (Option<String>, String, Option<String>);

impl Rendering {
    fn body(&self, channel: Channel) -> diesel::QueryResult<Body> {
        match (channel, self) {
            (Channel::Sms, Rendering::Sms(sms) | Rendering::Full(Rendered { sms, .. })) => {
                Ok((None, sms.clone(), None))
            }
            (Channel::Email, Rendering::Full(r)) => {
                Ok((Some(r.subject.clone()), r.text.clone(), r.html.clone()))
            }
            // `enqueue` renders everything whenever a row goes by email.
            (Channel::Email, Rendering::Sms(_)) => Err(DieselError::QueryBuilderError(
                "an email row without its email parts".into(),
            )),
        }
    }
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
        let route = route(tx, &out)?;
        let context = serde_json::to_string(&out.context)
            .map_err(|e| DieselError::SerializationError(Box::new(e)))?;
        let mut rows = Vec::new();
        let by_email =
            route.email.is_some() || matches!(route.unreachable, Some((Channel::Email, ..)));
        let (lang, kind, ctx) = (route.language, out.kind, &out.context);
        let rendered = if by_email {
            self.templates.render(lang, kind, ctx).map(Rendering::Full)
        } else {
            self.templates
                .render_sms(lang, kind, ctx)
                .map(Rendering::Sms)
        };
        match &rendered {
            Err(e) => {
                tracing::error!(kind = %out.kind, error = %e, "message template failed");
                let (channel, to) = match (&route.sms, &route.email) {
                    (Some(p), _) => (Channel::Sms, p.as_str()),
                    (None, Some(e)) => (Channel::Email, e.as_str()),
                    (None, None) => (Channel::Sms, ""),
                };
                let error = Some(format!("template error: {e}"));
                rows.push(Row {
                    channel,
                    to,
                    state: DeliveryState::Failed,
                    error,
                    rendered: None,
                });
            }
            Ok(r) => {
                let pending = |channel, to| Row {
                    channel,
                    to,
                    state: DeliveryState::Pending,
                    error: None,
                    rendered: Some(r),
                };
                if let Some(phone) = &route.sms {
                    rows.push(pending(Channel::Sms, phone.as_str()));
                }
                if let Some(email) = &route.email {
                    rows.push(pending(Channel::Email, email.as_str()));
                }
                if let Some((channel, to, why)) = &route.unreachable {
                    rows.push(Row {
                        channel: *channel,
                        to,
                        state: DeliveryState::Suppressed,
                        error: Some((*why).to_owned()),
                        rendered: Some(r),
                    });
                }
            }
        }
        let mut written = 0;
        for row in rows {
            if write(tx, &out, route.language, &context, row, now)? {
                written += 1;
            }
        }
        if written > 0 {
            db::wake_workers(tx)?;
        }
        Ok(written)
    }

    /// The email copy of a text that could not go (failed, or suppressed
    /// because the customer opted out), rendered from the context the text
    /// was rendered from. A stored text that cannot be rendered again gets
    /// no copy (logged: a blank email is worse than none).
    pub fn fallback_email(
        &self,
        tx: &mut DbConn,
        sms: &NotificationRow,
        to: &EmailAddress,
        from: Option<&EmailAddress>,
        reply_to: Option<&EmailAddress>,
        now: DateTime<Utc>,
    ) -> diesel::QueryResult<EmailCopy> {
        let Some(base) = sms.dedupe_key.strip_suffix(":sms") else {
            tracing::error!(notification = %sms.id, "no email copy: not a text's dedupe key");
            return Ok(EmailCopy::Unrenderable);
        };
        let key = format!("{base}:email");
        let mut name = String::new();
        let rendered = serde_json::from_str::<MessageContext>(&sms.context)
            .map_err(|e| e.to_string())
            .and_then(|context| {
                name.clone_from(&context.dealership.name);
                self.templates
                    .render(sms.language, sms.kind, &context)
                    .map_err(|e| e.to_string())
            });
        let rendered = match rendered {
            Ok(r) => r,
            Err(error) => {
                tracing::error!(notification = %sms.id, %error, "no email copy: the text cannot be rendered again");
                return Ok(EmailCopy::Unrenderable);
            }
        };
        let row = NotificationRow {
            id: NotificationId::generate(),
            dedupe_key: key,
            channel: Channel::Email,
            to_address: to.to_string(),
            from_address: from.map(|e| from_with_name(&name, e)),
            reply_to: reply_to.map(ToString::to_string),
            subject: Some(rendered.subject),
            body_text: rendered.text,
            body_html: rendered.html,
            // A fallback goes now: the text it replaces already waited.
            routine: false,
            fallback_of: Some(sms.id),
            state: DeliveryState::Pending,
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
            return Ok(EmailCopy::AlreadyWritten);
        }
        let why = Some("instead of the text message");
        db::notifications::append_event(
            tx,
            &history_row(row.id, DeliveryState::Pending, now, why),
        )?;
        db::wake_workers(tx)?;
        Ok(EmailCopy::Written(row.id))
    }
}

/// `"Lakeside Toyota" <service@lakeside.example>`: the name people see in
/// their inbox, quoted as RFC 5322 wants.
fn from_with_name(name: &str, email: &EmailAddress) -> String {
    match email.as_str().parse::<lettre::Address>() {
        Ok(address) => lettre::message::Mailbox::new(Some(name.to_owned()), address).to_string(),
        // Checked when stored; lettre is stricter only about exotic forms.
        Err(_) => email.to_string(),
    }
}

/// Writes one row of a message (and supersedes what it replaces); `false`
/// when this change already wrote it.
fn write(
    tx: &mut DbConn,
    out: &Outgoing<'_>,
    language: Language,
    context: &str,
    row: Row<'_>,
    now: DateTime<Utc>,
) -> diesel::QueryResult<bool> {
    let Row {
        channel,
        to,
        state,
        error,
        rendered,
    } = row;
    let email = channel == Channel::Email;
    let (subject, body_text, body_html) = match rendered {
        Some(r) => r.body(channel)?,
        None => (None, String::new(), None),
    };
    let d = out.dealership;
    let notification = NotificationRow {
        id: NotificationId::generate(),
        dealership_id: d.id,
        ro_id: out.ro_id,
        dedupe_key: out.dedupe_key(channel),
        kind: out.kind,
        recipient_kind: out.to.kind(),
        recipient_staff_id: match &out.to {
            Recipient::Staff { id, .. } => Some(*id),
            Recipient::Customer { .. } => None,
        },
        channel,
        to_address: to.to_owned(),
        from_address: match channel {
            Channel::Sms => d.sms_from.as_ref().map(ToString::to_string),
            Channel::Email => d.email_from.as_ref().map(|e| from_with_name(&d.name, e)),
        },
        reply_to: out
            .reply_to
            .as_ref()
            .filter(|_| email)
            .map(ToString::to_string),
        subject,
        body_text,
        body_html,
        language,
        context: context.to_owned(),
        routine: out.routine,
        supersede_key: out.supersede_key.map(str::to_owned),
        fallback_of: None,
        state,
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
    // This change may have been told already (`false` then).
    db::notifications::write_message(tx, &notification, error.as_deref())
}

/// The language and the channels a message goes by.
fn route(tx: &mut DbConn, out: &Outgoing<'_>) -> diesel::QueryResult<Route> {
    match &out.to {
        Recipient::Staff { phone, email, .. } => Ok(Route {
            language: Language::En,
            sms: phone.clone(),
            email: if phone.is_some() { None } else { email.clone() },
            unreachable: (phone.is_none() && email.is_none()).then(|| {
                let why = "the staff member has no phone number or email address";
                (Channel::Sms, String::new(), why)
            }),
        }),
        Recipient::Customer {
            phone,
            email,
            sms_consent,
            notify_by,
            language,
            opted_out,
        } => {
            let opted_out = match (phone, opted_out) {
                (None, _) => false,
                (Some(_), Some(known)) => *known,
                (Some(p), None) => db::opt_outs::is_opted_out(tx, out.dealership.id, p.as_str())?,
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
                match (phone, email) {
                    (Some(p), _) => (Channel::Sms, p.to_string(), why),
                    (None, Some(e)) => (Channel::Email, e.to_string(), why),
                    (None, None) => (Channel::Email, String::new(), why),
                }
            });
            Ok(Route {
                language: *language,
                sms: phone.clone().filter(|_| reach.sms),
                email: email.clone().filter(|_| reach.email),
                unreachable,
            })
        }
    }
}

fn stored(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// One history entry, for writing several at once.
pub fn history_row(
    id: NotificationId,
    state: DeliveryState,
    at: DateTime<Utc>,
    detail: Option<&str>,
) -> NotificationEventRow {
    NotificationEventRow {
        id: EventId::generate(),
        notification_id: id,
        at: stored(at),
        state,
        provider_status: None,
        detail: detail.map(str::to_owned),
    }
}
