//! Rows as they are stored, in domain types: ids are their own types, enums
//! are enums, time zones and phone numbers are parsed (see `sql_types`: a
//! stored value that does not parse fails the load). Times are UTC
//! `NaiveDateTime`. Nothing here decides anything.

use super::schema::*;
use crate::domain::bill::TaxableKinds;
use crate::domain::concern::ConcernOutcome;
use crate::domain::consent::ConsentMethod;
use crate::domain::contact::NotifyBy;
use crate::domain::dealership::{LocalTime, TimeZone};
use crate::domain::delivery::DeliveryState;
use crate::domain::email::EmailAddress;
use crate::domain::estimate::{Approval, DecisionChannel, LineKind, PayType};
use crate::domain::event::ActorKind;
use crate::domain::ids::*;
use crate::domain::jargon::OwnWords;
use crate::domain::job::JobState;
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::message::{Channel, ConversationChannel, Direction, MessageKind, RecipientKind};
use crate::domain::money::{Currency, TaxRate};
use crate::domain::opening_hours::OpeningHours;
use crate::domain::payment::{CheckoutState, PaymentMethod, RefundState};
use crate::domain::phone::{Country, PhoneNumber};
use crate::domain::presence::{PresenceEventKind, PresenceState};
use crate::domain::request::RequestStatus;
use crate::domain::role::Role;
use crate::domain::vin::Vin;
use crate::domain::weekday::WeekDay;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = dealerships)]
pub struct DealershipRow {
    pub id: DealershipId,
    pub name: String,
    pub timezone: TimeZone,
    pub country: Country,
    pub phone: PhoneNumber,
    pub sms_from: Option<PhoneNumber>,
    pub email_from: Option<EmailAddress>,
    #[diesel(column_name = tax_rate_bp)]
    pub tax_rate: TaxRate,
    pub quiet_start: LocalTime,
    pub quiet_end: LocalTime,
    pub min_handover_minutes: i32,
    pub response_target_minutes: i32,
    pub next_ro_number: i64,
    pub created_at: NaiveDateTime,
    pub taxable_kinds: TaxableKinds,
    pub shop_supplies_bp: i32,
    pub shop_supplies_cap_cents: i64,
    /// One line, as it is printed: "1200 Lake Shore Dr, Chicago, IL 60610".
    pub address: Option<String>,
    pub opening_hours: OpeningHours,
    pub currency: Currency,
    /// Shop words the dealership adds to the built-in glossary.
    pub glossary: OwnWords,
    /// Business minutes to answer a colleague's request (never past 24 h).
    pub internal_response_target_minutes: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff)]
pub struct StaffRow {
    pub id: StaffId,
    pub dealership_id: DealershipId,
    pub name: String,
    pub role: Role,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub token_hash: String,
    pub presence: PresenceState,
    pub presence_since: Option<NaiveDateTime>,
    pub break_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// False once deactivated: the token and sessions stop working.
    pub active: bool,
    pub deactivated_at: Option<NaiveDateTime>,
    /// argon2id, PHC string; none until the invitation is taken up.
    pub password_hash: Option<String>,
}

/// A one-time link to set a password (stored as the token's hash).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_invitations)]
pub struct InvitationRow {
    pub token_hash: String,
    pub staff_id: StaffId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// A signed-in desk session (stored as the cookie's hash).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = desk_sessions)]
pub struct SessionRow {
    pub id_hash: String,
    pub staff_id: StaffId,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = presence_events)]
pub struct PresenceEventRow {
    pub id: EventId,
    pub dealership_id: DealershipId,
    pub staff_id: StaffId,
    pub kind: PresenceEventKind,
    pub at: NaiveDateTime,
    pub recorded_by: StaffId,
    pub forced: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = customers)]
pub struct CustomerRow {
    pub id: CustomerId,
    pub dealership_id: DealershipId,
    pub name: String,
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    pub language: Language,
    pub sms_consent_at: Option<NaiveDateTime>,
    pub sms_consent_method: Option<ConsentMethod>,
    pub created_at: NaiveDateTime,
    /// sms, email or both.
    pub notify_by: NotifyBy,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = repair_orders)]
