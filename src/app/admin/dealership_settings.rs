//! A dealership's settings: what a new dealership may set and what
//! `PATCH /api/v1/dealerships/{id}` changes later (tax and fees, quiet
//! hours, the handover and answer windows, phone and from-numbers, address,
//! opening hours, the glossary). A repair order keeps the tax rules it was
//! checked in under, so a change here never changes a bill already given.

use crate::app::admin::dealerships::{DealershipView, QuietHoursInput};
use crate::app::admin::staff::require;
use crate::app::idempotency::Outcome;
use crate::app::{App, AppError, Caller, IdempotencyKey, Reply};
use crate::db::{self, models::DealershipRow};
use crate::domain::bill::{ShopSupplies, TaxableKinds};
use crate::domain::dealership::{
    LocalTime, QuietHours, parse_min_handover_minutes, parse_response_target_minutes,
};
use crate::domain::email::EmailAddress;
use crate::domain::estimate::LineKind;
use crate::domain::ids::DealershipId;
use crate::domain::jargon::{GlossaryEntry, OwnWords};
use crate::domain::money::TaxRate;
use crate::domain::opening_hours::{Opening, OpeningHours};
use crate::domain::phone::{Country, PhoneNumber};
use crate::domain::role::Permission;
use crate::domain::text;
use crate::domain::validation::{FieldError, Invalid, Violations};
use crate::domain::weekday::WeekDay;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// The settings to change; fields left out keep their value. `sms_from`,
/// `email_from` and `address` can be cleared with `null`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealershipChanges {
    pub name: Option<String>,
    /// The service department's phone number, given to customers.
    pub phone: Option<String>,
    /// The number texts are sent from (and inbound texts arrive at).
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<String>)]
    pub sms_from: Option<Option<String>>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<String>)]
    pub email_from: Option<Option<String>>,
    /// One line, as printed on the customer's page.
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<String>, example = "1200 Lake Shore Dr, Chicago, IL 60610")]
    pub address: Option<Option<String>>,
    /// Sales tax in basis points (825 = 8.25 %).
    #[schema(example = 825)]
    pub tax_rate_bp: Option<i64>,
    /// Which kinds of customer-pay line are taxed: labor, part, fee, sublet.
    #[schema(example = json!(["part", "fee"]))]
    pub taxable_kinds: Option<Vec<String>>,
    /// A shop-supplies fee in basis points of customer-pay labor (0 = none).
    #[schema(example = 500)]
    pub shop_supplies_bp: Option<i64>,
    /// The most the shop-supplies fee can be, in cents.
    #[schema(example = 3500)]
    pub shop_supplies_cap_cents: Option<i64>,
    pub quiet_hours: Option<QuietHoursInput>,
    pub min_handover_minutes: Option<i64>,
    pub response_target_minutes: Option<i64>,
    /// Business minutes to answer a colleague's request (15–1440, default 120).
    pub internal_response_target_minutes: Option<i64>,
    /// When the service department is open; a day not listed is closed.
    pub opening_hours: Option<Vec<OpeningInput>>,
    /// Shop words the dealership adds to the built-in glossary (replaces
    /// the list).
    pub glossary: Option<Vec<GlossaryEntry>>,
}

/// `null` (clear) apart from absent (keep).
fn present_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningInput {
    /// mon, tue, wed, thu, fri, sat or sun.
    #[schema(example = "mon")]
    pub day: String,
    #[schema(example = "07:30")]
    pub open: String,
    #[schema(example = "18:00")]
    pub close: String,
}

fn taxable_kinds(raw: &[String]) -> Result<TaxableKinds, Invalid> {
    let kinds = raw
        .iter()
        .map(|k| LineKind::parse(k))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TaxableKinds::from_kinds(&kinds))
}

