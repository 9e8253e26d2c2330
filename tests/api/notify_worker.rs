//! The worker: crashes, leases, two workers, shutdown; and what it shows.

use crate::doubles::*;
use crate::helpers::*;
use chrono::{Duration, TimeZone, Utc};
use diesel::RunQueryDsl;
use diesel::sql_types::{Text, Timestamp};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

fn transports(app: &TestApp) -> Arc<handover::notify::transport::Transports> {
    Arc::new(handover::notify::transport::Transports::from_settings(&app.app.settings).unwrap())
}

#[tokio::test]
async fn a_send_cut_off_by_a_crash_is_delivered_once_after_the_lease() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app_with(&twilio, &smtp, |s| {
        s.worker.enabled = false;
        s.worker.lease_seconds = 60;
    })
    .await;
    let shop = app.shop().await;
    let first = app.check_in(&shop).await;
    // A worker claims both texts and dies before calling Twilio.
    let claimed = app.app.claim_notifications(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    // Within the lease nobody else touches it.
    assert!(app.app.claim_notifications(10).await.unwrap().is_empty());
    app.advance(Duration::seconds(61));
    let worker = handover::worker::spawn(app.app.clone(), transports(&app));
    eventually("delivered after the lease", || async {
        twilio.texts().len() == 1
    })
    .await;
    let id = first["id"].as_str().unwrap();
    eventually("recorded as sent", || async {
        app.notifications(&shop.advisor.token, id)
            .await
            .iter()
            .any(|n| n["channel"] == "sms" && n["state"] == "sent")
    })
    .await;
    let ns = app.notifications(&shop.advisor.token, id).await;
    let sms = ns.iter().find(|n| n["channel"] == "sms").unwrap();
    assert_eq!(sms["attempts"], 2);
    assert!(
        sms["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["detail"].as_str().unwrap_or("").contains("lease ran out"))
    );
    worker.shutdown().await;
    assert_eq!(twilio.texts().len(), 1);
}

#[tokio::test]
async fn a_send_that_went_through_before_the_crash_is_not_repeated() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app_with(&twilio, &smtp, |s| s.worker.enabled = false).await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let claimed = app.app.claim_notifications(10).await.unwrap();
    let sms = &claimed
        .iter()
        .find(|c| c.envelope.channel.as_str() == "sms")
        .unwrap()
        .envelope;
    // Twilio took it; the worker died before storing the answer.
    twilio.listed.lock().unwrap().push(json!({
        "sid": "SMalreadysent000000000000000000001", "to": sms.to_address, "body": sms.body_text,
        "status": "delivered", "date_created": app.now().to_rfc2822(),
    }));
    app.advance(Duration::seconds(61));
    let worker = handover::worker::spawn(app.app.clone(), transports(&app));
    let id = ro["id"].as_str().unwrap();
    eventually("recognised as sent", || async {
        app.notifications(&shop.advisor.token, id)
            .await
            .iter()
            .any(|n| n["provider_id"] == "SMalreadysent000000000000000000001")
    })
    .await;
    worker.shutdown().await;
    assert_eq!(twilio.calls().await, 0, "not sent again");
}

#[tokio::test]
async fn shutdown_lets_in_flight_sends_finish() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app_with(&twilio, &smtp, |s| s.worker.enabled = false).await;
    let shop = app.shop().await;
    twilio.answer(vec![Answer::Delay(std::time::Duration::from_millis(800))]);
    let ro = app.check_in(&shop).await;
    let worker = handover::worker::spawn(app.app.clone(), transports(&app));
    eventually("the send is in flight", || async {
        !twilio
            .server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    })
    .await;
    worker.shutdown().await;
    let ns = app
        .notifications(&shop.advisor.token, ro["id"].as_str().unwrap())
        .await;
    assert_eq!(
        ns.iter().find(|n| n["channel"] == "sms").unwrap()["state"],
        "sent",
        "finished, not left sending"
    );
}