pub struct RoRow {
    pub id: RoId,
    pub dealership_id: DealershipId,
    pub number: i64,
    pub customer_id: CustomerId,
    pub advisor_id: StaffId,
    pub status: RoStatus,
    pub version: i64,
    pub promised_at: NaiveDateTime,
    pub vin: Vin,
    pub vehicle_year: Option<i32>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_plate: Option<String>,
    pub vehicle_mileage: Option<i32>,
    pub estimate_version: i32,
    pub handover_staff_id: Option<StaffId>,
    pub handover_until: Option<NaiveDateTime>,
    pub handover_recorded_at: Option<NaiveDateTime>,
    pub handover_recorded_by: Option<StaffId>,
    pub ready_when_available: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    /// Raised to give the customer a new status link (the old one dies).
    pub link_version: i32,
    /// SHA-256 of the status link's token.
    pub status_token_hash: Option<String>,
    /// The rules the estimate is written under, taken from the dealership
    /// at check-in: a later change of rate does not change this bill.
    #[diesel(column_name = tax_rate_bp)]
    pub tax_rate: TaxRate,
    pub taxable_kinds: TaxableKinds,
    pub shop_supplies_bp: i32,
    pub shop_supplies_cap_cents: i64,
    /// A discount on the whole RO, after the jobs' own.
    pub discount_cents: i64,
}

/// The columns a write may change; `version` is bumped by the guarded update.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = repair_orders, treat_none_as_null = true)]
pub struct RoChanges {
    pub status: RoStatus,
    pub promised_at: NaiveDateTime,
    pub estimate_version: i32,
    pub handover_staff_id: Option<StaffId>,
    pub handover_until: Option<NaiveDateTime>,
    pub handover_recorded_at: Option<NaiveDateTime>,
    pub handover_recorded_by: Option<StaffId>,
    pub ready_when_available: bool,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub discount_cents: i64,
}

impl RoRow {
    pub fn changes(&self) -> RoChanges {
        RoChanges {
            status: self.status,
            promised_at: self.promised_at,
            estimate_version: self.estimate_version,
            handover_staff_id: self.handover_staff_id,
            handover_until: self.handover_until,
            handover_recorded_at: self.handover_recorded_at,
            handover_recorded_by: self.handover_recorded_by,
            ready_when_available: self.ready_when_available,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
            discount_cents: self.discount_cents,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = concerns)]
pub struct ConcernRow {
    pub id: ConcernId,
    pub ro_id: RoId,
    pub position: i32,
    pub description: String,
    pub outcome: Option<ConcernOutcome>,
    pub note: Option<String>,
}

/// A job (operation) on the estimate: approved or declined as a whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = repair_jobs)]
pub struct RepairJobRow {
    pub id: RepairJobId,
    pub ro_id: RoId,
    pub position: i32,
    pub estimate_version: i32,
    pub title: String,
    pub concern_id: Option<ConcernId>,
    pub pay_type: PayType,
    pub approval: Approval,
    pub discount_cents: i64,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_via: Option<DecisionChannel>,
    pub decided_ip: Option<String>,
    pub decided_user_agent: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = estimate_lines)]
pub struct LineRow {
    pub id: LineId,
    pub ro_id: RoId,
    pub job_id: RepairJobId,
    pub position: i32,
    pub estimate_version: i32,
    pub description: String,
    pub kind: LineKind,
    pub quantity_hundredths: i64,
    pub unit_price_cents: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    pub id: PaymentId,
    pub ro_id: RoId,
    pub amount_cents: i64,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    /// None for a payment the customer made online.
    pub recorded_by: Option<StaffId>,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = checkout_sessions)]
pub struct CheckoutSessionRow {
    pub id: String,
    pub ro_id: RoId,
    pub amount_cents: i64,
    pub currency: Currency,
    pub url: String,
    pub state: CheckoutState,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credits)]
pub struct CreditRow {
    pub id: CreditId,
    pub ro_id: RoId,
    pub amount_cents: i64,
    pub reason: String,
    /// Set when the credit corrects the tax rate (basis points).
    pub corrected_tax_rate_bp: Option<i32>,
    pub created_by: StaffId,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refunds)]
pub struct RefundRow {
    pub id: RefundId,
    pub credit_id: CreditId,
    pub ro_id: RoId,
    pub payment_id: PaymentId,
    /// How the money came, so how it goes back.
    pub method: PaymentMethod,
    pub amount_cents: i64,
    pub state: RefundState,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    /// Stripe's refund id, or the cashier's receipt or check number.
    pub reference: Option<String>,
    pub refunded_by: Option<StaffId>,
    pub refunded_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A question one colleague asks another (or a role).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_requests)]
