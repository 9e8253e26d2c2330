//! Building blocks of a dealership's day: a shop with one person per role,
//! and repair orders taken to a given point of their lifecycle.

use crate::helpers::{ADMIN_TOKEN, Resp, TestApp};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// A dealership with one person in each role.
pub struct Shop {
    pub dealership_id: String,
    pub advisor: Person,
    pub technician: Person,
    pub cashier: Person,
    pub manager: Person,
}

#[derive(Clone)]
pub struct Person {
    pub id: String,
    pub token: String,
}

pub fn dealership_body(name: &str) -> Value {
    json!({
        "name": name,
        "timezone": "America/Chicago",
        "country": "US",
        "phone": "(312) 555-0100",
        "tax_rate_bp": 825,
    })
}

impl TestApp {
    pub async fn create_dealership(&self, name: &str) -> String {
        let r = self
            .post("/api/v1/dealerships", ADMIN_TOKEN, &dealership_body(name))
            .await;
        r.ok(201)["id"].as_str().unwrap().to_owned()
    }

    pub async fn create_staff(&self, dealership_id: &str, name: &str, role: &str) -> Person {
        let r = self
            .post(
                &format!("/api/v1/dealerships/{dealership_id}/staff"),
                ADMIN_TOKEN,
                &json!({"name": name, "role": role}),
            )
            .await;
        let body = r.ok(201);
        Person {
            id: body["id"].as_str().unwrap().to_owned(),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn shop(&self) -> Shop {
        self.shop_named("Lakeside Motors").await
    }

    pub async fn shop_named(&self, name: &str) -> Shop {
        let dealership_id = self.create_dealership(name).await;
        Shop {
            advisor: self
                .create_staff(&dealership_id, "Ana Lopez", "advisor")
                .await,
            technician: self
                .create_staff(&dealership_id, "Tom Becker", "technician")
                .await,
            cashier: self
                .create_staff(&dealership_id, "Carla Diaz", "cashier")
                .await,
            manager: self
                .create_staff(&dealership_id, "Maria Chen", "manager")
                .await,
            dealership_id,
        }
    }

    /// A valid check-in body, promised four hours from the test clock.
    pub fn check_in_body(&self) -> Value {
        let promised = self.now() + chrono::Duration::hours(4);
        json!({
            "customer": {
                "name": "Maria Garcia",
                "phone": "(312) 555-0142",
                "email": "maria@example.com",
                "language": "es",
                "sms_consent": true
            },
            "vehicle": {"vin": "1HGCM82633A004352", "year": 2019, "make": "Honda", "model": "Accord", "mileage": 48210},
            "concerns": ["Brakes squeal when stopping", "Check engine light is on"],
            "promised_at": promised.to_rfc3339(),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        use handover::clock::Clock;
        self.clock.now()
    }

    /// Checks a car in as `advisor` with the standard body; the RO's id.
    pub async fn check_in_as(&self, advisor: &Person) -> String {
        let r = self
            .post(
                "/api/v1/repair-orders",
                &advisor.token,
                &self.check_in_body(),
            )
            .await;
        r.ok(201)["id"].as_str().unwrap().to_owned()
    }

    pub async fn check_in(&self, shop: &Shop) -> Value {
        let r = self
            .post(
                "/api/v1/repair-orders",
                &shop.advisor.token,
                &self.check_in_body(),
            )
            .await;
        r.ok(201).clone()
    }

    /// Two jobs: front brakes for the customer (1.5 h labor at $180 and a
    /// $159.50 part) and an oxygen sensor under warranty ($220 labor):
    /// subtotal $429.50, tax $35.43 (8.25 % on everything), total $464.93.
    pub async fn estimate(&self, shop: &Shop, ro: &Value) -> Value {
        let id = ro["id"].as_str().unwrap();
        let concern = ro["concerns"][0]["id"].clone();
        let engine = ro["concerns"][1]["id"].clone();
        let r = self
            .post(
                &format!("/api/v1/repair-orders/{id}/estimate"),
                &shop.advisor.token,
                &json!({"jobs": [
                    {"title": "Replace the front brake pads", "concern_id": concern, "pay_type": "customer", "lines": [
                        {"kind": "labor", "description": "Front brake pad replacement", "quantity": 1.5, "unit_price_cents": 18000},
                        {"kind": "part", "description": "Brake pads (set)", "quantity": 1, "unit_price_cents": 15950}
                    ]},
                    {"title": "Replace the oxygen sensor", "concern_id": engine, "pay_type": "warranty", "lines": [
                        {"kind": "labor", "description": "Oxygen sensor replacement", "quantity": 1, "unit_price_cents": 22000}
                    ]}
                ]}),
            )
            .await;
        r.ok(200).clone()
    }

    /// Approves every pending job by phone.
    pub async fn approve_all(&self, shop: &Shop, ro: &Value) -> Value {
        let id = ro["id"].as_str().unwrap();
        let decisions: Vec<Value> = ro["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["approval"] == "pending")
            .map(|j| json!({"job_id": j["id"], "decision": "approved"}))
            .collect();
        let r = self
            .post(
                &format!("/api/v1/repair-orders/{id}/approvals"),
                &shop.advisor.token,
                &json!({"decisions": decisions, "channel": "phone"}),
            )
            .await;
        r.ok(200).clone()
    }

    pub async fn set_status(&self, token: &str, ro_id: &str, status: &str) -> Resp {
        self.post(
            &format!("/api/v1/repair-orders/{ro_id}/status"),
            token,
            &json!({"status": status}),
        )
        .await
    }

    pub async fn clock_in(&self, person: &Person) -> Resp {
        self.post(
            &format!("/api/v1/staff/{}/clock-in", person.id),
            &person.token,
            &json!({}),
        )
        .await
    }

    /// An RO checked in, estimated, approved and worked to work_complete.
    pub async fn work_complete(&self, shop: &Shop) -> Value {
        let ro = self.check_in(shop).await;
        let ro = self.estimate(shop, &ro).await;
        let ro = self.approve_all(shop, &ro).await;
        let id = ro["id"].as_str().unwrap();
        self.set_status(&shop.technician.token, id, "in_progress")
            .await
            .ok(200);
        self.set_status(&shop.technician.token, id, "work_complete")
            .await
            .ok(200)
            .clone()
    }

    /// An RO that is ready for pickup, handed over by the clocked-in advisor.
    pub async fn ready(&self, shop: &Shop) -> Value {
        let ro = self.work_complete(shop).await;
        self.clock_in(&shop.advisor).await;
        let id = ro["id"].as_str().unwrap();
        self.post(
            &format!("/api/v1/repair-orders/{id}/ready"),
            &shop.advisor.token,
            &json!({}),
        )
        .await
        .ok(200)
        .clone()
    }

    /// Every concern marked fixed.
    pub async fn hand_over(&self, shop: &Shop, ro: &Value) -> Value {
        let id = ro["id"].as_str().unwrap();
        let concerns: Vec<Value> = ro["concerns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!({"id": c["id"], "outcome": "fixed", "note": "Done and road-tested."}))
            .collect();
        self.post(
            &format!("/api/v1/repair-orders/{id}/handover"),
            &shop.advisor.token,
            &json!({"concerns": concerns}),
        )
        .await
        .ok(200)
        .clone()
    }
}
