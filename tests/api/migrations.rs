//! Data written before a migration still reads right after it: the
//! service starts over a store at the previous schema, filled the old way.

use crate::helpers::*;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use serde_json::json;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// The first migration the test leaves for the service to run.
const JOBS: &str = "2026-12-01-000006";

const TOKEN: &str = "hov_an-old-advisor-token-from-before-jobs";
const RO: &str = "0190f0a0-0000-7000-8000-000000000001";
const BRAKES_LABOR: &str = "0190f0a0-0000-7000-8000-00000000000a";
const BRAKES_PART: &str = "0190f0a0-0000-7000-8000-00000000000b";
const SENSOR: &str = "0190f0a0-0000-7000-8000-00000000000c";

/// Runs the migrations before `JOBS`, then writes an RO as the old
/// version did: three lines each approved alone (one declined), an event
/// naming lines.
fn before_jobs(url: &str) {
    let rows = format!(
        "INSERT INTO dealerships (id, name, timezone, country, phone, tax_rate_bp, quiet_start, quiet_end, \
           min_handover_minutes, response_target_minutes, next_ro_number, created_at)
         VALUES ('0190f0a0-0000-7000-8000-0000000000d1', 'Old Motors', 'America/Chicago', 'US', '+13125550100', 825,
           '21:00', '08:00', 30, 240, 2, '2026-03-02 15:00:00');
         INSERT INTO staff (id, dealership_id, name, role, token_hash, created_at)
         VALUES ('0190f0a0-0000-7000-8000-0000000000a1', '0190f0a0-0000-7000-8000-0000000000d1', 'Ana Lopez',
           'advisor', '{hash}', '2026-03-02 15:00:00');
         INSERT INTO customers (id, dealership_id, name, phone, language, created_at)
         VALUES ('0190f0a0-0000-7000-8000-0000000000c1', '0190f0a0-0000-7000-8000-0000000000d1', 'Sam Patel',
           '+13125550188', 'en', '2026-03-02 15:00:00');
         INSERT INTO repair_orders (id, dealership_id, number, customer_id, advisor_id, status, version, promised_at,
           vin, estimate_version, created_at, updated_at)
         VALUES ('{RO}', '0190f0a0-0000-7000-8000-0000000000d1', 1, '0190f0a0-0000-7000-8000-0000000000c1',
           '0190f0a0-0000-7000-8000-0000000000a1', 'in_progress', 4, '2026-03-02 23:00:00', '1HGCM82633A004352', 1,
           '2026-03-02 15:00:00', '2026-03-02 16:00:00');
         INSERT INTO concerns (id, ro_id, position, description)
         VALUES ('0190f0a0-0000-7000-8000-0000000000e1', '{RO}', 1, 'Brakes squeal when stopping');
         INSERT INTO estimate_lines (id, ro_id, position, estimate_version, description, kind, quantity_hundredths,
           unit_price_cents, pay_type, concern_id, approval, decided_at, decided_via, created_at)
         VALUES
           ('{BRAKES_LABOR}', '{RO}', 1, 1, 'Replace front brake pads', 'labor', 150, 18000, 'customer',
             '0190f0a0-0000-7000-8000-0000000000e1', 'approved', '2026-03-02 15:30:00', 'phone', '2026-03-02 15:10:00'),
           ('{BRAKES_PART}', '{RO}', 2, 1, 'Brake pads (set)', 'part', 100, 15950, 'customer', NULL, 'declined',
             '2026-03-02 15:30:00', 'phone', '2026-03-02 15:10:00'),
           ('{SENSOR}', '{RO}', 3, 1, 'Oxygen sensor', 'labor', 100, 22000, 'warranty', NULL, 'not_required', NULL,
             NULL, '2026-03-02 15:10:00');
         INSERT INTO ro_events (id, ro_id, at, actor_kind, actor_id, kind, detail)
         VALUES
           ('0190f0a0-0000-7000-8000-0000000000f1', '{RO}', '2026-03-02 15:10:00', 'staff',
             '0190f0a0-0000-7000-8000-0000000000a1', 'estimate_sent',
             '{{\"estimate_version\":1,\"lines_added\":3,\"total_cents\":46493,\"warranty_cents\":22000}}'),
           ('0190f0a0-0000-7000-8000-0000000000f2', '{RO}', '2026-03-02 15:30:00', 'staff',
             '0190f0a0-0000-7000-8000-0000000000a1', 'decisions_recorded',
             '{{\"channel\":\"phone\",\"decisions\":[{{\"line_id\":\"{BRAKES_LABOR}\",\"approval\":\"approved\"}},{{\"line_id\":\"{BRAKES_PART}\",\"approval\":\"declined\"}}],\"pending_left\":0}}');",
        hash = handover::app::hash_token(TOKEN),
    );
    if url.starts_with("postgres") {
        let mut conn = PgConnection::establish(url).unwrap();
        run_before_jobs(&mut conn, || POSTGRES);
        conn.batch_execute(&rows).unwrap();
    } else {
        let path = url.trim_start_matches("sqlite://");
        let mut conn = SqliteConnection::establish(path).unwrap();
        run_before_jobs(&mut conn, || SQLITE);
        conn.batch_execute(&rows).unwrap();
    }
}

