//! Check-in at the desk: look up a returning customer by phone or a car by
//! VIN, confirm, and write the order. A double click writes one order: the
//! form carries a one-time key used as the write's idempotency key.

use super::forms;
use super::{desk_context, field, render, see_other, session, signed_form, to_sign_in};
use crate::app::desk::{DeskSession, Prefill};
use crate::app::{
    App, AppError, CheckIn, CustomerInput, IdempotencyKey, Reply, SmsConsentInput, VehicleInput,
};
use crate::domain::validation::FieldError;
use crate::http::extract::RawBody;
use crate::http::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Duration, Timelike};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

type Fields = [(String, String)];

/// The form's fields, named as the API's (so its errors land next to them).
const FIELDS: [&str; 13] = [
    "customer.name",
    "customer.phone",
    "customer.email",
    "customer.language",
    "customer.notify_by",
    "vehicle.vin",
    "vehicle.year",
    "vehicle.make",
    "vehicle.model",
    "vehicle.plate",
    "vehicle.mileage",
    "concerns",
    "promised_at",
];

#[derive(Debug, Deserialize)]
pub struct Lookup {
    phone: Option<String>,
    vin: Option<String>,
}

/// The form's values from what an earlier visit left.
fn prefilled(p: &Prefill) -> Map<String, Value> {
    let mut v = Map::new();
    if let Some(c) = &p.customer {
        v.insert("customer.name".into(), c.name.clone().into());
        v.insert("customer.phone".into(), json!(c.phone));
        v.insert("customer.email".into(), json!(c.email));
        v.insert("customer.language".into(), c.language.clone().into());
        v.insert("customer.notify_by".into(), c.notify_by.clone().into());
        v.insert(
            "customer.sms_consent".into(),
            json!(c.consented_at.is_some()),
        );
    }
    if let Some(car) = &p.vehicle {
        v.insert("vehicle.vin".into(), car.vin.clone().into());
        v.insert("vehicle.year".into(), json!(car.year));
        v.insert("vehicle.make".into(), json!(car.make));
        v.insert("vehicle.model".into(), json!(car.model));
        v.insert("vehicle.plate".into(), json!(car.plate));
        v.insert("vehicle.mileage".into(), json!(car.mileage));
    }
    v
}

fn submitted(fields: &Fields) -> Map<String, Value> {
    let mut v: Map<String, Value> = FIELDS
        .iter()
        .map(|f| ((*f).to_owned(), field(fields, f).into()))
        .collect();
    v.insert("advisor_id".into(), field(fields, "advisor_id").into());
    v.insert(
        "customer.sms_consent".into(),
        (field(fields, "customer.sms_consent") == "1").into(),
    );
    v
}

/// The page: the lookup, and the form with `values`.
async fn page(
    app: &App,
    s: &DeskSession,
    status: StatusCode,
    mut values: Map<String, Value>,
    prefill: Option<Prefill>,
    errors: HashMap<String, String>,
) -> Result<HttpResponse, ApiError> {
    let dealership = super::my_dealership(app, s).await?;
    let advisors: Vec<Value> = app
        .list_staff(&s.actor)
        .await?
        .into_iter()
        .filter(|st| st.active && st.role.can_hand_over())
        .map(|st| json!({"id": st.id, "name": st.name, "me": st.id == s.actor.staff_id.uuid()}))
        .collect();
    let blank = values
        .get("promised_at")
        .is_none_or(|v| v.is_null() || v == "");
    if blank {
        let soon = app.clock.now() + Duration::hours(4);
        let soon = soon - Duration::minutes(i64::from(soon.minute() % 30));
        let local = forms::local_time(&dealership.timezone, soon);
        values.insert("promised_at".into(), local.into());
    }
    // Every field is there for the page, empty when nothing is known.
    for name in FIELDS
        .iter()
        .chain(&["advisor_id", "lookup_phone", "lookup_vin"])
    {
        values.entry(*name).or_insert_with(|| "".into());
    }
    values.entry("customer.sms_consent").or_insert(false.into());
    let alert = (!errors.is_empty()).then(|| {
        format!(
            "Please correct the {} marked below.",
            if errors.len() == 1 { "field" } else { "fields" }
        )
    });
    render(
        app,
        status,
        "check_in",
        json!({
            "desk": desk_context(s, &dealership.name), "page": "check-in",
            "values": values, "prefill": prefill, "errors": errors, "advisors": advisors,
            "form_key": crate::http::respond::random_token()?, "alert": alert, "flash": null,
        }),
    )
}