#[tokio::test]
async fn two_workers_deliver_a_thousand_messages_each_exactly_once() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app_with(&twilio, &smtp, |s| {
        s.worker.enabled = false;
        s.worker.concurrency = 8;
        s.worker.batch_size = 16;
    })
    .await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let ro_id = ro["id"].as_str().unwrap().to_owned();
    let db = app.app.db.clone();
    let now = app.now().naive_utc();
    let dealership = shop.dealership_id.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().unwrap();
        conn.write(|tx| -> diesel::QueryResult<()> {
            for i in 0..1000 {
                diesel::sql_query(
                    "INSERT INTO notifications (id, dealership_id, ro_id, dedupe_key, kind, \
                     recipient_kind, channel, to_address, body_text, language, context, routine, \
                     state, attempts, next_attempt_at, created_at, updated_at) VALUES \
                     ($1, $2, $3, $4, 'reply', 'customer', 'sms', '+13125550142', $5, 'en', '{}', \
                     FALSE, 'pending', 0, $6, $6, $6)",
                )
                .bind::<Text, _>(uuid::Uuid::now_v7().to_string())
                .bind::<Text, _>(&dealership)
                .bind::<Text, _>(&ro_id)
                .bind::<Text, _>(format!("load:{i}"))
                .bind::<Text, _>(format!("message {i}"))
                .bind::<Timestamp, _>(now)
                .execute(tx)?;
            }
            Ok(())
        })
        .unwrap();
    })
    .await
    .unwrap();
    // A second instance of the service on the same database.
    let other = handover::startup::build_app((*app.app.settings).clone(), app.app.clock.clone())
        .await
        .unwrap();
    let one = handover::worker::spawn(app.app.clone(), transports(&app));
    let two = handover::worker::spawn(other, transports(&app));
    let started = std::time::Instant::now();
    eventually_within(
        "all delivered",
        std::time::Duration::from_secs(120),
        || async {
            twilio
                .texts()
                .iter()
                .filter(|t| t["Body"].starts_with("message "))
                .count()
                >= 1000
        },
    )
    .await;
    println!(
        "1000 messages through two workers in {:?}",
        started.elapsed()
    );
    app.settle().await;
    one.shutdown().await;
    two.shutdown().await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for t in twilio
        .texts()
        .into_iter()
        .filter(|t| t["Body"].starts_with("message "))
    {
        *seen.entry(t["Body"].clone()).or_default() += 1;
    }
    assert_eq!(seen.len(), 1000);
    assert!(
        seen.values().all(|n| *n == 1),
        "duplicates: {:?}",
        seen.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn the_dev_outbox_shows_what_the_log_transport_kept() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    eventually("delivered to the log", || async {
        app.notifications(&shop.advisor.token, ro["id"].as_str().unwrap())
            .await
            .iter()
            .any(|n| n["state"] == "delivered")
    })
    .await;
    // Customers' messages and live links: not for anyone who reaches the port.
    let before = app.fingerprint().await;
    app.req(reqwest::Method::GET, "/dev/outbox", None)
        .send()
        .await
        .problem(401, "unauthenticated");
    app.get("/dev/outbox", &shop.advisor.token)
        .await
        .problem(403, "forbidden");
    assert_eq!(before, app.fingerprint().await);
    let other = app.shop_named("Hillside Motors").await;
    let theirs = app
        .get("/dev/outbox?format=json", &other.manager.token)
        .await;
    assert_eq!(
        theirs.ok(200)["messages"],
        serde_json::json!([]),
        "a manager sees their own dealership's messages only"
    );
    let r = app.get("/dev/outbox", &shop.manager.token).await;
    assert_eq!(r.status, 200);
    assert!(
        r.text.contains("Nothing on this page left this machine"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("Tenemos su auto"),
        "the text as the customer would read it"
    );
    let r = app.get("/dev/outbox?format=json", ADMIN_TOKEN).await;
    let body = r.ok(200);
    assert!(
        body["notice"]
            .as_str()
            .unwrap()
            .contains("left this machine")
    );
    assert_eq!(body["messages"][0]["state"], "delivered");
    let metrics = app.req(reqwest::Method::GET, "/metrics", None).send().await;
    assert!(
        metrics
            .text
            .contains("handover_outbox_messages{state=\"delivered\"} 1"),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains("handover_outbox_sent_total 1"));
    assert!(
        metrics
            .text
            .contains("handover_outbox_send_seconds_count 1")
    );
    assert!(
        metrics
            .text
            .contains("handover_outbox_oldest_due_seconds 0")
    );
}

#[tokio::test]
async fn the_dev_outbox_is_gone_once_providers_are_configured() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    app.get("/dev/outbox", crate::helpers::ADMIN_TOKEN)
        .await
        .problem(404, "not-found");
}

