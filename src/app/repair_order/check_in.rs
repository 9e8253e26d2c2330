//! Check-in: the customer, the car, the concerns in the customer's words, and
//! the time the car is promised for.

use crate::app::Ctx;
use crate::app::error::present;
use crate::app::idempotency::Outcome;
use crate::app::jobs::schedule;
use crate::app::public::links;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, record};
use crate::app::repair_order::view::RoView;
use crate::app::time::stored;
use crate::app::{Actor, App, AppError, IdempotencyKey, Reply};
use crate::db::models::{ConcernRow, CustomerRow, DealershipRow, RoRow};
use crate::db::{self, DbConn};
use crate::domain::consent::{ConsentMethod, SmsConsent};
use crate::domain::contact::NotifyBy;
use crate::domain::email::EmailAddress;
use crate::domain::event::{CheckedIn, RoEvent};
use crate::domain::ids::{ConcernId, CustomerId, RoId, StaffId};
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::phone::{Country, PhoneNumber};
use crate::domain::role::{Permission, Role};
use crate::domain::text;
use crate::domain::validation::{Invalid, Violations};
use crate::domain::vin::Vin;
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    pub customer: CustomerInput,
    pub vehicle: VehicleInput,
    /// Defaults to the advisor making the request.
    pub advisor_id: Option<Uuid>,
    /// What the customer says is wrong, in their words (1–20).
    #[schema(example = json!(["Brakes squeal when stopping", "Check engine light is on"]))]
    pub concerns: Vec<String>,
    /// When the car is promised for (RFC 3339).
    pub promised_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    #[schema(example = "Maria Garcia")]
    pub name: String,
    /// Local numbers are read in the dealership's country.
    #[schema(example = "(312) 555-0142")]
    pub phone: Option<String>,
    pub email: Option<String>,
    /// en (default) or es.
    pub language: Option<String>,
    /// `true` records consent given in person now; or say how and when.
    pub sms_consent: Option<SmsConsentInput>,
    /// How they want to be told: sms, email or both. Default: sms when they
    /// consented to texts, otherwise email.
    pub notify_by: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SmsConsentInput {
    Given(bool),
    Detailed(SmsConsentDetail),
}