/// The check-in form; `?phone=` finds a returning customer, `?vin=` a car.
#[utoipa::path(
    tag = "desk",
    params(("phone" = Option<String>, Query, description = "A returning customer's phone number"), ("vin" = Option<String>, Query, description = "A car seen before")),
    responses((status = 200, description = "The form, prefilled from what was found", content_type = "text/html"), (status = 303, description = "Not signed in"), (status = 403, description = "My role does not check cars in"), (status = 422, description = "A lookup that is not a phone number or VIN: the form, saying so", content_type = "text/html"))
)]
#[get("/desk/check-in")]
pub async fn show(
    app: web::Data<App>,
    req: HttpRequest,
    query: web::Query<Lookup>,
) -> Result<HttpResponse, ApiError> {
    let Some(s) = session(&app, &req).await? else {
        return Ok(to_sign_in());
    };
    let phone = query.phone.as_deref().unwrap_or("");
    let vin = query.vin.as_deref().unwrap_or("");
    match app.check_in_prefill(&s.actor, phone, vin).await {
        Ok(_) if phone.is_empty() && vin.is_empty() => {
            page(&app, &s, StatusCode::OK, Map::new(), None, HashMap::new()).await
        }
        Ok(p) => {
            let values = prefilled(&p);
            page(&app, &s, StatusCode::OK, values, Some(p), HashMap::new()).await
        }
        Err(AppError::Validation(errors)) => {
            let mut values = Map::new();
            values.insert("lookup_phone".into(), phone.into());
            values.insert("lookup_vin".into(), vin.into());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&app, &s, status, values, None, by_field(&errors)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Each error under the form field it belongs to ("concerns[2]" → "concerns").
fn by_field(errors: &[FieldError]) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for e in errors {
        let name = match e.field.split_once('[') {
            Some((base, _)) => base.to_owned(),
            None if e.field.starts_with("customer.sms_consent") => "customer.sms_consent".into(),
            None => e.field.clone(),
        };
        out.entry(name)
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&e.message);
            })
            .or_insert_with(|| e.message.clone());
    }
    out
}

fn opt(fields: &Fields, name: &str) -> Option<String> {
    Some(field(fields, name).trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A whole number typed in a field, or the field's error.
fn number<T: std::str::FromStr>(
    fields: &Fields,
    name: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let raw = opt(fields, name)?.replace(',', "");
    raw.parse()
        .map_err(|_| errors.push(FieldError::new(name, format!("is not {what}"))))
        .ok()
}

/// The form read into the API's check-in; what cannot be read is reported
/// field by field, all at once.
async fn input(app: &App, s: &DeskSession, fields: &Fields) -> Result<CheckIn, AppError> {
    let mut errors = Vec::new();
    let year = number(fields, "vehicle.year", "a year such as 2019", &mut errors);
    let mileage = number(fields, "vehicle.mileage", "a number of miles", &mut errors);
    let advisor_id = match opt(fields, "advisor_id") {
        Some(a) => match a.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(
                    "advisor_id",
                    "is not one of the advisors listed",
                ));
                None
            }
        },
        None => None,
    };
    let promised_at = match forms::promised_at(app, s, field(fields, "promised_at").trim()).await {
        Ok(at) => Some(at),
        Err(AppError::Validation(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(e) => return Err(e),
    };
    let (Some(promised_at), true) = (promised_at, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let consent = field(fields, "customer.sms_consent") == "1";
    Ok(CheckIn {
        customer: CustomerInput {
            name: field(fields, "customer.name").to_owned(),
            phone: opt(fields, "customer.phone"),
            email: opt(fields, "customer.email"),
            language: opt(fields, "customer.language"),
            sms_consent: consent.then_some(SmsConsentInput::Given(true)),
            notify_by: opt(fields, "customer.notify_by"),
        },
        vehicle: VehicleInput {
            vin: field(fields, "vehicle.vin").to_owned(),
            year,
            make: opt(fields, "vehicle.make"),
            model: opt(fields, "vehicle.model"),
            plate: opt(fields, "vehicle.plate"),
            mileage,
        },
        advisor_id,
        concerns: field(fields, "concerns")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        promised_at,
    })
}

/// The form's one-time key as the write's idempotency key: a second submit
/// of the same form finds the first order.
fn form_key(fields: &Fields, body: &[u8]) -> Option<IdempotencyKey> {
    let key = field(fields, "form_key");
    let fine = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if key.is_empty() || key.len() > 64 || !key.chars().all(fine) {
        return None;
    }
    Some(IdempotencyKey {
        key: format!("desk-check-in-{key}"),
        request_hash: hex::encode(Sha256::digest(body)),
    })
}

/// Checks the car in; on success, to the new order's page.
#[utoipa::path(
    tag = "desk",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded", description = "csrf, form_key, customer.*, vehicle.*, concerns (one per line), promised_at (local), advisor_id"),
    responses(
        (status = 303, description = "Checked in: to the order's page"),
        (status = 403, description = "My role does not check cars in, or the form did not come from this site and session"),
        (status = 409, description = "This form was already sent with other values: the form again", content_type = "text/html"),
        (status = 422, description = "Bad input: the form, with each error next to its field", content_type = "text/html"),
    )
)]
#[post("/desk/check-in")]
pub async fn create(
    app: web::Data<App>,
    req: HttpRequest,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let Some((s, fields)) = signed_form(&app, &req, &body.0).await? else {
        return Ok(to_sign_in());
    };
    let result = match input(&app, &s, &fields).await {
        Ok(input) => {
            app.check_in(&s.actor, input, form_key(&fields, &body.0))
                .await
        }
        Err(e) => Err(e),
    };
    let id = match result {
        Ok(Reply::Fresh { value, .. }) => value.id.to_string(),
        Ok(Reply::Replayed { body, .. }) => body["id"].as_str().unwrap_or_default().to_owned(),
        Err(AppError::Validation(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return page(
                &app,
                &s,
                status,
                submitted(&fields),
                None,
                by_field(&errors),
            )
            .await;
        }
        Err(AppError::IdempotencyMismatch) => {
            let errors = HashMap::from([(
                "form".to_owned(),
                "was already sent with other values; check the order list before sending it again"
                    .to_owned(),
            )]);
            return page(
                &app,
                &s,
                StatusCode::CONFLICT,
                submitted(&fields),
                None,
                errors,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    Ok(see_other(&format!(
        "/desk/repair-orders/{id}?done=check-in"
    )))
}
