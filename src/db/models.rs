//! Rows as they are stored. Ids are UUID text, times are UTC `NaiveDateTime`,
//! enums are their snake_case names. The app layer turns rows into domain
//! values; nothing here decides anything.

use super::schema::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = dealerships)]
pub struct DealershipRow {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub country: String,
    pub phone: String,
    pub sms_from: Option<String>,
    pub email_from: Option<String>,
    pub tax_rate_bp: i32,
    pub quiet_start: String,
    pub quiet_end: String,
    pub min_handover_minutes: i32,
    pub response_target_minutes: i32,
    pub next_ro_number: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff)]
pub struct StaffRow {
    pub id: String,
    pub dealership_id: String,
    pub name: String,
    pub role: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub token_hash: String,
    pub presence: String,
    pub presence_since: Option<NaiveDateTime>,
    pub break_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = presence_events)]
pub struct PresenceEventRow {
    pub id: String,
    pub dealership_id: String,
    pub staff_id: String,
    pub kind: String,
    pub at: NaiveDateTime,
    pub recorded_by: String,
    pub forced: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = customers)]
pub struct CustomerRow {
    pub id: String,
    pub dealership_id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub language: String,
    pub sms_consent_at: Option<NaiveDateTime>,
    pub sms_consent_method: Option<String>,
    pub created_at: NaiveDateTime,
    /// sms, email or both.
    pub notify_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = repair_orders)]
pub struct RoRow {
    pub id: String,
    pub dealership_id: String,
    pub number: i64,
    pub customer_id: String,
    pub advisor_id: String,
    pub status: String,
    pub version: i64,
    pub promised_at: NaiveDateTime,
    pub vin: String,
    pub vehicle_year: Option<i32>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_plate: Option<String>,
    pub vehicle_mileage: Option<i32>,
    pub estimate_version: i32,
    pub handover_staff_id: Option<String>,
    pub handover_until: Option<NaiveDateTime>,
    pub handover_recorded_at: Option<NaiveDateTime>,
    pub handover_recorded_by: Option<String>,
    pub ready_when_available: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    /// Raised to give the customer a new status link (the old one dies).
    pub link_version: i32,
    /// SHA-256 of the status link's token.
    pub status_token_hash: Option<String>,
}

/// The columns a write may change; `version` is bumped by the guarded update.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = repair_orders, treat_none_as_null = true)]
pub struct RoChanges {
    pub status: String,
    pub promised_at: NaiveDateTime,
    pub estimate_version: i32,
    pub handover_staff_id: Option<String>,
    pub handover_until: Option<NaiveDateTime>,
    pub handover_recorded_at: Option<NaiveDateTime>,
    pub handover_recorded_by: Option<String>,
    pub ready_when_available: bool,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

impl RoRow {
    pub fn changes(&self) -> RoChanges {
        RoChanges {
            status: self.status.clone(),
            promised_at: self.promised_at,
            estimate_version: self.estimate_version,
            handover_staff_id: self.handover_staff_id.clone(),
            handover_until: self.handover_until,
            handover_recorded_at: self.handover_recorded_at,
            handover_recorded_by: self.handover_recorded_by.clone(),
            ready_when_available: self.ready_when_available,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = concerns)]
pub struct ConcernRow {
    pub id: String,
    pub ro_id: String,
    pub position: i32,
    pub description: String,
    pub outcome: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = estimate_lines)]
pub struct LineRow {
    pub id: String,
    pub ro_id: String,
    pub position: i32,
    pub estimate_version: i32,
    pub description: String,
    pub kind: String,
    pub quantity_hundredths: i64,
    pub unit_price_cents: i64,
    pub pay_type: String,
    pub concern_id: Option<String>,
    pub approval: String,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_via: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_ip: Option<String>,
    pub decided_user_agent: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    pub id: String,
    pub ro_id: String,
    pub amount_cents: i64,
    pub method: String,
    pub reference: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ro_events)]
// NULL for None (no DEFAULT): a fixed INSERT, which diesel can keep prepared.
#[diesel(treat_none_as_default_value = false)]
pub struct EventRow {
    pub id: String,
    pub ro_id: String,
    pub at: NaiveDateTime,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
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
    pub id: String,
    pub dealership_id: String,
    pub ro_id: Option<String>,
    pub dedupe_key: String,
    pub kind: String,
    pub recipient_kind: String,
    pub recipient_staff_id: Option<String>,
    pub channel: String,
    pub to_address: String,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    pub subject: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
    pub language: String,
    pub context: String,
    pub routine: bool,
    pub supersede_key: Option<String>,
    pub fallback_of: Option<String>,
    pub state: String,
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
    pub id: String,
    pub notification_id: String,
    pub at: NaiveDateTime,
    pub state: String,
    pub provider_status: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: String,
    pub dealership_id: String,
    pub ro_id: Option<String>,
    pub direction: String,
    pub channel: String,
    pub from_address: Option<String>,
    pub staff_id: Option<String>,
    pub body: String,
    pub provider_id: Option<String>,
    pub at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: String,
    pub dealership_id: String,
    pub ro_id: Option<String>,
    pub kind: String,
    pub dedupe_key: String,
    pub due_at: NaiveDateTime,
    pub state: String,
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
    pub id: String,
    pub staff_id: String,
    pub weekday: i32,
    pub starts: String,
    pub ends: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_time_off)]
pub struct TimeOffRow {
    pub id: String,
    pub staff_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}
