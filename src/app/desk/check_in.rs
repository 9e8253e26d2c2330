//! Check-in at the desk: a returning customer found by their phone number,
//! a car known by its VIN, so the advisor confirms rather than retypes.

use crate::app::admin::staff::require;
use crate::app::time::utc;
use crate::app::{Actor, App, AppError};
use crate::db;
use crate::domain::ids::CustomerId;
use crate::domain::phone::PhoneNumber;
use crate::domain::role::Permission;
use crate::domain::validation::Violations;
use crate::domain::vin::Vin;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What the desk already knows from an earlier visit.
#[derive(Debug, Default, Serialize)]
pub struct Prefill {
    pub customer: Option<KnownCustomer>,
    pub vehicle: Option<KnownVehicle>,
    /// The lookup ran and found nothing: the page says so.
    pub not_found: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct KnownCustomer {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub language: String,
    pub notify_by: String,
    /// When they last agreed to texts, unless the number has since said STOP.
    pub consented_at: Option<DateTime<Utc>>,
    pub opted_out: bool,
    pub last_order: i64,
}

#[derive(Debug, Serialize)]
pub struct KnownVehicle {
    pub vin: String,
    pub year: Option<i32>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub plate: Option<String>,
    pub mileage: Option<i32>,
    pub last_order: i64,
}

impl KnownVehicle {
    fn of(row: &db::models::RoRow) -> Self {
        KnownVehicle {
            vin: row.vin.to_string(),
            year: row.vehicle_year,
            make: row.vehicle_make.clone(),
            model: row.vehicle_model.clone(),
            plate: row.vehicle_plate.clone(),
            mileage: row.vehicle_mileage,
            last_order: row.number,
        }
    }
}

impl App {
    /// Looks up a returning customer by phone and a car by VIN (either may
    /// be empty). The customer's last car is offered when no VIN is given.
    pub async fn check_in_prefill(
        &self,
        actor: &Actor,
        phone: &str,
        vin: &str,
    ) -> Result<Prefill, AppError> {
        require(actor, Permission::CheckIn)?;
        let dealership_id = actor.dealership_id;
        let (phone, vin) = (phone.trim().to_owned(), vin.trim().to_owned());
        self.db
            .run(move |conn| {
                let dealership = db::dealerships::find(conn, dealership_id)?
                    .ok_or(AppError::NotFound("dealership"))?;
                let mut v = Violations::new();
                let phone = (!phone.is_empty())
                    .then(|| {
                        v.check(
                            "lookup_phone",
                            PhoneNumber::parse(&phone, dealership.country),
                        )
                    })
                    .flatten();
                let vin = (!vin.is_empty())
                    .then(|| v.check("lookup_vin", Vin::parse(&vin, dealership.country)))
                    .flatten();
                v.finish()?;
                let mut prefill = Prefill::default();
                if let Some(phone) = &phone {
                    match db::repair_orders::latest_for_phone(conn, dealership_id, phone)? {
                        Some(ro) => {
                            prefill.customer = known_customer(conn, &ro)?;
                            if vin.is_none() {
                                prefill.vehicle = Some(KnownVehicle::of(&ro));
                            }
                        }
                        None => prefill.not_found.push("phone"),
                    }
                }
                if let Some(vin) = &vin {
                    match db::repair_orders::latest_for_vin(conn, dealership_id, vin)? {
                        Some(ro) => prefill.vehicle = Some(KnownVehicle::of(&ro)),
                        None => prefill.not_found.push("vin"),
                    }
                }
                Ok(prefill)
            })
            .await
    }
}

fn known_customer(
    conn: &mut db::DbConn,
    ro: &db::models::RoRow,
) -> Result<Option<KnownCustomer>, AppError> {
    let ids: [CustomerId; 1] = [ro.customer_id];
    let Some(c) = db::customers::find_many(conn, &ids)?.pop() else {
        return Ok(None);
    };
    let opted_out = match &c.phone {
        Some(p) => db::opt_outs::is_opted_out(conn, ro.dealership_id, p.as_str())?,
        None => false,
    };
    Ok(Some(KnownCustomer {
        name: c.name,
        phone: c.phone.map(|p| p.as_str().to_owned()),
        email: c.email.map(|e| e.as_str().to_owned()),
        language: c.language.code().to_owned(),
        notify_by: c.notify_by.as_str().to_owned(),
        consented_at: c.sms_consent_at.filter(|_| !opted_out).map(utc),
        opted_out,
        last_order: ro.number,
    }))
}
