//! A write reads the RO whole under its lock (on PostgreSQL, children and
//! all in the lock's own statement): what it answers must be what a read
//! shows, also when it queued behind another writer of the same RO.

use crate::fixtures::Shop;
use crate::helpers::*;
use serde_json::{Value, json};

/// An RO with concerns, an approved estimate (jobs with lines) and a payment.
async fn full_ro(app: &TestApp, shop: &Shop) -> Value {
    let ro = app.check_in(shop).await;
    let ro = app.estimate(shop, &ro).await;
    let ro = app.approve_all(shop, &ro).await;
    let id = ro["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/repair-orders/{id}/payments"),
        &shop.cashier.token,
        &json!({"amount_cents": 10000, "method": "cash", "reference": "receipt 41"}),
    )
    .await
    .ok(201)
    .clone()
}

fn move_promise(hours: i64) -> Value {
    let at = start_time() + chrono::Duration::hours(hours);
    json!({"promised_at": at.to_rfc3339(), "reason": "The part comes on the afternoon truck"})
}

#[tokio::test]
async fn a_write_answers_with_the_same_order_a_read_shows() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = full_ro(&app, &shop).await;
    let id = ro["id"].as_str().unwrap();
    assert_eq!(ro["concerns"].as_array().unwrap().len(), 2);
    assert_eq!(ro["jobs"].as_array().unwrap().len(), 2);
    let path = format!("/api/v1/repair-orders/{id}/promised-at");
    let written = app.put(&path, &shop.advisor.token, &move_promise(30)).await;
    let written = written.ok(200).clone();
    let read = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.advisor.token)
        .await;
    assert_eq!(&written, read.ok(200));
    assert_eq!(written["jobs"][0]["lines"].as_array().unwrap().len(), 2);
    assert_eq!(written["paid_cents"], 10000);
    assert_eq!(
        written["payments"][0]["reference"], "receipt 41",
        "{written:#}"
    );
}

#[tokio::test]
async fn a_write_that_queued_sees_what_the_writer_before_it_changed() {
    let app = spawn_app().await;
    if app.app.db.backend() != handover::store::Backend::Postgres {
        return; // SQLite writers take turns and read after their turn begins.
    }
    let shop = app.shop().await;
    let ro = full_ro(&app, &shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let concern = ro["concerns"][0]["id"].as_str().unwrap().to_owned();
    let version = ro["version"].as_i64().unwrap();
    // Another writer holds the RO, records an outcome on a concern and bumps
    // the version, as every write of a child does, and commits only once our
    // change is waiting for the lock: our statement's snapshot predates it.
    let holder = app
        .hold(&format!(
            "SELECT 1 FROM repair_orders WHERE id = '{id}' FOR NO KEY UPDATE; \
             UPDATE concerns SET outcome = 'fixed', note = 'New pads fitted' \
               WHERE id = '{concern}'; \
             UPDATE repair_orders SET version = version + 1 WHERE id = '{id}';"
        ))
        .await;
    let path = format!("/api/v1/repair-orders/{id}/promised-at");
    let body = move_promise(30);
    let change = app.put(&path, &shop.advisor.token, &body);
    let release = async {
        let waiting = "SELECT count(*) AS n FROM pg_stat_activity \
                       WHERE wait_event_type = 'Lock' AND datname = current_database()";
        let mut seen = 0;
        while app.scalar(waiting).await == 0 {
            seen += 1;
            assert!(seen < 100_000, "the change never queued for the lock");
            tokio::task::yield_now().await;
        }
        holder.end("COMMIT").await;
    };
    let (answer, ()) = tokio::join!(change, release);
    let answer = answer.ok(200).clone();
    assert_eq!(answer["version"], version + 2);
    assert_eq!(answer["concerns"][0]["outcome"], "fixed");
    assert_eq!(answer["concerns"][0]["note"], "New pads fitted");
    let read = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.advisor.token)
        .await;
    assert_eq!(&answer, read.ok(200));
}
