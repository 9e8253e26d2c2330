//! What happens to a repair order, as its timeline records it. One variant
//! per kind of event, each with the facts it carries: the outbox decides who
//! hears about each (`app::messaging::notices`), the status page which ones
//! the customer sees, and a stored event that no variant matches fails to
//! load instead of being skipped.

use super::concern::ConcernOutcome;
use super::estimate::{Approval, DecisionChannel};
use super::ids::{CreditId, MessageId, PaymentId, RefundId, RepairJobId, RequestId, StaffId};
use super::lifecycle::RoStatus;
use super::message::ConversationChannel;
use super::payment::PaymentMethod;
use super::validation::string_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

string_enum!(
    /// Who caused an event.
    ActorKind { Staff => "staff", Customer => "customer", System => "system" }
);

/// One entry on an RO's timeline. Stored as its `kind` and the JSON of its
/// facts (`detail`), the two halves of this adjacently tagged form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum RoEvent {
    CheckedIn(CheckedIn),
    EstimateSent(EstimateSent),
    DecisionsRecorded(DecisionsRecorded),
    StatusChanged(StatusChanged),
    PromisedAtChanged(PromisedAtChanged),
    Cancelled(Cancelled),
    Ready(Ready),
    ReadyWhenAvailable(ReadyWhenAvailable),
    HandoverPassed(HandoverPassed),
    CoverageLost(CoverageLost),
    HandoverRecorded(HandoverRecorded),
    DelegatesSet(DelegatesSet),
    PaymentRecorded(PaymentRecorded),
    PickedUp(PickedUp),
    CustomerArrived(CustomerArrived),
    CustomerMessage(CustomerMessage),
    StaffMessage(StaffMessage),
    OptedOut(Keyword),
    OptedIn(Keyword),
    ProgressUpdate(ProgressUpdate),
    Escalated(Escalated),
    CreditIssued(CreditIssued),
    Refunded(Refunded),
    RequestOpened(RequestOpened),
    RequestHandedOn(RequestHandedOn),
    RequestAnswered(RequestAnswered),
    RequestEscalated(RequestEscalated),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedIn {
    pub number: i64,
    pub promised_at: DateTime<Utc>,
    pub concerns: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateSent {
    pub estimate_version: i32,
    /// Jobs added in this round. Before jobs existed each line was its own
    /// job (and migrated as one), so the old name counts the same thing.
    #[serde(alias = "lines_added")]
    pub jobs_added: usize,
    pub total_cents: i64,
    pub warranty_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionsRecorded {
    pub channel: DecisionChannel,
    pub decisions: Vec<JobDecision>,
    pub pending_left: usize,
    /// Where the status page was opened from, for decisions made there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobDecision {
    /// Lines migrated to jobs kept their ids, so decisions stored before
    /// jobs existed name the same job.
    #[serde(alias = "line_id")]
    pub job_id: RepairJobId,
    pub approval: Approval,
}

impl DecisionsRecorded {
    /// How many jobs ended up with `approval`.
    pub fn count(&self, approval: Approval) -> usize {
        self.decisions
            .iter()
            .filter(|d| d.approval == approval)
            .count()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChanged {
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromisedAtChanged {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancelled {
    pub reason: String,
    pub paid_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ready {
    pub handover_staff_id: StaffId,
    pub handover_name: String,
    pub handover_until: Option<DateTime<Utc>>,
    pub balance_due_cents: i64,
}

/// A candidate the gate passed over, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassedOver {
    pub staff_id: StaffId,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadyWhenAvailable {
    pub candidates: Vec<PassedOver>,
    pub next_available_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverPassed {
    pub from_staff_id: Option<StaffId>,
    pub handover_staff_id: StaffId,
    pub handover_name: String,
    pub handover_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageLost {
    /// Who was to hand the car over.
    pub left: Option<StaffId>,
    pub ready_when_available: bool,
    pub next_available_at: Option<DateTime<Utc>>,
    pub candidates: Vec<PassedOver>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverRecorded {
    pub concerns: Vec<ConcernResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcernResult {
    pub id: super::ids::ConcernId,
    pub outcome: ConcernOutcome,
    pub note: String,
}

/// The RO's own delegates, in the order they are asked (empty: the
/// advisor's standing delegates apply again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelegatesSet {
    pub delegate_ids: Vec<StaffId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRecorded {
    pub payment_id: PaymentId,
    pub amount_cents: i64,
    pub method: PaymentMethod,
    pub balance_due_cents: i64,
    /// What was due when an online payment came in: the bill can change
    /// while the customer is on Stripe's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_before_cents: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickedUp {
    pub paid_cents: i64,
    pub total_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerArrived {
    pub paged: Option<Paged>,
    pub skipped: Vec<PassedOver>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paged {
    pub staff_id: StaffId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerMessage {
    pub message_id: MessageId,
    pub body: String,
    pub channel: ConversationChannel,
    /// When an answer is due (business time, never past 24 hours).
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMessage {
    pub message_id: MessageId,
    pub body: String,
    /// How many of the customer's messages it answered.
    pub answered: usize,
}

/// The word the customer texted (STOP, START, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyword {
    pub keyword: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressUpdate {
    pub status: RoStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Escalated {
    pub message_id: MessageId,
    pub waited_minutes: i64,
}

/// Money owed back to the customer, and how it goes back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditIssued {
    pub credit_id: CreditId,
    pub amount_cents: i64,
    pub reason: String,
    /// The tax rate a tax correction credits to (basis points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_tax_rate_bp: Option<i32>,
    pub refunds: Vec<RefundShare>,
}

/// One payment's share of a credit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundShare {
    pub refund_id: RefundId,
    pub payment_id: PaymentId,
    pub method: PaymentMethod,
    pub amount_cents: i64,
    /// Sent back through Stripe (else handed back by the cashier).
    pub online: bool,
}

/// Money went back: through Stripe, or handed back by the cashier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refunded {
    pub refund_id: RefundId,
    pub credit_id: CreditId,
    pub amount_cents: i64,
    pub method: PaymentMethod,
    pub reference: Option<String>,
}

/// A colleague asked about this RO (a blocking request holds it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestOpened {
    pub request_id: RequestId,
    pub routed_to: StaffId,
    pub routed_name: String,
    pub body: String,
    pub blocking: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestHandedOn {
    pub request_id: RequestId,
    pub to: StaffId,
    pub to_name: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestAnswered {
    pub request_id: RequestId,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestEscalated {
    pub request_id: RequestId,
    pub waited_minutes: i64,
}

impl RoEvent {
    /// The stored `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CheckedIn(_) => "checked_in",
            Self::EstimateSent(_) => "estimate_sent",
            Self::DecisionsRecorded(_) => "decisions_recorded",
            Self::StatusChanged(_) => "status_changed",
            Self::PromisedAtChanged(_) => "promised_at_changed",
            Self::Cancelled(_) => "cancelled",
            Self::Ready(_) => "ready",
            Self::ReadyWhenAvailable(_) => "ready_when_available",
            Self::HandoverPassed(_) => "handover_passed",
            Self::CoverageLost(_) => "coverage_lost",
            Self::HandoverRecorded(_) => "handover_recorded",
            Self::DelegatesSet(_) => "delegates_set",
            Self::PaymentRecorded(_) => "payment_recorded",
            Self::PickedUp(_) => "picked_up",
            Self::CustomerArrived(_) => "customer_arrived",
            Self::CustomerMessage(_) => "customer_message",
            Self::StaffMessage(_) => "staff_message",
            Self::OptedOut(_) => "opted_out",
            Self::OptedIn(_) => "opted_in",
            Self::ProgressUpdate(_) => "progress_update",
            Self::Escalated(_) => "escalated",
            Self::CreditIssued(_) => "credit_issued",
            Self::Refunded(_) => "refunded",
            Self::RequestOpened(_) => "request_opened",
            Self::RequestHandedOn(_) => "request_handed_on",
            Self::RequestAnswered(_) => "request_answered",
            Self::RequestEscalated(_) => "request_escalated",
        }
    }

    /// The stored `detail`: the event's facts as JSON.
    pub fn detail(&self) -> serde_json::Result<serde_json::Value> {
        let mut tagged = serde_json::to_value(self)?;
        Ok(tagged
            .get_mut("detail")
            .map(serde_json::Value::take)
            .unwrap_or(serde_json::Value::Null))
    }

    /// Reads an event back from its stored halves.
    pub fn from_stored(kind: &str, detail: &str) -> serde_json::Result<Self> {
        let detail: serde_json::Value = serde_json::from_str(detail)?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "detail": detail }))
    }

    /// What the customer's status page calls this step, if it shows it:
    /// status changes by the status reached, the milestones by their kind.
    /// Conversations, payments and staffing stay off the customer's list.
    pub fn public_step(&self, to: Option<RoStatus>) -> Option<&'static str> {
        match self {
            Self::StatusChanged(_) => to.map(RoStatus::as_str),
            Self::CheckedIn(_)
            | Self::EstimateSent(_)
            | Self::DecisionsRecorded(_)
            | Self::PromisedAtChanged(_)
            | Self::Ready(_)
            | Self::CoverageLost(_)
            | Self::HandoverRecorded(_)
            | Self::PickedUp(_)
            | Self::Cancelled(_) => Some(self.kind()),
            Self::ReadyWhenAvailable(_)
            | Self::HandoverPassed(_)
            | Self::DelegatesSet(_)
            | Self::PaymentRecorded(_)
            | Self::CustomerArrived(_)
            | Self::CustomerMessage(_)
            | Self::StaffMessage(_)
            | Self::OptedOut(_)
            | Self::OptedIn(_)
            | Self::ProgressUpdate(_)
            | Self::Escalated(_)
            | Self::CreditIssued(_)
            | Self::Refunded(_)
            | Self::RequestOpened(_)
            | Self::RequestHandedOn(_)
            | Self::RequestAnswered(_)
            | Self::RequestEscalated(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<RoEvent> {
        let at = DateTime::<Utc>::default();
        vec![
            RoEvent::CheckedIn(CheckedIn {
                number: 1001,
                promised_at: at,
                concerns: 2,
            }),
            RoEvent::StatusChanged(StatusChanged { note: None }),
            RoEvent::OptedOut(Keyword {
                keyword: "STOP".into(),
            }),
            RoEvent::DecisionsRecorded(DecisionsRecorded {
                channel: DecisionChannel::Phone,
                decisions: vec![JobDecision {
                    job_id: RepairJobId::generate(),
                    approval: Approval::Approved,
                }],
                pending_left: 0,
                ip: None,
            }),
        ]
    }

    #[test]
    fn events_round_trip_through_their_stored_halves() {
        for event in samples() {
            let detail = event.detail().unwrap().to_string();
            assert!(!detail.contains("\"kind\""), "{detail}");
            assert_eq!(RoEvent::from_stored(event.kind(), &detail).unwrap(), event);
        }
    }

    #[test]
    fn the_stored_detail_keeps_its_shape() {
        let e = RoEvent::StatusChanged(StatusChanged {
            note: Some("Road-tested".into()),
        });
        assert_eq!(
            e.detail().unwrap(),
            serde_json::json!({"note": "Road-tested"})
        );
    }

    /// Lines became jobs with their ids (migration 6): events written
    /// before name lines, and load as decisions on the same jobs.
    #[test]
    fn events_written_before_jobs_still_load() {
        let id = RepairJobId::generate();
        let old = format!(
            "{{\"channel\":\"phone\",\"decisions\":[{{\"line_id\":\"{id}\",\"approval\":\"approved\"}}],\"pending_left\":0}}"
        );
        let RoEvent::DecisionsRecorded(d) =
            RoEvent::from_stored("decisions_recorded", &old).unwrap()
        else {
            panic!("not decisions");
        };
        assert_eq!(d.decisions[0].job_id, id);
        let sent = r#"{"estimate_version":1,"lines_added":3,"total_cents":100,"warranty_cents":0}"#;
        let RoEvent::EstimateSent(e) = RoEvent::from_stored("estimate_sent", sent).unwrap() else {
            panic!("not an estimate");
        };
        assert_eq!(e.jobs_added, 3);
    }

    #[test]
    fn unknown_or_malformed_events_fail_to_load() {
        assert!(RoEvent::from_stored("teleported", "{}").is_err());
        assert!(RoEvent::from_stored("checked_in", "{\"number\": \"x\"}").is_err());
        assert!(RoEvent::from_stored("checked_in", "not json").is_err());
    }

    #[test]
    fn the_customer_sees_milestones_not_the_back_office() {
        let arrived = RoEvent::CustomerArrived(CustomerArrived {
            paged: None,
            skipped: vec![],
        });
        assert_eq!(arrived.public_step(None), None);
        let moved = RoEvent::StatusChanged(StatusChanged { note: None });
        assert_eq!(
            moved.public_step(Some(RoStatus::WaitingParts)),
            Some("waiting_parts")
        );
    }
}
