//! Creating dealerships (admin) and reading one's own.

use crate::app::error::present;
use crate::app::idempotency::Outcome;
use crate::app::time::{stored, utc};
use crate::app::{App, AppError, Caller, IdempotencyKey, Reply};
use crate::db::{self, models::DealershipRow};
use crate::domain::dealership::{
    QuietHours, TimeZone, parse_min_handover_minutes, parse_response_target_minutes,
};
use crate::domain::email::EmailAddress;
use crate::domain::ids::DealershipId;
use crate::domain::money::TaxRate;
use crate::domain::phone::{Country, PhoneNumber};
use crate::domain::text;
use crate::domain::validation::Violations;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDealership {
    #[schema(example = "Lakeside Toyota")]
    pub name: String,
    /// IANA time zone; shifts, quiet hours and every time shown to a person
    /// are in it.
    #[schema(example = "America/Chicago")]
    pub timezone: String,
    /// ISO 3166-1 alpha-2; the default region for phone numbers, and US/CA
    /// turn on the VIN check digit.
    #[schema(example = "US")]
    pub country: String,
    /// The service department's phone number, given to customers.
    #[schema(example = "+13125550100")]
    pub phone: String,
    /// The number texts are sent from (and inbound texts arrive at).
    pub sms_from: Option<String>,
    pub email_from: Option<String>,
    /// Sales tax on customer-pay work, in basis points (825 = 8.25 %).
    #[schema(example = 825)]
    pub tax_rate_bp: i64,
    /// Default 21:00–08:00.
    pub quiet_hours: Option<QuietHoursInput>,
    /// Default 30.
    pub min_handover_minutes: Option<i64>,
    /// Default 240.
    pub response_target_minutes: Option<i64>,
    /// The first RO number to hand out (default 1), for shops moving from
    /// another system.
    pub first_ro_number: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursInput {
    #[schema(example = "21:00")]
    pub start: String,
    #[schema(example = "08:00")]
    pub end: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealershipView {
    pub id: Uuid,
    pub name: String,
    pub timezone: String,
    pub country: String,
    pub phone: String,
    pub sms_from: Option<String>,
    pub email_from: Option<String>,
    pub tax_rate_bp: i32,
    pub quiet_hours: QuietHoursView,
    pub min_handover_minutes: i32,
    pub response_target_minutes: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuietHoursView {
    pub start: String,
    pub end: String,
}

impl DealershipView {
    pub(crate) fn from_row(row: &DealershipRow) -> Self {
        Self {
            id: row.id.uuid(),
            name: row.name.clone(),
            timezone: row.timezone.name().to_owned(),
            country: row.country.code().to_owned(),
            phone: row.phone.to_string(),
            sms_from: row.sms_from.as_ref().map(ToString::to_string),
            email_from: row.email_from.as_ref().map(ToString::to_string),
            tax_rate_bp: row.tax_rate.stored(),
            quiet_hours: QuietHoursView {
                start: row.quiet_start.to_string(),
                end: row.quiet_end.to_string(),
            },
            min_handover_minutes: row.min_handover_minutes,
            response_target_minutes: row.response_target_minutes,
            created_at: utc(row.created_at),
        }
    }
}

/// Parses a new dealership into the row to store, reporting every bad field.
pub(crate) fn parse_dealership(
    input: &NewDealership,
    now: DateTime<Utc>,
) -> Result<DealershipRow, AppError> {
    let mut v = Violations::new();
    let name = v.check("name", text::required(&input.name, 120));
    let tz = v.check("timezone", TimeZone::parse(&input.timezone));
    let country = v.check("country", Country::parse(&input.country));
    let (phone, sms_from) = match country {
        Some(c) => (
            v.check("phone", PhoneNumber::parse(&input.phone, c)),
            match &input.sms_from {
                Some(raw) => v.check("sms_from", PhoneNumber::parse(raw, c)).map(Some),
                None => Some(None),
            },
        ),
        None => (None, None),
    };
    let email_from = match &input.email_from {
        Some(raw) => v.check("email_from", EmailAddress::parse(raw)).map(Some),
        None => Some(None),
    };
    let tax = v.check("tax_rate_bp", TaxRate::parse(input.tax_rate_bp));
    let quiet = match &input.quiet_hours {
        Some(q) => v.check("quiet_hours", QuietHours::parse(&q.start, &q.end)),
        None => Some(QuietHours::default()),
    };
    let min_handover = v.check(
        "min_handover_minutes",
        parse_min_handover_minutes(input.min_handover_minutes.unwrap_or(30)),
    );
    let response = v.check(
        "response_target_minutes",
        parse_response_target_minutes(input.response_target_minutes.unwrap_or(240)),
    );
    let first = input.first_ro_number.unwrap_or(1);
    if !(1..=999_999_999).contains(&first) {
        v.push("first_ro_number", "must be between 1 and 999999999");
    }
    v.finish()?;
    let quiet = present(quiet)?;
    Ok(DealershipRow {
        id: DealershipId::generate(),
        name: present(name)?,
        timezone: present(tz)?,
        country: present(country)?,
        phone: present(phone)?,
        sms_from: present(sms_from)?,
        email_from: present(email_from)?,
        tax_rate: present(tax)?,
        quiet_start: quiet.start,
        quiet_end: quiet.end,
        min_handover_minutes: present(min_handover)?,
        response_target_minutes: present(response)?,
        next_ro_number: first,
        created_at: stored(now),
    })
}

impl App {
    pub async fn create_dealership(
        &self,
        caller: &Caller,
        input: NewDealership,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<DealershipView>, AppError> {
        if !matches!(caller, Caller::Admin) {
            return Err(AppError::forbidden(
                "only the dealer-group admin creates dealerships",
            ));
        }
        self.write_once(caller.scope(), idem, move |tx, cx| {
            let row = parse_dealership(&input, cx.now)?;
            if let Some(from) = &row.sms_from
                && db::dealerships::find_by_sms_from(tx, from)?.is_some()
            {
                return Err(AppError::Validation(vec![
                    crate::domain::validation::FieldError::new(
                        "sms_from",
                        "another dealership already sends from this number",
                    ),
                ]));
            }
            db::dealerships::insert(tx, &row)?;
            Ok((Outcome::Created, DealershipView::from_row(&row)))
        })
        .await
    }

    /// The admin sees any dealership; staff see only their own.
    pub async fn get_dealership(
        &self,
        caller: &Caller,
        id: DealershipId,
    ) -> Result<DealershipView, AppError> {
        if let Caller::Staff(actor) = caller
            && actor.dealership_id != id
        {
            return Err(AppError::NotFound("dealership"));
        }
        let row = self
            .db
            .run(move |conn| db::dealerships::find(conn, id).map_err(AppError::from))
            .await?
            .ok_or(AppError::NotFound("dealership"))?;
        Ok(DealershipView::from_row(&row))
    }
}