#[tokio::test]
async fn cars_kept_overnight_get_a_daily_update_and_cashiers_hear_of_balances() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let shop = app.shop().await;
    let cashier = app
        .post(
            &format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
            ADMIN_TOKEN,
            &json!({"name": "Dee", "role": "cashier", "phone": "+13125550107", "invite": false}),
        )
        .await
        .ok(201)
        .clone();
    let ro = app
        .approve_all(
            &shop,
            &app.estimate(&shop, &app.check_in(&shop).await).await,
        )
        .await;
    let id = ro["id"].as_str().unwrap().to_owned();
    app.set_status(&shop.technician.token, &id, "in_progress")
        .await
        .ok(200);
    // Next day, 16:00 in Chicago (22:00 UTC on 3 March).
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 22, 0, 0).unwrap());
    app.app.outbox.wake();
    eventually("the progress update", || async {
        twilio
            .texts()
            .iter()
            .any(|t| t["Body"].contains("trabajando"))
    })
    .await;
    app.set_status(&shop.technician.token, &id, "work_complete")
        .await
        .ok(200);
    app.clock_in(&shop.advisor).await.ok(200);
    app.post(
        &format!("/api/v1/repair-orders/{id}/ready"),
        &shop.advisor.token,
        &json!({}),
    )
    .await
    .ok(200);
    eventually("the cashier is told", || async {
        twilio.texts().iter().any(|t| t["To"] == "+13125550107")
    })
    .await;
    let page = twilio
        .texts()
        .into_iter()
        .find(|t| t["To"] == "+13125550107")
        .unwrap();
    assert!(page["Body"].contains("$464.93"), "{}", page["Body"]);
    assert!(cashier["id"].is_string());
    eventually("the customer is told who hands it over", || async {
        twilio
            .texts()
            .iter()
            .any(|t| t["Body"].contains("Ana se lo entregará"))
    })
    .await;
}

#[tokio::test]
async fn on_postgres_a_commit_in_one_instance_wakes_the_worker_in_another() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    // This instance's worker polls only once a minute: only NOTIFY can wake it.
    let app =
        spawn_notifying_app_with(&twilio, &smtp, |s| s.worker.poll_interval_seconds = 60).await;
    if app.app.db.backend() != handover::store::Backend::Postgres {
        return;
    }
    let shop = app.shop().await;
    app.settle().await;
    // A second instance, without a worker, takes the check-in.
    let mut settings = (*app.app.settings).clone();
    settings.worker.enabled = false;
    let other = handover::startup::Application::build(settings, app.app.clock.clone())
        .await
        .unwrap();
    let other_url = format!("http://127.0.0.1:{}", other.port());
    tokio::spawn(other.run_until_stopped());
    let r = app
        .client
        .post(format!("{other_url}/api/v1/repair-orders"))
        .bearer_auth(&shop.advisor.token)
        .json(&app.check_in_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let started = std::time::Instant::now();
    eventually("delivered by the first instance's worker", || async {
        twilio.texts().len() == 1
    })
    .await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "woken by NOTIFY, not by the poll"
    );
}
