//! `handover demo`: a dealership to play with — an advisor, a technician, a
//! cashier and a manager, and two repair orders — so a newcomer can drive the
//! API with curl within a minute. Tokens are shown once and stored only as
//! hashes, so nothing keeps them: `handover demo` prints fresh ones each run
//! (retiring the last), and `serve` seeds the demo without showing any.

use crate::app::admin::auth::{generate_token, hash_token};
use crate::app::admin::dealership_settings::OpeningInput;
use crate::app::admin::dealerships::{NewDealership, parse_dealership};
use crate::app::admin::staff::{NewStaff, parse_staff};
use crate::app::repair_order::check_in;
use crate::app::repair_order::check_in::{CheckIn, CustomerInput, SmsConsentInput, VehicleInput};
use crate::app::repair_order::decisions::{self, ApprovalInput, DecisionInput};
use crate::app::repair_order::estimate;
use crate::app::repair_order::estimate::{EstimateInput, JobInput, LineInput};
use crate::app::repair_order::workflow;
use crate::app::repair_order::workflow::StatusInput;
use crate::app::{Actor, App, AppError, Ctx};
use crate::db::{self, DbConn};
use crate::domain::estimate::Approval;
use crate::domain::ids::{DealershipId, RoId, StaffId};
use crate::domain::role::Role;
use chrono::Duration;
use serde::{Deserialize, Serialize};

pub const DEMO_DEALERSHIP: &str = "Demo Motors";

/// One demo person and their bearer token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub name: String,
    pub staff_id: StaffId,
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoCredentials {
    pub dealership_id: DealershipId,
    pub logins: Vec<DemoLogin>,
    /// True when this run created the demo (false: it was already there).
    pub created: bool,
}

const PEOPLE: [(&str, Role, &str); 4] = [
    ("Ana Lopez", Role::Advisor, "+13125550101"),
    ("Tom Becker", Role::Technician, "+13125550102"),
    ("Carla Diaz", Role::Cashier, "+13125550103"),
    ("Maria Chen", Role::Manager, "+13125550104"),
];

/// What seeding does with the tokens of a demo that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoTokens {
    /// Leave them: nothing to show (`serve`).
    Keep,
    /// Give the demo staff fresh ones, to print (`handover demo`).
    Fresh,
}

impl App {
    /// Creates the demo if it is missing (its staff's tokens in the answer);
    /// for an existing demo, `tokens` says whether they get fresh ones.
    pub async fn seed_demo(&self, tokens: DemoTokens) -> Result<DemoCredentials, AppError> {
        let cx = self.ctx();
        let credentials = self.db.write(move |tx| seed(tx, tokens, &cx)).await?;
        self.outbox.wake();
        Ok(credentials)
    }
}

fn seed(tx: &mut DbConn, tokens: DemoTokens, cx: &Ctx) -> Result<DemoCredentials, AppError> {
    let now = cx.now;
    if let Some(dealership) = db::dealerships::find_by_name(tx, DEMO_DEALERSHIP)? {
        let logins = match tokens {
            DemoTokens::Fresh => rotate(tx, dealership.id)?,
            DemoTokens::Keep => Vec::new(),
        };
        return Ok(DemoCredentials {
            dealership_id: dealership.id,
            logins,
            created: false,
        });
    }
    let dealership = parse_dealership(
        &NewDealership {
            name: DEMO_DEALERSHIP.into(),
            timezone: "America/Chicago".into(),
            country: "US".into(),
            phone: "+13125550100".into(),
            sms_from: Some("+13125550199".into()),
            email_from: Some("service@demo-motors.example".into()),
            // Chicago: 10.25 % on parts and fees; Illinois does not tax
            // repair labor.
            tax_rate_bp: 1025,
            quiet_hours: None,
            min_handover_minutes: None,
            response_target_minutes: None,
            first_ro_number: Some(1001),
            taxable_kinds: Some(vec!["part".into(), "fee".into()]),
            shop_supplies_bp: Some(500),
            shop_supplies_cap_cents: Some(3_500),
            address: Some("2400 N Elston Ave, Chicago, IL 60647".into()),
            opening_hours: Some(demo_hours()),
            glossary: None,
        },
        now,
    )?;
    db::dealerships::insert(tx, &dealership)?;
    let mut logins = Vec::new();
    for (name, role, phone) in PEOPLE {
        let first = name.split(' ').next().unwrap_or(name).to_lowercase();
        let (row, token) = parse_staff(
            &NewStaff {
                name: name.into(),
                role: role.as_str().into(),
                phone: Some(phone.into()),
                email: Some(format!("{first}@demo-motors.example")),
                invite: false,
            },
            dealership.id,
            dealership.country,
            now,
        )?;
        db::staff::insert(tx, &row)?;
        logins.push(DemoLogin {
            role,
            name: name.into(),
            staff_id: row.id,
            token,
        });
    }
    let actor = |role: Role| -> Result<Actor, AppError> {
        let login = logins
            .iter()
            .find(|l| l.role == role)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo {role} missing")))?;
        Ok(Actor {
            staff_id: login.staff_id,
            dealership_id: dealership.id,
            role,
            name: login.name.clone(),
        })
    };
    seed_orders(tx, &actor(Role::Advisor)?, &actor(Role::Technician)?, cx)?;
    Ok(DemoCredentials {
        dealership_id: dealership.id,
        logins,
        created: true,
    })
}

