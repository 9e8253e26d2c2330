//! Creating dealerships (admin) and reading one's own. Changing their
//! settings is in `dealership_settings`.

use crate::app::admin::dealership_settings::{
    DealershipChanges, OpeningInput, check, check_sms_from_free,
};
use crate::app::error::present;
use crate::app::idempotency::Outcome;
use crate::app::time::{stored, utc};
use crate::app::{App, AppError, Caller, IdempotencyKey, Reply};
use crate::db::{self, models::DealershipRow};
use crate::domain::bill::{ShopSupplies, TaxableKinds};
use crate::domain::dealership::{QuietHours, TimeZone};
use crate::domain::estimate::LineKind;
use crate::domain::ids::DealershipId;
use crate::domain::jargon::{GlossaryEntry, OwnWords};
use crate::domain::money::{Currency, TaxRate};
use crate::domain::opening_hours::OpeningHours;
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
    /// Which kinds of customer-pay line are taxed (default all four:
    /// labor, part, fee, sublet).
    #[schema(example = json!(["part", "fee"]))]
    pub taxable_kinds: Option<Vec<String>>,
    /// A shop-supplies fee in basis points of customer-pay labor (default 0:
    /// none); needs `shop_supplies_cap_cents`.
    pub shop_supplies_bp: Option<i64>,
    pub shop_supplies_cap_cents: Option<i64>,
    /// One line, as printed on the customer's page.
    pub address: Option<String>,
    /// When the service department is open; a day not listed is closed.
    pub opening_hours: Option<Vec<OpeningInput>>,
    /// Shop words to add to the built-in glossary.
    pub glossary: Option<Vec<GlossaryEntry>>,
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
    /// Which kinds of customer-pay line are taxed.
    pub taxable_kinds: Vec<LineKind>,
    /// The shop-supplies fee (0: none), basis points of customer-pay labor.
    pub shop_supplies_bp: i32,
    pub shop_supplies_cap_cents: i64,
    pub quiet_hours: QuietHoursView,
    pub min_handover_minutes: i32,
    pub response_target_minutes: i32,
    /// Business minutes to answer a colleague's request.
    pub internal_response_target_minutes: i32,
    pub address: Option<String>,
    pub opening_hours: Vec<OpeningView>,
    /// The dealership's own shop words (the built-in ones are in
    /// config/glossary).
    pub glossary: Vec<GlossaryEntry>,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpeningView {
    pub day: String,
    pub open: String,
    pub close: String,
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
            taxable_kinds: row.taxable_kinds.kinds(),
            shop_supplies_bp: row.shop_supplies_bp,
            shop_supplies_cap_cents: row.shop_supplies_cap_cents,
            address: row.address.clone(),
            opening_hours: row
                .opening_hours
                .openings()
                .iter()
                .map(|o| OpeningView {
                    day: o.day.name().to_owned(),
                    open: o.open.to_string(),
                    close: o.close.to_string(),
                })
                .collect(),
            glossary: row.glossary.0.clone(),
            currency: row.currency.to_string(),
            quiet_hours: QuietHoursView {
                start: row.quiet_start.to_string(),
                end: row.quiet_end.to_string(),
            },
            min_handover_minutes: row.min_handover_minutes,
            response_target_minutes: row.response_target_minutes,
            internal_response_target_minutes: row.internal_response_target_minutes,
            created_at: utc(row.created_at),
        }
    }
}

/// Parses a new dealership into the row to store, reporting every bad field.
/// The optional settings go through the same checks as a later PATCH.
pub(crate) fn parse_dealership(
    input: &NewDealership,
    now: DateTime<Utc>,
) -> Result<DealershipRow, AppError> {
    let mut v = Violations::new();
    let name = v.check("name", text::line(&input.name, 120));
    let tz = v.check("timezone", TimeZone::parse(&input.timezone));
    let country = v.check("country", Country::parse(&input.country));
    let phone = country.and_then(|c| v.check("phone", PhoneNumber::parse(&input.phone, c)));
    let tax = v.check("tax_rate_bp", TaxRate::parse(input.tax_rate_bp));
    let first = input.first_ro_number.unwrap_or(1);
    if !(1..=999_999_999).contains(&first) {
        v.push("first_ro_number", "must be between 1 and 999999999");
    }
    let checked = check(
        &settings_of(input),
        country,
        ShopSupplies::default(),
        &mut v,
    );
    v.finish()?;
    let quiet = QuietHours::default();
    let mut row = DealershipRow {
        id: DealershipId::generate(),
        name: present(name)?,
        timezone: present(tz)?,
        country: present(country)?,
        phone: present(phone)?,
        sms_from: None,
        email_from: None,
        tax_rate: present(tax)?,
        quiet_start: quiet.start,
        quiet_end: quiet.end,
        min_handover_minutes: 30,
        response_target_minutes: 240,
        internal_response_target_minutes: 120,
        next_ro_number: first,
        created_at: stored(now),
        taxable_kinds: TaxableKinds::ALL,
        shop_supplies_bp: 0,
        shop_supplies_cap_cents: 0,
        address: None,
        opening_hours: OpeningHours::default(),
        currency: Currency::USD,
        glossary: OwnWords::default(),
    };
    checked.write(&mut row);
    Ok(row)
}

/// The optional settings of a new dealership, as a change to the defaults.
fn settings_of(input: &NewDealership) -> DealershipChanges {
    DealershipChanges {
        sms_from: input.sms_from.clone().map(Some),
        email_from: input.email_from.clone().map(Some),
        address: input.address.clone().map(Some),
        taxable_kinds: input.taxable_kinds.clone(),
        shop_supplies_bp: input.shop_supplies_bp,
        shop_supplies_cap_cents: input.shop_supplies_cap_cents,
        quiet_hours: input.quiet_hours.clone(),
        min_handover_minutes: input.min_handover_minutes,
        response_target_minutes: input.response_target_minutes,
        opening_hours: input.opening_hours.clone(),
        glossary: input.glossary.clone(),
        ..DealershipChanges::default()
    }
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
            check_sms_from_free(tx, &row)?;
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