fn opening_hours(raw: &[OpeningInput], v: &mut Violations) -> Option<OpeningHours> {
    let mut openings = Vec::new();
    for (i, o) in raw.iter().enumerate() {
        let f = |name: &str| format!("opening_hours[{i}].{name}");
        let day = v.check(&f("day"), WeekDay::parse(&o.day));
        let open = v.check(&f("open"), LocalTime::parse(&o.open));
        let close = v.check(&f("close"), LocalTime::parse(&o.close));
        openings.push(Opening {
            day: day?,
            open: open?,
            close: close?,
        });
    }
    v.check("opening_hours", OpeningHours::new(openings))
}

fn optional<T>(
    raw: &Option<String>,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, Invalid> {
    raw.as_deref().map(parse).transpose()
}

/// Changes that passed their checks, ready to write onto a row. `None`
/// keeps the row's value.
#[derive(Default)]
pub(crate) struct CheckedChanges {
    name: Option<String>,
    phone: Option<PhoneNumber>,
    sms_from: Option<Option<PhoneNumber>>,
    email_from: Option<Option<EmailAddress>>,
    address: Option<Option<String>>,
    tax_rate: Option<TaxRate>,
    taxable_kinds: Option<TaxableKinds>,
    shop_supplies: Option<ShopSupplies>,
    quiet: Option<QuietHours>,
    min_handover_minutes: Option<i32>,
    response_target_minutes: Option<i32>,
    internal_response_target_minutes: Option<i32>,
    opening_hours: Option<OpeningHours>,
    glossary: Option<OwnWords>,
}

/// Checks `c`, recording every bad field in `v`. Phone numbers are read in
/// `country` (not checked without one). `current` is the fee as it stands,
/// so a new rate is checked against the cap it will have.
pub(crate) fn check(
    c: &DealershipChanges,
    country: Option<Country>,
    current: ShopSupplies,
    v: &mut Violations,
) -> CheckedChanges {
    let phone = |field: &str, raw: &str, v: &mut Violations| {
        country.and_then(|k| v.check(field, PhoneNumber::parse(raw, k)))
    };
    let mut out = CheckedChanges {
        name: c
            .name
            .as_ref()
            .and_then(|n| v.check("name", text::line(n, 120))),
        phone: c.phone.as_ref().and_then(|p| phone("phone", p, v)),
        address: c
            .address
            .as_ref()
            .and_then(|a| v.check("address", text::optional_line(a.as_deref(), 200))),
        tax_rate: c
            .tax_rate_bp
            .and_then(|bp| v.check("tax_rate_bp", TaxRate::parse(bp))),
        taxable_kinds: c
            .taxable_kinds
            .as_ref()
            .and_then(|k| v.check("taxable_kinds", taxable_kinds(k))),
        opening_hours: c.opening_hours.as_ref().and_then(|o| opening_hours(o, v)),
        glossary: c
            .glossary
            .as_ref()
            .and_then(|g| v.check("glossary", OwnWords::parse(g.clone()))),
        ..CheckedChanges::default()
    };
    out.sms_from = match &c.sms_from {
        Some(Some(raw)) => phone("sms_from", raw, v).map(Some),
        Some(None) => Some(None),
        None => None,
    };
    out.email_from = match &c.email_from {
        Some(raw) => v.check("email_from", optional(raw, EmailAddress::parse)),
        None => None,
    };
    check_windows(c, current, v, &mut out);
    out
}

/// The fee, quiet hours and the two windows: values checked together or
/// against their bounds.
fn check_windows(
    c: &DealershipChanges,
    current: ShopSupplies,
    v: &mut Violations,
    out: &mut CheckedChanges,
) {
    if c.shop_supplies_bp.is_some() || c.shop_supplies_cap_cents.is_some() {
        let bp = c.shop_supplies_bp.unwrap_or(i64::from(current.rate_bp));
        let cap = c.shop_supplies_cap_cents.unwrap_or(current.cap.0);
        out.shop_supplies = v.check("shop_supplies_bp", ShopSupplies::parse(bp, cap));
    }
    out.quiet = c
        .quiet_hours
        .as_ref()
        .and_then(|q| v.check("quiet_hours", QuietHours::parse(&q.start, &q.end)));
    out.min_handover_minutes = c
        .min_handover_minutes
        .and_then(|m| v.check("min_handover_minutes", parse_min_handover_minutes(m)));
    out.response_target_minutes = c
        .response_target_minutes
        .and_then(|m| v.check("response_target_minutes", parse_response_target_minutes(m)));
    out.internal_response_target_minutes = c.internal_response_target_minutes.and_then(|m| {
        v.check(
            "internal_response_target_minutes",
            parse_response_target_minutes(m),
        )
    });
}

impl CheckedChanges {
    /// Writes the changes onto `row`.
    pub fn write(self, row: &mut DealershipRow) {
        fn keep<T>(target: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *target = v;
            }
        }
        keep(&mut row.name, self.name);
        keep(&mut row.phone, self.phone);
        keep(&mut row.sms_from, self.sms_from);
        keep(&mut row.email_from, self.email_from);
        keep(&mut row.address, self.address);
        keep(&mut row.tax_rate, self.tax_rate);
        keep(&mut row.taxable_kinds, self.taxable_kinds);
        if let Some(fee) = self.shop_supplies {
            row.shop_supplies_bp = fee.rate_bp as i32;
            row.shop_supplies_cap_cents = fee.cap.0;
        }
        if let Some(q) = self.quiet {
            row.quiet_start = q.start;
            row.quiet_end = q.end;
        }
        keep(&mut row.min_handover_minutes, self.min_handover_minutes);
        keep(
            &mut row.response_target_minutes,
            self.response_target_minutes,
        );
        keep(
            &mut row.internal_response_target_minutes,
            self.internal_response_target_minutes,
        );
        keep(&mut row.opening_hours, self.opening_hours);
        keep(&mut row.glossary, self.glossary);
    }
}

