//! Two-way texting. A customer's text joins their most recent open RO at the
//! dealership that owns the number it was sent to; STOP, START and HELP are
//! handled as carriers require; staff answer with POST …/messages; a message
//! nobody answers in time goes to the service manager.

use super::ids::{new_id, stored};
use super::repair_order::RepairOrder;
use super::staff::require;
use super::timeline::{By, record};
use super::{Actor, App, AppError, Ctx, IdempotencyKey, Reply};
use crate::db::models::MessageRow;
use crate::db::{self, DbConn};
use crate::domain::card::mask_card_numbers;
use crate::domain::consent::ConsentMethod;
use crate::domain::dealership::{QuietHours, TimeZone};
use crate::domain::language::Language;
use crate::domain::role::Permission;
use crate::domain::sms::{Keyword, keyword};
use crate::domain::text;
use crate::notify::context::{DealershipCtx, MessageContext};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A text that arrived (Twilio's inbound webhook, already verified).
#[derive(Debug, Clone)]
pub struct InboundText {
    pub message_sid: String,
    pub from: String,
    pub to: String,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// What to tell the customer, in plain words.
    #[schema(example = "Your car needs one more hour; the part just arrived.")]
    pub body: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    /// inbound (from the customer) or outbound (from staff).
    pub direction: String,
    /// sms, email, status_page, …
    pub channel: String,
    pub staff_id: Option<Uuid>,
    pub body: String,
    pub at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
}

impl MessageView {
    pub(crate) fn from_row(m: &MessageRow) -> Result<Self, AppError> {
        Ok(Self {
            id: super::ids::uuid(&m.id)?,
            direction: m.direction.clone(),
            channel: m.channel.clone(),
            staff_id: m.staff_id.as_deref().map(super::ids::uuid).transpose()?,
            body: m.body.clone(),
            at: super::ids::utc(m.at),
            answered_at: m.answered_at.map(super::ids::utc),
            escalated_at: m.escalated_at.map(super::ids::utc),
        })
    }
}

impl App {
    /// Handles a customer's text. Returns what to answer at once (HELP),
    /// if anything; everything else goes through the outbox.
    pub async fn inbound_text(&self, text: InboundText) -> Result<Option<String>, AppError> {
        let cx = self.ctx();
        let reply = self.db.write(move |tx| inbound(tx, &cx, &text)).await?;
        self.outbox.wake();
        Ok(reply)
    }

    /// A staff member writes to the customer of an RO.
    pub async fn send_message(
        &self,
        actor: &Actor,
        id: Uuid,
        input: NewMessage,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<MessageView>, AppError> {
        self.staff_write(
            actor,
            Permission::ViewRepairOrders,
            idem,
            move |tx, who, cx| Ok((super::idempotency::CREATED, reply(tx, who, cx, id, &input)?)),
        )
        .await
    }
}

fn inbound(tx: &mut DbConn, cx: &Ctx, text: &InboundText) -> Result<Option<String>, AppError> {
    let Some(dealership) = db::dealerships::find_by_sms_from(tx, &text.to)? else {
        tracing::warn!("a text arrived for a number no dealership sends from");
        return Ok(None);
    };
    if db::messages::exists_with_provider_id(tx, &text.message_sid)? {
        return Ok(None); // Twilio retried the webhook.
    }
    let ro = match db::repair_orders::latest_for_phone(tx, &dealership.id, &text.from)? {
        Some(row) => RepairOrder::load(tx, &dealership.id, super::ids::uuid(&row.id)?)?,
        None => None,
    };
    let body = mask_card_numbers(text.body.trim());
    let message = MessageRow {
        id: new_id(),
        dealership_id: dealership.id.clone(),
        ro_id: ro.as_ref().map(|r| r.row.id.clone()),
        direction: "inbound".into(),
        channel: "sms".into(),
        from_address: Some(text.from.clone()),
        staff_id: None,
        body: body.clone(),
        provider_id: Some(text.message_sid.clone()),
        at: stored(cx.now),
        answered_at: None,
        escalated_at: None,
    };
    let kw = keyword(&body);
    if kw != Keyword::None {
        // Keywords are for us, not for the advisor: answered already.
        db::messages::insert(
            tx,
            &MessageRow {
                answered_at: Some(stored(cx.now)),
                ..message.clone()
            },
        )?;
    }
    match kw {
        Keyword::Stop => {
            db::opt_outs::opt_out(
                tx,
                &dealership.id,
                &text.from,
                &body.to_uppercase(),
                stored(cx.now),
            )?;
            if let Some(ro) = &ro {
                record(
                    tx,
                    cx,
                    ro,
                    By::Customer,
                    "opted_out",
                    None,
                    serde_json::json!({ "keyword": body }),
                )?;
            }
            // The carrier confirms STOP itself; nothing more may be sent.
            Ok(None)
        }
        Keyword::Start => {
            db::opt_outs::opt_in(tx, &dealership.id, &text.from)?;
            if let Some(ro) = &ro {
                if ro.customer.sms_consent_at.is_none() {
                    db::customers::record_consent(
                        tx,
                        &ro.customer.id,
                        ConsentMethod::Sms.as_str(),
                        stored(cx.now),
                    )?;
                }
                record(
                    tx,
                    cx,
                    ro,
                    By::Customer,
                    "opted_in",
                    None,
                    serde_json::json!({ "keyword": body }),
                )?;
            }
            Ok(None)
        }
        Keyword::Help => {
            let language = ro
                .as_ref()
                .and_then(|r| Language::parse(&r.customer.language).ok())
                .unwrap_or_default();
            let context = MessageContext {
                dealership: DealershipCtx {
                    name: dealership.name.clone(),
                    phone: dealership.phone.clone(),
                },
                ..MessageContext::default()
            };
            Ok(cx
                .outbox
                .templates()
                .render(language, "help", &context)
                .ok()
                .map(|r| r.sms))
        }
        Keyword::None => {
            let Some(ro) = ro else {
                db::messages::insert(tx, &message)?;
                tracing::warn!(
                    "a text from a number with no repair order here was stored without one"
                );
                return Ok(None);
            };
            receive(tx, cx, &ro, message)?;
            Ok(None)
        }
    }
}

/// A customer's message (a text, or the status page's box) joins the RO's
/// conversation: the advisor (or the first delegate who is there) is told,
/// and the manager hears of it if nobody answers in time.
pub(crate) fn receive(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    message: MessageRow,
) -> Result<(), AppError> {
    db::messages::insert(tx, &message)?;
    let tz = TimeZone::parse(&ro.dealership.timezone).map_or(chrono_tz::UTC, |t| t.0);
    let quiet =
        QuietHours::parse(&ro.dealership.quiet_start, &ro.dealership.quiet_end).unwrap_or_default();
    let due = quiet.answer_due(cx.now, i64::from(ro.dealership.response_target_minutes), tz);
    record(
        tx,
        cx,
        ro,
        By::Customer,
        "customer_message",
        None,
        serde_json::json!({ "message_id": message.id, "body": message.body, "channel": message.channel, "due_at": due }),
    )?;
    super::jobs::schedule_escalation(tx, cx, ro, &message.id, due)
}

fn reply(
    tx: &mut DbConn,
    actor: &Actor,
    cx: &Ctx,
    id: Uuid,
    input: &NewMessage,
) -> Result<MessageView, AppError> {
    require(actor, Permission::ViewRepairOrders)?;
    let body = text::note(&input.body, 1000).map_err(|e| AppError::field("body", e.0))?;
    let ro = RepairOrder::load_for_write(tx, actor, id, None)?;
    let message = MessageRow {
        id: new_id(),
        dealership_id: ro.dealership.id.clone(),
        ro_id: Some(ro.row.id.clone()),
        direction: "outbound".into(),
        channel: "staff".into(),
        from_address: None,
        staff_id: Some(actor.staff_id.to_string()),
        body: body.clone(),
        provider_id: None,
        at: stored(cx.now),
        answered_at: None,
        escalated_at: None,
    };
    db::messages::insert(tx, &message)?;
    let answered = db::messages::mark_answered(tx, &ro.row.id, stored(cx.now))?;
    db::jobs::cancel_pending(tx, &ro.row.id, super::jobs::ESCALATE, stored(cx.now))?;
    record(
        tx,
        cx,
        &ro,
        By::Staff(actor.staff_id),
        "staff_message",
        None,
        serde_json::json!({ "message_id": message.id, "body": body, "answered": answered }),
    )?;
    MessageView::from_row(&message)
}