pub struct StaffRequestRow {
    pub id: RequestId,
    pub dealership_id: DealershipId,
    pub ro_id: Option<RoId>,
    pub asked_by: StaffId,
    pub to_staff_id: Option<StaffId>,
    pub to_role: Option<Role>,
    pub routed_to: StaffId,
    pub routed_role: Role,
    pub waiting: bool,
    pub expected_at: Option<NaiveDateTime>,
    /// JSON: `[{"staff_id", "name", "reason"}]`.
    pub skipped: String,
    pub body: String,
    pub blocking: bool,
    pub status: RequestStatus,
    pub due_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub answered_at: Option<NaiveDateTime>,
    pub answered_by: Option<StaffId>,
    pub answer: Option<String>,
    pub answer_sid: Option<String>,
    pub escalated_at: Option<NaiveDateTime>,
}

/// An event as stored: `kind` and `detail` are the two halves of a
/// `RoEvent`, joined and checked in `db::events`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ro_events)]
// NULL for None (no DEFAULT): a fixed INSERT, which diesel can keep prepared.
#[diesel(treat_none_as_default_value = false)]
pub struct EventRow {
    pub id: EventId,
    pub ro_id: RoId,
    pub at: NaiveDateTime,
    pub actor_kind: ActorKind,
    pub actor_id: Option<StaffId>,
    pub kind: String,
    pub from_status: Option<RoStatus>,
    pub to_status: Option<RoStatus>,
    pub detail: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub scope: String,
    pub key: String,
    pub request_hash: String,
    pub status: i32,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = notifications)]
// NULL for None (no DEFAULT): a fixed INSERT, which diesel can keep prepared.
#[diesel(treat_none_as_default_value = false)]
pub struct NotificationRow {
    pub id: NotificationId,
    pub dealership_id: DealershipId,
    pub ro_id: Option<RoId>,
    pub dedupe_key: String,
    pub kind: MessageKind,
    pub recipient_kind: RecipientKind,
    pub recipient_staff_id: Option<StaffId>,
    pub channel: Channel,
    pub to_address: String,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    pub subject: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
    pub language: Language,
    pub context: String,
    pub routine: bool,
    pub supersede_key: Option<String>,
    pub fallback_of: Option<NotificationId>,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_at: Option<NaiveDateTime>,
    pub lease_until: Option<NaiveDateTime>,
    pub recheck_since: Option<NaiveDateTime>,
    pub provider_id: Option<String>,
    pub provider_status: Option<String>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

/// A message a worker just claimed, and whether its number has since said
/// STOP (read in the claim, so a send needs no query of its own).
#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedRow {
    // Not `row`: the derive's own variable has that name.
    #[diesel(embed)]
    pub notification: NotificationRow,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub opted_out: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notification_events)]
// NULL for None (no DEFAULT): a fixed INSERT, which diesel can keep prepared.
#[diesel(treat_none_as_default_value = false)]
pub struct NotificationEventRow {
    pub id: EventId,
    pub notification_id: NotificationId,
    pub at: NaiveDateTime,
    pub state: DeliveryState,
    pub provider_status: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: MessageId,
    pub dealership_id: DealershipId,
    pub ro_id: Option<RoId>,
    pub direction: Direction,
    pub channel: ConversationChannel,
    pub from_address: Option<String>,
    pub staff_id: Option<StaffId>,
    pub body: String,
    pub provider_id: Option<String>,
    pub at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
}

/// A job as stored: `kind` and `payload` are the two halves of a `Job`,
/// read by the runner, which fails a job it cannot read.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: JobId,
    pub dealership_id: DealershipId,
    pub ro_id: Option<RoId>,
    pub kind: String,
    pub dedupe_key: String,
    pub due_at: NaiveDateTime,
    pub state: JobState,
    pub attempts: i32,
    pub lease_until: Option<NaiveDateTime>,
    pub payload: String,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_shifts)]
pub struct ShiftRow {
    pub id: EventId,
    pub staff_id: StaffId,
    pub weekday: WeekDay,
    pub starts: LocalTime,
    pub ends: LocalTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_time_off)]
pub struct TimeOffRow {
    pub id: EventId,
    pub staff_id: StaffId,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}