fn run_before_jobs<C, B>(conn: &mut C, source: impl Fn() -> EmbeddedMigrations)
where
    C: MigrationHarness<B>,
    B: diesel::backend::Backend,
    EmbeddedMigrations: diesel::migration::MigrationSource<B>,
{
    loop {
        let pending = conn.pending_migrations(source()).unwrap();
        let Some(next) = pending.first() else { break };
        if next.name().to_string().as_str() >= JOBS {
            break;
        }
        conn.run_next_migration(source()).unwrap();
    }
}

#[tokio::test]
async fn every_old_line_becomes_a_job_of_one_line_with_its_decision() {
    let app = spawn_app_over(before_jobs).await;
    let got = app.get(&format!("/api/v1/repair-orders/{RO}"), TOKEN).await;
    let ro = got.ok(200);
    let jobs = ro["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    assert_eq!(jobs[0]["id"], BRAKES_LABOR, "the job keeps the line's id");
    assert_eq!(jobs[0]["title"], "Replace front brake pads");
    assert_eq!(jobs[0]["approval"], "approved");
    assert_eq!(jobs[0]["decided_via"], "phone");
    assert_eq!(
        jobs[0]["concern_id"],
        "0190f0a0-0000-7000-8000-0000000000e1"
    );
    assert_eq!(jobs[0]["lines"][0]["id"], BRAKES_LABOR);
    assert_eq!(jobs[0]["lines"][0]["amount_cents"], 27_000);
    assert_eq!(jobs[1]["approval"], "declined");
    assert_eq!(jobs[2]["pay_type"], "warranty");
    // The bill is what it was: the rate the dealership had, on everything.
    assert_eq!(ro["tax_rules"]["tax_rate_bp"], 825);
    assert_eq!(ro["subtotal_cents"], 27_000);
    assert_eq!(ro["tax_cents"], 2_228);
    assert_eq!(ro["declined_cents"], 15_950);
    assert_eq!(ro["warranty_cents"], 22_000);
    assert_eq!(ro["approved"]["total_cents"], 29_228);
    // Old events load, naming jobs now.
    let timeline = app
        .get(&format!("/api/v1/repair-orders/{RO}/timeline"), TOKEN)
        .await;
    let events = timeline.ok(200)["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[1]["detail"]["decisions"][0],
        json!({"job_id": BRAKES_LABOR, "approval": "approved"})
    );
    // And the RO goes on: the declined pads are approved after all.
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{RO}/approvals"),
            TOKEN,
            &json!({"channel": "phone", "decisions": [{"job_id": BRAKES_PART, "decision": "approved"}]}),
        )
        .await;
    assert_eq!(r.ok(200)["approved"]["total_cents"], 46_493);
}
