//! `spawn_app()`: the service on port 0 with a fresh database and a manual
//! clock, plus a client that speaks its API.

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use handover::clock::ManualClock;
use handover::config::{Secret, Settings};
use handover::startup::Application;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef0123456789";

/// Monday 2 March 2026, 09:00 in Chicago: a normal working morning.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap()
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub app: handover::app::App,
    handle: actix_web::dev::ServerHandle,
    _store: Store,
}

/// The test's own database, removed when the test ends.
enum Store {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Postgres { admin_url, name } = self
            && let Ok(mut conn) = diesel::PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(handle.stop(false));
            }
        });
    }
}

fn new_store() -> (Store, String) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("handover_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::PgConnection::establish(&admin_url)
                .unwrap_or_else(|e| panic!("TEST_DATABASE_URL unreachable: {e}"));
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .unwrap();
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            let url = format!("{base}/{name}");
            (Store::Postgres { admin_url, name }, url)
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("handover.db").display());
            (Store::Sqlite(dir), url)
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (store, url) = tokio::task::spawn_blocking(new_store).await.unwrap();
    let mut settings = Settings::defaults().unwrap();
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.workers = 2;
    settings.database.url = Secret::new(url);
    settings.database.pool_size = 4;
    settings.admin_token = Secret::new(ADMIN_TOKEN);
    settings.demo.seed_on_start = false;
    adjust(&mut settings);
    let clock = Arc::new(ManualClock::new(start_time()));
    let application = Application::build(settings, clock.clone())
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let handle = application.handle();
    let app = application.app().clone();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
        app,
        handle,
        _store: store,
    }
}

/// A response read whole: status, headers, JSON body (Null if not JSON).
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with this status and type; returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, problem_type: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(
            self.body["type"],
            format!("/problems/{problem_type}"),
            "body: {}",
            self.text
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(self.body["detail"].as_str().is_some_and(|t| !t.is_empty()));
        &self.body
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        &self.body
    }

    /// The field names of a validation problem.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct Req<'a> {
    app: &'a TestApp,
    builder: reqwest::RequestBuilder,
}

impl Req<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.builder = self.builder.json(body);
        self
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<reqwest::Body>) -> Self {
        self.builder = self.builder.header("content-type", content_type).body(body);
        self
    }

    pub fn idem(self, key: &str) -> Self {
        self.header("Idempotency-Key", key)
    }

    pub async fn send(self) -> Resp {
        let _ = self.app;
        let res = self.builder.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }
}

impl TestApp {
    pub fn req(&self, method: Method, path: &str, token: Option<&str>) -> Req<'_> {
        let mut builder = self
            .client
            .request(method, format!("{}{}", self.address, path));
        if let Some(t) = token {
            builder = builder.bearer_auth(t);
        }
        Req { app: self, builder }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.req(Method::GET, path, Some(token)).send().await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.req(Method::POST, path, Some(token))
            .json(body)
            .send()
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.req(Method::PUT, path, Some(token))
            .json(body)
            .send()
            .await
    }

    /// Row counts of every table and every RO's (id, status, version): equal
    /// before and after means a refused request wrote nothing.
    pub async fn fingerprint(&self) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        #[derive(QueryableByName)]
        struct Ro {
            #[diesel(sql_type = Text)]
            v: String,
        }
        let db = self.app.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get().unwrap();
            let mut out = Vec::new();
            for table in [
                "dealerships", "staff", "presence_events", "customers", "repair_orders", "concerns",
                "estimate_lines", "payments", "ro_events", "idempotency_keys",
            ] {
                let c: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                    .get_result(&mut *conn)
                    .unwrap();
                out.push(format!("{table}={}", c.n));
            }
            let ros: Vec<Ro> = diesel::sql_query(
                "SELECT id || ':' || status || ':' || CAST(version AS TEXT) AS v FROM repair_orders ORDER BY v",
            )
            .load(&mut *conn)
            .unwrap();
            out.extend(ros.into_iter().map(|r| r.v));
            let staff: Vec<Ro> = diesel::sql_query("SELECT id || ':' || presence AS v FROM staff ORDER BY v")
                .load(&mut *conn)
                .unwrap();
            out.extend(staff.into_iter().map(|r| r.v));
            out
        })
        .await
        .unwrap()
    }
}

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

    /// Lines: 1.5 h labor at $180 and a $159.50 part for the customer, and a
    /// $220 warranty repair: subtotal $429.50, tax $35.43, total $464.93.
    pub async fn estimate(&self, shop: &Shop, ro: &Value) -> Value {
        let id = ro["id"].as_str().unwrap();
        let concern = ro["concerns"][0]["id"].clone();
        let r = self
            .post(
                &format!("/api/v1/repair-orders/{id}/estimate"),
                &shop.advisor.token,
                &json!({"lines": [
                    {"description": "Replace front brake pads", "kind": "labor", "quantity": 1.5, "unit_price_cents": 18000, "pay_type": "customer", "concern_id": concern},
                    {"description": "Brake pads (set)", "kind": "part", "quantity": 1, "unit_price_cents": 15950, "pay_type": "customer"},
                    {"description": "Oxygen sensor", "kind": "labor", "quantity": 1, "unit_price_cents": 22000, "pay_type": "warranty"}
                ]}),
            )
            .await;
        r.ok(200).clone()
    }

    /// Approves every pending line by phone.
    pub async fn approve_all(&self, shop: &Shop, ro: &Value) -> Value {
        let id = ro["id"].as_str().unwrap();
        let decisions: Vec<Value> = ro["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["approval"] == "pending")
            .map(|l| json!({"line_id": l["id"], "decision": "approved"}))
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
