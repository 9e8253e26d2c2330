//! Two-way texting. A customer's text joins their most recent open RO at the
//! dealership that owns the number it was sent to; STOP, START and HELP are
//! handled as carriers require; staff answer with POST …/messages; a message
//! nobody answers in time goes to the service manager.

use super::context;
use crate::app::admin::staff::require;
use crate::app::idempotency::Outcome;
use crate::app::jargon::JargonCheck;
use crate::app::jobs::schedule;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, record};
use crate::app::time::stored;
use crate::app::time::utc;
use crate::app::{Actor, App, AppError, Ctx, IdempotencyKey, Reply};
use crate::db::models::{DealershipRow, MessageRow};
use crate::db::{self, DbConn};
use crate::domain::card::mask_card_numbers;
use crate::domain::consent::ConsentMethod;
use crate::domain::event::{CustomerMessage, Keyword as KeywordEvent, RoEvent, StaffMessage};
use crate::domain::ids::{MessageId, RoId};
use crate::domain::jargon::JargonFlag;
use crate::domain::language::Language;
use crate::domain::message::{ConversationChannel, Direction, MessageKind};
use crate::domain::phone::PhoneNumber;
use crate::domain::role::Permission;
use crate::domain::sms::{Keyword, StopWords, keyword};
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
    pub direction: Direction,
    /// sms (a text), status_page, or staff (written through the API).
    pub channel: ConversationChannel,
    pub staff_id: Option<Uuid>,
    pub body: String,
    pub at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    /// Shop words in a message staff just wrote, with plain words to use
    /// next time (the message was sent as written). Empty otherwise.
    pub jargon: Vec<JargonFlag>,
}