impl SmsConsentInput {
    fn given(&self) -> bool {
        !matches!(self, SmsConsentInput::Given(false))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsConsentDetail {
    /// in_person, written, web or sms.
    pub method: String,
    pub given_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleInput {
    #[schema(example = "1HGCM82633A004352")]
    pub vin: String,
    pub year: Option<i32>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub plate: Option<String>,
    pub mileage: Option<i64>,
}

/// The most days ahead a car may be promised: anything later is a typo.
const MAX_PROMISE_DAYS: i64 = 90;

/// A promised time must be in the future and within reason.
pub(crate) fn parse_promised_at(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Invalid> {
    if at <= now {
        return Err(Invalid::new("must be in the future"));
    }
    if at > now + Duration::days(MAX_PROMISE_DAYS) {
        return Err(Invalid::new(format!(
            "must be within {MAX_PROMISE_DAYS} days"
        )));
    }
    Ok(at)
}

struct ParsedCheckIn {
    customer: CustomerRow,
    vehicle: ParsedVehicle,
    concerns: Vec<String>,
    promised_at: DateTime<Utc>,
}

struct ParsedVehicle {
    vin: Vin,
    make: Option<String>,
    model: Option<String>,
    plate: Option<String>,
}

/// Every problem with the check-in at once, or what it says.
fn parse(
    input: &CheckIn,
    dealership: &DealershipRow,
    now: DateTime<Utc>,
) -> Result<ParsedCheckIn, AppError> {
    let mut v = Violations::new();
    let customer = parse_customer(&mut v, &input.customer, dealership, now);
    let vehicle = parse_vehicle(&mut v, &input.vehicle, dealership.country, now);
    if input.concerns.is_empty() || input.concerns.len() > 20 {
        v.push("concerns", "must list between 1 and 20 concerns");
    }
    let concerns: Vec<String> = input
        .concerns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| v.check(&format!("concerns[{i}]"), text::note(c, 1000)))
        .collect();
    let promised_at = v.check("promised_at", parse_promised_at(input.promised_at, now));
    v.finish()?;
    Ok(ParsedCheckIn {
        customer: present(customer)?,
        vehicle: present(vehicle)?,
        concerns,
        promised_at: present(promised_at)?,
    })
}

/// The customer's row, if every field of theirs is right (else each
/// problem is recorded in `v`).
fn parse_customer(
    v: &mut Violations,
    c: &CustomerInput,
    dealership: &DealershipRow,
    now: DateTime<Utc>,
) -> Option<CustomerRow> {
    let name = v.check("customer.name", text::line(&c.name, 120));
    let phone = match &c.phone {
        Some(p) => v
            .check("customer.phone", PhoneNumber::parse(p, dealership.country))
            .map(Some),
        None => Some(None),
    };
    let email = match &c.email {
        Some(e) => v.check("customer.email", EmailAddress::parse(e)).map(Some),
        None => Some(None),
    };
    if c.phone.is_none() && c.email.is_none() {
        v.push(
            "customer",
            "needs a phone number or an email address, so the customer can be told",
        );
    }
    let language = v.check(
        "customer.language",
        c.language
            .as_deref()
            .map_or(Ok(Language::En), Language::parse),
    );
    let consent = parse_consent(v, c, now);
    let notify_by = v.check(
        "customer.notify_by",
        NotifyBy::choose(
            c.notify_by.as_deref(),
            c.phone.is_some() && c.sms_consent.as_ref().is_some_and(SmsConsentInput::given),
            c.email.is_some(),
        ),
    );
    let consent = consent?;
    Some(CustomerRow {
        id: CustomerId::generate(),
        dealership_id: dealership.id,
        name: name?,
        phone: phone?,
        email: email?,
        language: language?,
        sms_consent_at: consent.map(|c| stored(c.given_at)),
        sms_consent_method: consent.map(|c| c.method),
        created_at: stored(now),
        notify_by: notify_by?,
    })
}

/// Consent to texts: none, given now in person, or stated with how and when.
fn parse_consent(
    v: &mut Violations,
    c: &CustomerInput,
    now: DateTime<Utc>,
) -> Option<Option<SmsConsent>> {
    match &c.sms_consent {
        None | Some(SmsConsentInput::Given(false)) => Some(None),
        Some(_) if c.phone.is_none() => {
            v.push(
                "customer.sms_consent",
                "consent to texts needs a phone number",
            );
            None
        }
        Some(SmsConsentInput::Given(true)) => Some(Some(SmsConsent {
            given_at: now,
            method: ConsentMethod::InPerson,
        })),
        Some(SmsConsentInput::Detailed(d)) => v
            .check(
                "customer.sms_consent.method",
                ConsentMethod::parse(&d.method),
            )
            .and_then(|m| {
                v.check(
                    "customer.sms_consent.given_at",
                    SmsConsent::parse(m, d.given_at, now),
                )
            })
            .map(Some),
    }
}

fn parse_vehicle(
    v: &mut Violations,
    vehicle: &VehicleInput,
    country: Country,
    now: DateTime<Utc>,
) -> Option<ParsedVehicle> {
    let vin = v.check("vehicle.vin", Vin::parse(&vehicle.vin, country));
    if let Some(year) = vehicle.year {
        let newest = now.year() + 2;
        if !(1900..=newest).contains(&year) {
            v.push("vehicle.year", format!("must be between 1900 and {newest}"));
        }
    }
    if let Some(miles) = vehicle.mileage
        && !(0..=2_000_000).contains(&miles)
    {
        v.push("vehicle.mileage", "must be between 0 and 2000000");
    }
    let make = v.check(
        "vehicle.make",
        text::optional_line(vehicle.make.as_deref(), 40),
    );
    let model = v.check(
        "vehicle.model",
        text::optional_line(vehicle.model.as_deref(), 60),
    );
    let plate = v.check(
        "vehicle.plate",
        text::optional_line(vehicle.plate.as_deref(), 15),
    );
    Some(ParsedVehicle {
        vin: vin?,
        make: make?,
        model: model?,
        plate: plate?.map(|p| p.to_uppercase()),
    })
}

/// The advisor the RO is written for: the one named, or the caller.
fn resolve_advisor(
    tx: &mut DbConn,
    actor: &Actor,
    advisor_id: Option<Uuid>,
) -> Result<StaffId, AppError> {
    let Some(id) = advisor_id else {
        if actor.role == Role::Advisor {
            return Ok(actor.staff_id);
        }
        return Err(AppError::field(
            "advisor_id",
            "is required when a manager checks a car in",
        ));
    };
    let staff = db::staff::find(tx, actor.dealership_id, StaffId::from(id))?
        .ok_or_else(|| AppError::field("advisor_id", "is not a staff member of this dealership"))?;
    if !staff.role.can_hand_over() {
        return Err(AppError::field(
            "advisor_id",
            format!("is a {}, not an advisor or manager", staff.role),
        ));
    }
    if !staff.active {
        return Err(AppError::field("advisor_id", "is deactivated"));
    }
    Ok(staff.id)
}

pub(crate) fn write(
    tx: &mut DbConn,
    actor: &Actor,
    input: &CheckIn,
    cx: &Ctx,
) -> Result<RoView, AppError> {
    let now = cx.now;
    let dealership_id = actor.dealership_id;
    let dealership =
        db::dealerships::find(tx, dealership_id)?.ok_or(AppError::NotFound("dealership"))?;
    let parsed = parse(input, &dealership, now)?;
    let advisor_id = resolve_advisor(tx, actor, input.advisor_id)?;
    db::customers::insert(tx, &parsed.customer)?;
    let number = db::dealerships::take_next_ro_number(tx, dealership_id)?;
    let id = RoId::generate();
    let token = cx.links.token(id, 1);
    let row = RoRow {
        id,
        dealership_id,
        number,
        customer_id: parsed.customer.id,
        advisor_id,
        status: RoStatus::CheckedIn,
        version: 1,
        promised_at: stored(parsed.promised_at),
        vin: parsed.vehicle.vin,
        vehicle_year: input.vehicle.year,
        vehicle_make: parsed.vehicle.make,
        vehicle_model: parsed.vehicle.model,
        vehicle_plate: parsed.vehicle.plate,
        vehicle_mileage: input.vehicle.mileage.map(|m| m as i32),
        estimate_version: 0,
        handover_staff_id: None,
        handover_until: None,
        handover_recorded_at: None,
        handover_recorded_by: None,
        ready_when_available: false,
        created_at: stored(now),
        updated_at: stored(now),
        closed_at: None,
        link_version: 1,
        status_token_hash: Some(links::Links::hash(&token)),
        // The estimate is written under today's rules, whatever the
        // dealership changes later.
        tax_rate: dealership.tax_rate,
        taxable_kinds: dealership.taxable_kinds,
        shop_supplies_bp: dealership.shop_supplies_bp,
        shop_supplies_cap_cents: dealership.shop_supplies_cap_cents,
        discount_cents: 0,
    };
    db::repair_orders::insert(tx, &row)?;
    let concerns: Vec<ConcernRow> = parsed
        .concerns
        .iter()
        .enumerate()
        .map(|(i, description)| ConcernRow {
            id: ConcernId::generate(),
            ro_id: row.id,
            position: i as i32 + 1,
            description: description.clone(),
            outcome: None,
            note: None,
        })
        .collect();
    db::concerns::insert_all(tx, &concerns)?;
    let ro = RepairOrder::from_row(tx, row)?;
    let event = RoEvent::CheckedIn(CheckedIn {
        number,
        promised_at: parsed.promised_at,
        concerns: concerns.len(),
    });
    record(tx, cx, &ro, By::Staff(actor.staff_id), event, None)?;
    schedule::schedule_progress(tx, cx, &ro, now)?;
    RoView::build(&ro, &cx.links)
}

impl App {
    pub async fn check_in(
        &self,
        actor: &Actor,
        input: CheckIn,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<RoView>, AppError> {
        self.staff_write(actor, Permission::CheckIn, idem, move |tx, who, cx| {
            Ok((Outcome::Created, write(tx, who, &input, cx)?))
        })
        .await
    }
}