/// Two cars: one being worked on (estimate approved by phone), one just in.
fn seed_orders(
    tx: &mut DbConn,
    advisor: &Actor,
    technician: &Actor,
    cx: &Ctx,
) -> Result<(), AppError> {
    car_on_the_lift(tx, advisor, technician, cx)?;
    car_just_in(tx, advisor, cx)
}

/// Brakes for the customer and a sensor under warranty, approved by phone,
/// the car on the lift.
fn car_on_the_lift(
    tx: &mut DbConn,
    advisor: &Actor,
    technician: &Actor,
    cx: &Ctx,
) -> Result<(), AppError> {
    let now = cx.now;
    let first = check_in::write(
        tx,
        advisor,
        &CheckIn {
            customer: CustomerInput {
                name: "Maria Garcia".into(),
                phone: Some("(312) 555-0142".into()),
                email: Some("maria.garcia@example.com".into()),
                language: Some("es".into()),
                sms_consent: Some(SmsConsentInput::Given(true)),
                notify_by: Some("both".into()),
            },
            vehicle: VehicleInput {
                vin: "1HGCM82633A004352".into(),
                year: Some(2019),
                make: Some("Honda".into()),
                model: Some("Accord".into()),
                plate: Some("IL 4GK 221".into()),
                mileage: Some(48_210),
            },
            advisor_id: None,
            concerns: vec![
                "Brakes squeal when stopping".into(),
                "Check engine light came on yesterday".into(),
            ],
            promised_at: now + Duration::hours(6),
        },
        cx,
    )?;
    let concern = |i: usize| first.concerns.get(i).map(|c| c.id);
    let first_id = RoId::from(first.id);
    let with_estimate = estimate::add_estimate(
        tx,
        advisor,
        first_id,
        None,
        &demo_estimate(concern(0), concern(1)),
        cx,
    )?;
    let decisions = with_estimate
        .jobs
        .iter()
        .filter(|j| j.approval == Approval::Pending)
        .map(|j| DecisionInput {
            job_id: j.id,
            decision: "approved".into(),
        })
        .collect();
    decisions::decide(
        tx,
        advisor,
        first_id,
        None,
        &ApprovalInput {
            decisions,
            channel: "phone".into(),
        },
        cx,
    )?;
    workflow::change_status(
        tx,
        technician,
        first_id,
        None,
        &StatusInput {
            status: "in_progress".into(),
            note: Some("On the lift".into()),
        },
        cx,
    )?;
    Ok(())
}

/// The brakes for the customer, the oxygen sensor under warranty.
fn demo_estimate(brakes: Option<uuid::Uuid>, engine: Option<uuid::Uuid>) -> EstimateInput {
    EstimateInput {
        jobs: vec![
            JobInput {
                title: "Replace the front brake pads and resurface the rotors".into(),
                concern_id: brakes,
                pay_type: "customer".into(),
                discount_cents: None,
                lines: vec![
                    line(
                        "labor",
                        "Brake pad replacement and rotor resurfacing",
                        1.5,
                        18_000,
                    ),
                    line("part", "Front brake pads (set)", 1.0, 15_950),
                ],
            },
            JobInput {
                title: "Replace the oxygen sensor (covered by warranty)".into(),
                concern_id: engine,
                pay_type: "warranty".into(),
                discount_cents: None,
                lines: vec![
                    line("labor", "Oxygen sensor replacement", 1.0, 22_000),
                    line("part", "Oxygen sensor", 1.0, 8_900),
                ],
            },
        ],
        discount_cents: None,
    }
}

fn line(kind: &str, description: &str, quantity: f64, unit_price_cents: i64) -> LineInput {
    LineInput {
        kind: kind.into(),
        description: description.into(),
        quantity,
        unit_price_cents,
    }
}

fn demo_hours() -> Vec<OpeningInput> {
    let day = |day: &str, open: &str, close: &str| OpeningInput {
        day: day.into(),
        open: open.into(),
        close: close.into(),
    };
    let mut hours: Vec<OpeningInput> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| day(d, "07:00", "18:00"))
        .collect();
    hours.push(day("sat", "08:00", "13:00"));
    hours
}

/// An oil change for an email-only customer, just checked in.
fn car_just_in(tx: &mut DbConn, advisor: &Actor, cx: &Ctx) -> Result<(), AppError> {
    let now = cx.now;
    check_in::write(
        tx,
        advisor,
        &CheckIn {
            customer: CustomerInput {
                name: "John Miller".into(),
                phone: None,
                email: Some("john.miller@example.com".into()),
                language: None,
                sms_consent: None,
                notify_by: None,
            },
            vehicle: VehicleInput {
                vin: "1M8GDM9AXKP042788".into(),
                year: Some(2021),
                make: Some("Ford".into()),
                model: Some("F-150".into()),
                plate: None,
                mileage: Some(23_904),
            },
            advisor_id: None,
            concerns: vec!["Oil change and tire rotation".into()],
            promised_at: now + Duration::hours(3),
        },
        cx,
    )?;
    Ok(())
}

fn rotate(tx: &mut DbConn, dealership_id: DealershipId) -> Result<Vec<DemoLogin>, AppError> {
    let mut logins = Vec::new();
    for (name, role, _) in PEOPLE {
        let Some(row) = db::staff::find_by_name(tx, dealership_id, name)? else {
            continue;
        };
        let token = generate_token()?;
        db::staff::set_token_hash(tx, row.id, &hash_token(&token))?;
        logins.push(DemoLogin {
            role,
            name: name.into(),
            staff_id: row.id,
            token,
        });
    }
    Ok(logins)
}
