//! `spawn_app()`: the service on port 0 with a fresh database and a manual
//! clock, plus a client that speaks its API.

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use handover::clock::ManualClock;
use handover::config::{Secret, Settings};
use handover::startup::Application;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::Arc;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef0123456789";

/// Monday 2 March 2026, 09:00 in Chicago: a normal working morning.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap()
}

/// `/api/v1/repair-orders/{id}/{action}` for an RO as the API returned it.
pub fn ro_path(ro: &Value, action: &str) -> String {
    format!(
        "/api/v1/repair-orders/{}/{action}",
        ro["id"].as_str().unwrap()
    )
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
    spawn_on(store, url, adjust).await
}

/// The service started over a store that `prepare` filled first (given
/// the database URL): for data written by an older version.
pub async fn spawn_app_over(prepare: impl FnOnce(&str) + Send + 'static) -> TestApp {
    let (store, url) = tokio::task::spawn_blocking(move || {
        let (store, url) = new_store();
        prepare(&url);
        (store, url)
    })
    .await
    .unwrap();
    spawn_on(store, url, |_| {}).await
}

async fn spawn_on(store: Store, url: String, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings::defaults().unwrap();
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.workers = 2;
    settings.database.url = Secret::from(url);
    settings.database.pool_size = 4;
    settings.admin_token = Secret::from(ADMIN_TOKEN);
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

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.req(Method::PATCH, path, Some(token))
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

    /// Row counts of every table (read from the catalog, so a new table is
    /// never missed) and every RO's (id, status, version) and staff member's
    /// presence: equal before and after means a refused request wrote nothing.
    pub async fn fingerprint(&self) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        #[derive(QueryableByName)]
        struct Name {
            #[diesel(sql_type = Text)]
            v: String,
        }
        // The worker writes delivery history on its own time: let it finish
        // what it has, so only what the request wrote can differ.
        if self.app.settings.worker.enabled {
            self.settle().await;
        }
        let db = self.app.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get().unwrap();
            let catalog = match db.backend() {
                handover::store::Backend::Sqlite => {
                    "SELECT name AS v FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__diesel%' ORDER BY name"
                }
                handover::store::Backend::Postgres => {
                    "SELECT tablename::text AS v FROM pg_tables WHERE schemaname = 'public' \
                     AND tablename NOT LIKE '__diesel%' ORDER BY tablename"
                }
            };
            let tables: Vec<Name> = diesel::sql_query(catalog).load(&mut **conn).unwrap();
            assert!(tables.len() >= 20, "the catalog lists the tables");
            let mut out = Vec::new();
            for table in tables.into_iter().map(|t| t.v) {
                let c: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                    .get_result(&mut **conn)
                    .unwrap();
                out.push(format!("{table}={}", c.n));
            }
            let ros: Vec<Name> = diesel::sql_query(
                "SELECT id || ':' || status || ':' || CAST(version AS TEXT) AS v FROM repair_orders ORDER BY v",
            )
            .load(&mut **conn)
            .unwrap();
            out.extend(ros.into_iter().map(|r| r.v));
            let staff: Vec<Name> =
                diesel::sql_query("SELECT id || ':' || presence AS v FROM staff ORDER BY v")
                    .load(&mut **conn)
                    .unwrap();
            out.extend(staff.into_iter().map(|r| r.v));
            out
        })
        .await
        .unwrap()
    }
}

impl TestApp {
    /// Runs a statement straight on the store (to set up or tamper with
    /// what the API would never write).
    pub async fn sql(&self, statement: &str) {
        let db = self.app.db.clone();
        let statement = statement.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get().unwrap();
            diesel::sql_query(statement).execute(&mut **conn).unwrap();
        })
        .await
        .unwrap();
    }

    /// Opens a transaction on a connection of its own, runs `statements` in
    /// it and keeps it open (holding whatever rows they locked) until
    /// [`Held::end`]: another writer, as the service would never be.
    pub async fn hold(&self, statements: &str) -> Held {
        let db = self.app.db.clone();
        let statements = format!("BEGIN; {statements}");
        tokio::task::spawn_blocking(move || {
            use diesel::connection::SimpleConnection;
            let mut conn = db.get().unwrap();
            SimpleConnection::batch_execute(&mut **conn, &statements).unwrap();
            Held(conn)
        })
        .await
        .unwrap()
    }

    /// One number read straight from the store (`SELECT … AS n`).
    pub async fn scalar(&self, query: &str) -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let db = self.app.db.clone();
        let query = query.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get().unwrap();
            diesel::sql_query(query)
                .get_result::<N>(&mut **conn)
                .unwrap()
                .n
        })
        .await
        .unwrap()
    }
}

/// A transaction [`TestApp::hold`] keeps open.
pub struct Held(handover::store::PooledConn);

impl Held {
    /// Ends it: `"COMMIT"` or `"ROLLBACK"`.
    pub async fn end(self, how: &'static str) {
        tokio::task::spawn_blocking(move || {
            use diesel::connection::SimpleConnection;
            let mut conn = self.0;
            SimpleConnection::batch_execute(&mut **conn, how).unwrap();
        })
        .await
        .unwrap();
    }
}
