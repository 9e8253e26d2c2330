//! What the store keeps and for how long, and what it does with data it
//! cannot read: jobs back off and then fail, machinery rows are purged,
//! provider callbacks are stored once, corrupt rows fail loudly.

use crate::doubles::{SmtpSink, TwilioMock, shop_with_number, spawn_notifying_app_with};
use crate::helpers::{spawn_app, spawn_app_with};
use chrono::Duration;

const JOB: &str = "INSERT INTO jobs (id, dealership_id, ro_id, kind, dedupe_key, due_at, state, \
    attempts, payload, created_at) SELECT '01900000-0000-7000-8000-000000000001', dealership_id, id, ";

#[tokio::test]
async fn a_failing_job_backs_off_then_fails_once_and_is_counted() {
    let app = spawn_app_with(|s| {
        s.worker.enabled = false;
        s.jobs.max_attempts = 2;
        s.jobs.retry_base_seconds = 60;
        s.jobs.retry_jitter = 0.0;
    })
    .await;
    let shop = app.shop().await;
    app.check_in(&shop).await;
    // An escalation of a message that does not exist can never succeed.
    app.sql(&format!(
        "{JOB} 'escalate_unanswered', 'broken', created_at, 'pending', 0, \
         '{{\"message_id\": \"01900000-0000-7000-8000-0000000000ff\"}}', created_at FROM repair_orders"
    ))
    .await;
    let state = "SELECT COUNT(*) AS n FROM jobs WHERE dedupe_key = 'broken' AND state = ";
    assert_eq!(app.app.run_due_jobs(10).await.unwrap(), 1);
    assert_eq!(
        app.scalar(&format!("{state} 'pending'")).await,
        1,
        "tried again later"
    );
    assert_eq!(app.app.run_due_jobs(10).await.unwrap(), 0, "not due yet");
    app.clock.advance(Duration::seconds(61));
    assert_eq!(app.app.run_due_jobs(10).await.unwrap(), 1);
    assert_eq!(app.scalar(&format!("{state} 'failed'")).await, 1);
    let metrics = app.req(reqwest::Method::GET, "/metrics", None).send().await;
    assert!(
        metrics.text.contains("handover_jobs_failed_total 1"),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains("handover_jobs{state=\"failed\"} 1"));
    app.clock.advance(Duration::days(1));
    assert_eq!(app.app.run_due_jobs(10).await.unwrap(), 0, "never again");
}

#[tokio::test]
async fn a_job_that_cannot_be_read_fails_at_once_instead_of_passing_as_done() {
    let app = spawn_app_with(|s| s.worker.enabled = false).await;
    let shop = app.shop().await;
    app.check_in(&shop).await;
    app.sql(&format!(
        "{JOB} 'teleport_car', 'unreadable', created_at, 'pending', 0, '{{}}', created_at \
         FROM repair_orders"
    ))
    .await;
    app.app.run_due_jobs(10).await.unwrap();
    let failed = "SELECT COUNT(*) AS n FROM jobs WHERE dedupe_key = 'unreadable' \
        AND state = 'failed' AND last_error LIKE 'cannot read the job%'";
    assert_eq!(app.scalar(failed).await, 1);
}

#[tokio::test]
async fn expired_keys_finished_jobs_and_old_callbacks_are_purged() {
    let app = spawn_app_with(|s| s.worker.enabled = false).await;
    let shop = app.shop().await;
    app.req(
        reqwest::Method::POST,
        "/api/v1/repair-orders",
        Some(&shop.advisor.token),
    )
    .idem("check-in-1")
    .json(&app.check_in_body())
    .send()
    .await
    .ok(201);
    app.sql(&format!(
        "{JOB} 'promote_ready', 'old-done', created_at, 'done', 1, '{{}}', created_at \
         FROM repair_orders"
    ))
    .await;
    app.sql("UPDATE jobs SET finished_at = due_at WHERE dedupe_key = 'old-done'")
        .await;
    app.sql(
        "INSERT INTO provider_callbacks (id, provider_id, status, received_at) \
         SELECT 'cb1', 'SMx', 'delivered', created_at FROM repair_orders",
    )
    .await;
    let keys = "SELECT COUNT(*) AS n FROM idempotency_keys";
    let removed = app.app.purge_expired().await.unwrap();
    assert!(removed.iter().all(|(_, n)| *n == 0), "nothing is old yet");
    assert_eq!(app.scalar(keys).await, 1);

    app.clock.advance(Duration::hours(25));
    app.app.purge_expired().await.unwrap();
    assert_eq!(app.scalar(keys).await, 0, "keys live 24 hours");
    assert_eq!(
        app.scalar("SELECT COUNT(*) AS n FROM jobs WHERE dedupe_key = 'old-done'")
            .await,
        1
    );

    app.clock.advance(Duration::days(31));
    app.app.purge_expired().await.unwrap();
    assert_eq!(
        app.scalar("SELECT COUNT(*) AS n FROM jobs WHERE dedupe_key = 'old-done'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) AS n FROM provider_callbacks")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) AS n FROM repair_orders").await,
        1,
        "business records stay"
    );
    let metrics = app.req(reqwest::Method::GET, "/metrics", None).send().await;
    assert!(
        metrics
            .text
            .contains("handover_purged_rows_total{table=\"idempotency_keys\"} 1"),
        "{}",
        metrics.text
    );
}

#[tokio::test]
async fn a_replayed_status_callback_is_stored_once() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app_with(&twilio, &smtp, |s| s.worker.enabled = false).await;
    shop_with_number(&app).await;
    let callback = [("MessageSid", "SMreplayed"), ("MessageStatus", "delivered")];
    for _ in 0..3 {
        app.twilio_post("/webhooks/twilio/status", &callback)
            .await
            .ok(200);
    }
    app.twilio_post(
        "/webhooks/twilio/status",
        &[("MessageSid", "SMreplayed"), ("MessageStatus", "sent")],
    )
    .await
    .ok(200);
    assert_eq!(
        app.scalar("SELECT COUNT(*) AS n FROM provider_callbacks")
            .await,
        2
    );
}

#[tokio::test]
async fn a_corrupt_stored_value_fails_loudly_instead_of_being_guessed() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap();
    app.sql(&format!(
        "UPDATE repair_orders SET status = 'teleported' WHERE id = '{id}'"
    ))
    .await;
    let r = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.advisor.token)
        .await;
    r.problem(500, "internal");
    assert!(
        !r.text.contains("teleported"),
        "the cause is logged, not sent"
    );
}