impl MessageView {
    pub(crate) fn from_row(m: &MessageRow) -> Self {
        Self {
            id: m.id.uuid(),
            direction: m.direction,
            channel: m.channel,
            staff_id: m.staff_id.map(|s| s.uuid()),
            body: m.body.clone(),
            at: utc(m.at),
            answered_at: m.answered_at.map(utc),
            escalated_at: m.escalated_at.map(utc),
            jargon: Vec::new(),
        }
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
        id: RoId,
        input: NewMessage,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<MessageView>, AppError> {
        self.staff_write(
            actor,
            Permission::ViewRepairOrders,
            idem,
            move |tx, who, cx| Ok((Outcome::Created, reply(tx, who, cx, id, &input)?)),
        )
        .await
    }
}

/// A text from a colleague's phone answers their oldest open request.
/// `Some(reply)` when it was theirs to handle; `None` to go on as a
/// customer's text (their own car, perhaps).
fn colleague_text(
    tx: &mut DbConn,
    cx: &Ctx,
    dealership: &DealershipRow,
    from: Option<&PhoneNumber>,
    text: &InboundText,
    has_ro: bool,
) -> Result<Option<Option<String>>, AppError> {
    use crate::app::requests::{StaffText, staff_text};
    let Some(phone) = from else { return Ok(None) };
    let Some(staff) = db::staff::find_by_phone(tx, dealership.id, phone)? else {
        return Ok(None);
    };
    Ok(
        match staff_text(tx, cx, &staff, &text.message_sid, &text.body)? {
            StaffText::Answered(reply) => Some(Some(reply)),
            StaffText::Retry => Some(None),
            StaffText::NothingOpen if has_ro => None,
            StaffText::NothingOpen => Some(Some(
                "Handover: you have no open question to answer, so this text went nowhere.".into(),
            )),
        },
    )
}

fn inbound(tx: &mut DbConn, cx: &Ctx, text: &InboundText) -> Result<Option<String>, AppError> {
    let Some(dealership) = PhoneNumber::from_e164(&text.to)
        .ok()
        .map(|to| db::dealerships::find_by_sms_from(tx, &to))
        .transpose()?
        .flatten()
    else {
        tracing::warn!("a text arrived for a number no dealership sends from");
        return Ok(None);
    };
    if db::messages::exists_with_provider_id(tx, &text.message_sid)? {
        return Ok(None); // Twilio retried the webhook.
    }
    let from = PhoneNumber::from_e164(&text.from).ok();
    let ro = match &from {
        Some(phone) => match db::repair_orders::latest_for_phone(tx, dealership.id, phone)? {
            Some(row) => Some(RepairOrder::from_row(tx, row)?),
            None => None,
        },
        None => None,
    };
    if let Some(reply) = colleague_text(tx, cx, &dealership, from.as_ref(), text, ro.is_some())? {
        return Ok(reply);
    }
    let body = mask_card_numbers(text.body.trim());
    let message = MessageRow {
        id: MessageId::generate(),
        dealership_id: dealership.id,
        ro_id: ro.as_ref().map(|r| r.row.id),
        direction: Direction::Inbound,
        channel: ConversationChannel::Sms,
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
        let answered = MessageRow {
            answered_at: Some(stored(cx.now)),
            ..message.clone()
        };
        db::messages::insert(tx, &answered)?;
    }
    let ro = ro.as_ref();
    match kw {
        Keyword::Stop(words) => {
            stop(tx, cx, &dealership, &text.from, ro, &body)?;
            Ok(match words {
                StopWords::Carrier => None,
                StopWords::Own => text_only(cx, &dealership, ro, MessageKind::OptedOut),
            })
        }
        Keyword::Start => start(tx, cx, &dealership, &text.from, ro, &body).map(|()| None),
        Keyword::Help => Ok(text_only(cx, &dealership, ro, MessageKind::Help)),
        Keyword::None => match ro {
            Some(ro) => receive(tx, cx, ro, message).map(|()| None),
            None => {
                db::messages::insert(tx, &message)?;
                tracing::warn!(
                    "a text from a number with no repair order here was stored without one"
                );
                Ok(None)
            }
        },
    }
}

/// STOP: no more texts to this number from this dealership. The carrier
/// confirms its own keywords; other words are confirmed by the webhook's
/// reply, the one text allowed after a stop.
fn stop(
    tx: &mut DbConn,
    cx: &Ctx,
    dealership: &DealershipRow,
    from: &str,
    ro: Option<&RepairOrder>,
    body: &str,
) -> Result<(), AppError> {
    let keyword = body.to_uppercase();
    db::opt_outs::opt_out(tx, dealership.id, from, &keyword, stored(cx.now))?;
    if let Some(ro) = ro {
        let event = RoEvent::OptedOut(KeywordEvent {
            keyword: body.to_owned(),
        });
        record(tx, cx, ro, By::Customer, event, None)?;
    }
    Ok(())
}

/// START: texts again, and consent recorded if there was none.
fn start(
    tx: &mut DbConn,
    cx: &Ctx,
    dealership: &DealershipRow,
    from: &str,
    ro: Option<&RepairOrder>,
    body: &str,
) -> Result<(), AppError> {
    db::opt_outs::opt_in(tx, dealership.id, from)?;
    let Some(ro) = ro else {
        return Ok(());
    };
    if ro.customer.sms_consent_at.is_none() {
        let customer = ro.customer.id;
        db::customers::record_consent(tx, customer, ConsentMethod::Sms, stored(cx.now))?;
    }
    let event = RoEvent::OptedIn(KeywordEvent {
        keyword: body.to_owned(),
    });
    record(tx, cx, ro, By::Customer, event, None)
}

/// HELP (who we are and how to stop) or a stop confirmation, answered in
/// the webhook's reply in the customer's language. A template that cannot
/// render is logged, and the carrier's own answer stands.
fn text_only(
    cx: &Ctx,
    dealership: &DealershipRow,
    ro: Option<&RepairOrder>,
    kind: MessageKind,
) -> Option<String> {
    let language = ro.map_or(Language::En, |r| r.customer.language);
    let context = MessageContext {
        dealership: DealershipCtx {
            name: dealership.name.clone(),
            phone: dealership.phone.to_string(),
        },
        ..MessageContext::default()
    };
    match cx.outbox.templates().render(language, kind, &context) {
        Ok(r) => Some(r.sms),
        Err(e) => {
            tracing::error!(error = %e, kind = %kind, "a keyword reply could not be rendered");
            None
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
    let d = &ro.dealership;
    let minutes = i64::from(d.response_target_minutes);
    let due = context::quiet_hours(ro).answer_due(cx.now, minutes, d.timezone.0);
    let event = RoEvent::CustomerMessage(CustomerMessage {
        message_id: message.id,
        body: message.body,
        channel: message.channel,
        due_at: due,
    });
    record(tx, cx, ro, By::Customer, event, None)?;
    schedule::schedule_escalation(tx, cx, ro, message.id, due)
}

fn reply(
    tx: &mut DbConn,
    actor: &Actor,
    cx: &Ctx,
    id: RoId,
    input: &NewMessage,
) -> Result<MessageView, AppError> {
    require(actor, Permission::ViewRepairOrders)?;
    let body = text::note(&input.body, 1000).map_err(|e| AppError::field("body", e.0))?;
    let ro = RepairOrder::load_for_write(tx, actor, id, None)?;
    let message = MessageRow {
        id: MessageId::generate(),
        dealership_id: ro.dealership.id,
        ro_id: Some(ro.row.id),
        direction: Direction::Outbound,
        channel: ConversationChannel::Staff,
        from_address: None,
        staff_id: Some(actor.staff_id),
        body: body.clone(),
        provider_id: None,
        at: stored(cx.now),
        answered_at: None,
        escalated_at: None,
    };
    db::messages::insert(tx, &message)?;
    let answered = db::messages::mark_answered(tx, ro.row.id, stored(cx.now))?;
    schedule::cancel_escalations(tx, cx, &ro)?;
    let event = RoEvent::StaffMessage(StaffMessage {
        message_id: message.id,
        body,
        answered,
    });
    record(tx, cx, &ro, By::Staff(actor.staff_id), event, None)?;
    let mut check = JargonCheck::new(&ro.dealership, ro.customer.language)?;
    check.check("body", &message.body);
    let mut view = MessageView::from_row(&message);
    view.jargon = check.flags();
    Ok(view)
}