/// The fee a row holds now.
pub(crate) fn current_fee(row: &DealershipRow) -> Result<ShopSupplies, AppError> {
    ShopSupplies::parse(i64::from(row.shop_supplies_bp), row.shop_supplies_cap_cents)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("dealership {}: {e}", row.id)))
}

/// Texts arrive at `sms_from`: two dealerships cannot share it.
pub(crate) fn check_sms_from_free(
    tx: &mut db::DbConn,
    row: &DealershipRow,
) -> Result<(), AppError> {
    if let Some(from) = &row.sms_from
        && let Some(other) = db::dealerships::find_by_sms_from(tx, from)?
        && other.id != row.id
    {
        return Err(AppError::Validation(vec![FieldError::new(
            "sms_from",
            "another dealership already sends from this number",
        )]));
    }
    Ok(())
}

impl App {
    /// Changes a dealership's settings: the admin, or a manager of it.
    pub async fn change_dealership(
        &self,
        caller: &Caller,
        id: DealershipId,
        changes: DealershipChanges,
        idem: Option<IdempotencyKey>,
    ) -> Result<Reply<DealershipView>, AppError> {
        if let Caller::Staff(actor) = caller {
            if actor.dealership_id != id {
                return Err(AppError::NotFound("dealership"));
            }
            require(actor, Permission::ChangeSettings)?;
        }
        self.write_once(caller.scope(), idem, move |tx, _cx| {
            let mut row = db::dealerships::find(tx, id)?.ok_or(AppError::NotFound("dealership"))?;
            let mut v = Violations::new();
            let checked = check(&changes, Some(row.country), current_fee(&row)?, &mut v);
            v.finish()?;
            checked.write(&mut row);
            check_sms_from_free(tx, &row)?;
            db::dealerships::update_settings(tx, &row)?;
            Ok((Outcome::Done, DealershipView::from_row(&row)))
        })
        .await
    }
}
