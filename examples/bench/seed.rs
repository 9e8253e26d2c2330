//! A dealership with one advisor and N open repair orders, each with its own
//! customer (its own phone, so every text can be traced to one change).
//! The first RO is checked in through the API; the rest are copies of it made
//! in SQL (with their concerns, events and a sent check-in text), because a
//! million check-ins over HTTP would take longer than the benchmark.

use crate::service::ADMIN_TOKEN;
use chrono::{Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::{Value, json};

pub enum Db {
    Pg(PgConnection),
    Lite(SqliteConnection),
}

#[derive(QueryableByName, Clone)]
pub struct Ro {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub phone: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl Db {
    pub fn open(url: &str) -> anyhow::Result<Self> {
        Ok(match url.strip_prefix("sqlite://") {
            Some(path) => {
                let mut c = SqliteConnection::establish(path)?;
                c.batch_execute("PRAGMA busy_timeout = 10000;")?;
                Db::Lite(c)
            }
            None => Db::Pg(PgConnection::establish(url)?),
        })
    }

    pub fn exec(&mut self, sql: &str) -> anyhow::Result<()> {
        match self {
            Db::Pg(c) => c.batch_execute(sql)?,
            Db::Lite(c) => c.batch_execute(sql)?,
        }
        Ok(())
    }

    pub fn count(&mut self, sql: &str) -> anyhow::Result<i64> {
        let rows: Vec<Count> = match self {
            Db::Pg(c) => diesel::sql_query(sql).load(c)?,
            Db::Lite(c) => diesel::sql_query(sql).load(c)?,
        };
        Ok(rows.first().map(|r| r.n).unwrap_or(0))
    }

    /// The seeded ROs in order (n = 1..).
    pub fn ros(&mut self) -> anyhow::Result<Vec<Ro>> {
        let sql = "SELECT id, phone FROM bench_ros ORDER BY n";
        Ok(match self {
            Db::Pg(c) => diesel::sql_query(sql).load(c)?,
            Db::Lite(c) => diesel::sql_query(sql).load(c)?,
        })
    }

    fn is_pg(&self) -> bool {
        matches!(self, Db::Pg(_))
    }
}

/// Made through the API: who the load generator acts as.
pub struct Shop {
    pub advisor_token: String,
    pub template_ro: String,
}

async fn post(
    http: &reqwest::Client,
    url: String,
    token: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let r = http
        .post(&url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = r.status();
    let body: Value = r.json().await?;
    anyhow::ensure!(status.is_success(), "{url}: {status} {body}");
    Ok(body)
}

/// Quiet hours placed twelve hours away, so routine texts go at once whatever
/// the hour the benchmark runs.
fn quiet_hours_far_from_now() -> Value {
    let h = (Utc::now().hour() + 12) % 24;
    json!({"start": format!("{h:02}:00"), "end": format!("{:02}:00", (h + 1) % 24)})
}

pub async fn shop(http: &reqwest::Client, api: &str) -> anyhow::Result<Shop> {
    let d = post(
        http,
        format!("{api}/api/v1/dealerships"),
        ADMIN_TOKEN,
        json!({"name": "Bench Motors", "timezone": "UTC", "country": "US",
               "phone": "(312) 555-0100", "tax_rate_bp": 825, "quiet_hours": quiet_hours_far_from_now()}),
    )
    .await?;
    let did = d["id"].as_str().unwrap_or_default().to_owned();
    let a = post(
        http,
        format!("{api}/api/v1/dealerships/{did}/staff"),
        ADMIN_TOKEN,
        json!({"name": "Ana Lopez", "role": "advisor"}),
    )
    .await?;
    let token = a["token"].as_str().unwrap_or_default().to_owned();
    let promised = Utc::now() + chrono::Duration::hours(4);
    let ro = post(
        http,
        format!("{api}/api/v1/repair-orders"),
        &token,
        json!({
            "customer": {"name": "Maria Garcia", "phone": "(312) 200-0000", "language": "en", "sms_consent": true},
            "vehicle": {"vin": "1HGCM82633A004352", "year": 2019, "make": "Honda", "model": "Accord", "mileage": 48210},
            "concerns": ["Brakes squeal when stopping", "Check engine light is on"],
            "promised_at": promised.to_rfc3339(),
        }),
    )
    .await?;
    Ok(Shop {
        advisor_token: token,
        template_ro: ro["id"].as_str().unwrap_or_default().to_owned(),
    })
}

/// Copies the template RO until `bench_ros` holds `total` ROs.
pub fn grow(db: &mut Db, template: &str, total: i64) -> anyhow::Result<()> {
    db.exec("CREATE TABLE IF NOT EXISTS bench_ros (n BIGINT PRIMARY KEY, id TEXT NOT NULL, phone TEXT NOT NULL)")?;
    let have = db.count("SELECT COUNT(*) AS n FROM bench_ros")?;
    let chunk = 200_000;
    let mut from = have;
    while from < total {
        let to = (from + chunk).min(total);
        copy(db, template, from, to)?;
        from = to;
    }
    if db.is_pg() {
        db.exec("VACUUM ANALYZE")?;
    } else {
        db.exec("ANALYZE")?;
    }
    Ok(())
}

fn copy(db: &mut Db, t: &str, from: i64, to: i64) -> anyhow::Result<()> {
    let (uuid, seq) = if db.is_pg() {
        (
            "gen_random_uuid()::text".to_owned(),
            format!(
                "SELECT g AS n, gen_random_uuid()::text AS ro, gen_random_uuid()::text AS cu, '+1312' || lpad(g::text, 7, '0') AS phone FROM generate_series({}, {to}) g",
                from + 1
            ),
        )
    } else {
        let u = "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";
        (
            u.to_owned(),
            format!(
                "WITH RECURSIVE g(n) AS (SELECT {} UNION ALL SELECT n + 1 FROM g WHERE n < {to}) SELECT n, {u} AS ro, {u} AS cu, '+1312' || substr('0000000' || n, -7, 7) AS phone FROM g",
                from + 1
            ),
        )
    };
    let sql = format!(
        "BEGIN;
        DROP TABLE IF EXISTS bench_seq;
        CREATE TEMP TABLE bench_seq AS {seq};
        INSERT INTO customers (id, dealership_id, name, phone, email, language, sms_consent_at, sms_consent_method, created_at, notify_by)
          SELECT s.cu, c.dealership_id, c.name, s.phone, c.email, c.language, c.sms_consent_at, c.sms_consent_method, c.created_at, c.notify_by
          FROM bench_seq s CROSS JOIN customers c WHERE c.id = (SELECT customer_id FROM repair_orders WHERE id = '{t}');
        INSERT INTO repair_orders (id, dealership_id, number, customer_id, advisor_id, status, version, promised_at, vin, vehicle_year, vehicle_make,
            vehicle_model, vehicle_plate, vehicle_mileage, estimate_version, ready_when_available, created_at, updated_at, link_version)
          SELECT s.ro, r.dealership_id, r.number + s.n, s.cu, r.advisor_id, r.status, r.version, r.promised_at, r.vin, r.vehicle_year, r.vehicle_make,
            r.vehicle_model, r.vehicle_plate, r.vehicle_mileage, r.estimate_version, r.ready_when_available, r.created_at, r.updated_at, r.link_version
          FROM bench_seq s CROSS JOIN repair_orders r WHERE r.id = '{t}';
        INSERT INTO concerns (id, ro_id, position, description, outcome, note)
          SELECT {uuid}, s.ro, c.position, c.description, c.outcome, c.note FROM bench_seq s CROSS JOIN concerns c WHERE c.ro_id = '{t}';
        INSERT INTO ro_events (id, ro_id, at, actor_kind, actor_id, kind, from_status, to_status, detail)
          SELECT {uuid}, s.ro, e.at, e.actor_kind, e.actor_id, e.kind, e.from_status, e.to_status, e.detail
          FROM bench_seq s CROSS JOIN ro_events e WHERE e.ro_id = '{t}';
        INSERT INTO notifications (id, dealership_id, ro_id, dedupe_key, kind, recipient_kind, recipient_staff_id, channel, to_address,
            from_address, reply_to, subject, body_text, body_html, language, context, routine, supersede_key, fallback_of, state, attempts,
            next_attempt_at, created_at, updated_at, sent_at)
          SELECT {uuid}, n.dealership_id, s.ro, n.dedupe_key || ':' || s.n, n.kind, n.recipient_kind, n.recipient_staff_id, n.channel,
            CASE WHEN n.recipient_kind = 'customer' AND n.channel = 'sms' THEN s.phone ELSE n.to_address END,
            n.from_address, n.reply_to, n.subject, n.body_text, n.body_html, n.language, n.context, n.routine, n.supersede_key, NULL, 'sent', 1,
            n.next_attempt_at, n.created_at, n.updated_at, n.created_at
          FROM bench_seq s CROSS JOIN notifications n WHERE n.ro_id = '{t}';
        INSERT INTO bench_ros (n, id, phone) SELECT n, ro, phone FROM bench_seq;
        UPDATE dealerships SET next_ro_number = {to} + 2 WHERE id = (SELECT dealership_id FROM repair_orders WHERE id = '{t}');
        DROP TABLE bench_seq;
        COMMIT;"
    );
    db.exec(&sql)
}

/// Pending texts left by an earlier part (written with the worker off) are
/// set aside so the next part times only its own. Then the table is
/// vacuumed (untimed): setting aside tens of thousands at once leaves as
/// many dead entries in the pending index, below autovacuum's threshold on
/// a large table, and every claim of the next part walked them — 220
/// buffers and 1-3 ms a claim at 1,000,000 ROs (BENCHMARKS.md, round 8).
pub fn clear_backlog(db: &mut Db) -> anyhow::Result<()> {
    db.exec("UPDATE notifications SET state = 'suppressed', last_error = 'bench: set aside' WHERE state IN ('pending', 'sending')")?;
    if db.is_pg() {
        db.exec("VACUUM notifications")?;
    }
    Ok(())
}
