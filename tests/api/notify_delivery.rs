//! Messages reach customers and staff by text and email, exactly once.

use crate::doubles::*;
use crate::helpers::*;
use serde_json::{Value, json};

fn state_of<'a>(ns: &'a [Value], kind: &str, channel: &str) -> Option<&'a str> {
    ns.iter()
        .find(|n| n["kind"] == kind && n["channel"] == channel)
        .and_then(|n| n["state"].as_str())
}

#[tokio::test]
async fn check_in_texts_the_customer_through_twilio_and_emails_them() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let shop = app.shop().await;
    let mut body = app.check_in_body();
    body["customer"]["notify_by"] = json!("both");
    let ro = app
        .post("/api/v1/repair-orders", &shop.advisor.token, &body)
        .await
        .ok(201)
        .clone();
    let ro_id = ro["id"].as_str().unwrap();
    eventually("the text and the email are sent", || async {
        let ns = app.notifications(&shop.advisor.token, ro_id).await;
        state_of(&ns, "checked_in", "sms") == Some("sent")
            && state_of(&ns, "checked_in", "email") == Some("sent")
    })
    .await;
    let texts = twilio.texts();
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0]["To"], "+13125550142");
    assert_eq!(texts[0]["From"], FROM);
    // Spanish, spelled right, naming the advisor and the promised time.
    let sms = &texts[0]["Body"];
    assert!(
        sms.contains("Tenemos su auto")
            && sms.contains("Le atiende Ana")
            && sms.contains("Estará listo hoy a las 13:00")
            && sms.contains("BAJA"),
        "{sms}"
    );
    let ns = app.notifications(&shop.advisor.token, ro_id).await;
    let text = ns.iter().find(|n| n["channel"] == "sms").unwrap();
    assert!(text["provider_id"].as_str().unwrap().starts_with("SM"));
    assert_eq!(
        text["body"],
        sms.as_str(),
        "the record shows exactly what was sent"
    );
    let steps: Vec<&str> = text["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["state"].as_str().unwrap())
        .collect();
    assert_eq!(steps, vec!["pending", "sending", "sent"]);
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("To: maria@example.com"), "{mail}");
    assert!(mail.contains("multipart/alternative"), "text and HTML");
    assert!(mail.contains("text/plain") && mail.contains("text/html"));
    let email_id = ns.iter().find(|n| n["channel"] == "email").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        mail.contains(&format!("Message-ID: <{email_id}@")),
        "Message-ID from the notification id"
    );
}

#[tokio::test]
async fn the_estimate_email_is_itemized_with_reply_to_the_advisor() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let d = app.create_dealership("Lakeside").await;
    app.patch(
        &format!("/api/v1/dealerships/{d}"),
        ADMIN_TOKEN,
        &json!({"email_from": "service@lakeside.example"}),
    )
    .await
    .ok(200);
    let r = app
        .post(
            &format!("/api/v1/dealerships/{d}/staff"),
            ADMIN_TOKEN,
            &json!({"name": "Ana Lopez", "role": "advisor", "email": "ana@lakeside.example", "invite": false}),
        )
        .await;
    let advisor = r.ok(201)["token"].as_str().unwrap().to_owned();
    let mut body = app.check_in_body();
    body["customer"] = json!({"name": "John Miller", "email": "john@example.com"});
    let ro = app
        .post("/api/v1/repair-orders", &advisor, &body)
        .await
        .ok(201)
        .clone();
    let id = ro["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/repair-orders/{id}/estimate"),
        &advisor,
        &json!({"jobs": [
            {"title": "Replace the front brake pads", "pay_type": "customer", "lines": [
                {"kind": "labor", "description": "Front brake pad replacement", "quantity": 1.5, "unit_price_cents": 18000},
                {"kind": "part", "description": "Brake pads (set)", "quantity": 1, "unit_price_cents": 15950}
            ]},
            {"title": "Replace the oxygen sensor", "pay_type": "warranty", "lines": [
                {"kind": "labor", "description": "Oxygen sensor replacement", "quantity": 1, "unit_price_cents": 22000}
            ]}
        ]}),
    )
    .await
    .ok(200);
    eventually("two emails", || async { smtp.mails().len() == 2 }).await;
    let mail = smtp
        .mails()
        .into_iter()
        .find(|m| m.contains("estimate"))
        .unwrap();
    assert!(mail.contains("Reply-To: ana@lakeside.example"), "{mail}");
    assert!(mail.contains("Auto-Submitted: auto-generated"), "{mail}");
    let from = mail.lines().find(|l| l.starts_with("From: ")).unwrap();
    assert!(
        from.contains("Lakeside") && from.contains("<service@lakeside.example>"),
        "the dealership's name on the From line: {from}"
    );
    // The plain-text part, one item per line, exactly as stored.
    let ns = app.notifications(&advisor, id).await;
    let email = ns
        .iter()
        .find(|n| n["kind"] == "estimate" && n["channel"] == "email")
        .unwrap();
    let text = email["body"].as_str().unwrap();
    assert!(
        text.contains(
            "Replace the front brake pads: $429.50\n  - Front brake pad replacement: $270.00\n  - Brake pads (set): $159.50\n\nTax (8.25%): $35.43\nTotal if you approve everything: $464.93\n\nCovered for you (you do not pay this):\n- Replace the oxygen sensor: $220.00\n"
        ),
        "{text}"
    );
    assert!(twilio.texts().is_empty(), "no texts without consent");
}

#[tokio::test]
async fn transient_failures_are_retried_with_backoff_and_permanent_ones_are_not() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let shop = app.shop().await;
    // A 500, then a timeout (the client gives up after 2 s), then success.
    twilio.answer(vec![
        Answer::Status(
            500,
            json!({"code": 20500, "message": "Internal Server Error"}),
        ),
        Answer::Delay(std::time::Duration::from_secs(4)),
        Answer::Created,
    ]);
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let pending_with = |error: &'static str| {
        let (app, token, id) = (&app, shop.advisor.token.clone(), id.clone());
        async move {
            let ns = app.notifications(&token, &id).await;
            ns.iter().any(|n| {
                n["channel"] == "sms"
                    && n["state"] == "pending"
                    && n["last_error"].as_str().unwrap_or("").contains(error)
            })
        }
    };
    eventually("first attempt failed with a 500", || pending_with("20500")).await;
    let ns = app.notifications(&shop.advisor.token, &id).await;
    let sms = ns.iter().find(|n| n["channel"] == "sms").unwrap();
    let retry_at: chrono::DateTime<chrono::Utc> =
        sms["next_attempt_at"].as_str().unwrap().parse().unwrap();
    let wait = retry_at - app.now();
    assert!(
        wait >= chrono::Duration::seconds(48) && wait <= chrono::Duration::seconds(72),
        "60 s ± 20 %: {wait}"
    );
    app.advance(chrono::Duration::seconds(75));
    eventually("second attempt timed out", || pending_with("in time")).await;
    app.advance(chrono::Duration::seconds(150));
    eventually("third attempt sent", || async {
        state_of(
            &app.notifications(&shop.advisor.token, &id).await,
            "checked_in",
            "sms",
        ) == Some("sent")
    })
    .await;
    assert_eq!(twilio.texts().len(), 1, "accepted once");

    // A 400 is not retried.
    twilio.answer(vec![Answer::Status(
        400,
        json!({"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}),
    )]);
    let before = twilio.calls().await;
    let ro2 = app.check_in(&shop).await;
    let id2 = ro2["id"].as_str().unwrap().to_owned();
    eventually("refused permanently", || async {
        state_of(
            &app.notifications(&shop.advisor.token, &id2).await,
            "checked_in",
            "sms",
        ) == Some("failed")
    })
    .await;
    app.advance(chrono::Duration::hours(3));
    app.settle().await;
    assert_eq!(twilio.calls().await, before + 1, "one call, no retry");
    let ns = app.notifications(&shop.advisor.token, &id2).await;
    let failed = ns
        .iter()
        .find(|n| n["channel"] == "sms" && n["kind"] == "checked_in")
        .unwrap();
    assert!(failed["last_error"].as_str().unwrap().contains("21211"));
    // The text fell back to email, and the advisor was told.
    eventually("fallback email sent", || async {
        let ns = app.notifications(&shop.advisor.token, &id2).await;
        ns.iter().any(|n| {
            n["channel"] == "email" && n["kind"] == "checked_in" && n["fallback_of"] == failed["id"]
        })
    })
    .await;
    let ns = app.notifications(&shop.advisor.token, &id2).await;
    assert!(
        ns.iter()
            .any(|n| n["kind"] == "staff_delivery_failed" && n["recipient"] == "staff"),
        "{ns:#?}"
    );
}

#[tokio::test]
async fn retries_stop_when_the_schedule_is_spent() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let shop = app.shop().await;
    twilio.answer(vec![Answer::Status(
        503,
        json!({"code": 20503, "message": "Service Unavailable"}),
    )]);
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    for attempt in 1..=3 {
        eventually(&format!("attempt {attempt}"), || {
            let app = &app;
            let t = shop.advisor.token.clone();
            let id = id.clone();
            async move {
                app.notifications(&t, &id).await.iter().any(|n| {
                    n["channel"] == "sms" && n["attempts"] == attempt && n["state"] != "sending"
                })
            }
        })
        .await;
        app.advance(chrono::Duration::seconds(200));
    }
    eventually("failed after the schedule", || async {
        state_of(
            &app.notifications(&shop.advisor.token, &id).await,
            "checked_in",
            "sms",
        ) == Some("failed")
    })
    .await;
    let ns = app.notifications(&shop.advisor.token, &id).await;
    let sms = ns
        .iter()
        .find(|n| n["channel"] == "sms" && n["kind"] == "checked_in")
        .unwrap();
    assert!(
        sms["last_error"]
            .as_str()
            .unwrap()
            .contains("gave up after 3 attempt"),
        "{sms}"
    );
}

#[tokio::test]
async fn a_429_waits_as_long_as_twilio_asks() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let shop = app.shop().await;
    twilio.answer(vec![Answer::TooMany(900), Answer::Created]);
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    eventually("rate limited", || async {
        let ns = app.notifications(&shop.advisor.token, &id).await;
        ns.iter()
            .any(|n| n["channel"] == "sms" && n["state"] == "pending" && n["attempts"] == 1)
    })
    .await;
    let ns = app.notifications(&shop.advisor.token, &id).await;
    let sms = ns.iter().find(|n| n["channel"] == "sms").unwrap();
    let retry_at: chrono::DateTime<chrono::Utc> =
        sms["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        retry_at - app.now(),
        chrono::Duration::seconds(900),
        "Retry-After beats the 60 s schedule"
    );
    app.advance(chrono::Duration::seconds(901));
    eventually("sent after waiting", || async { twilio.texts().len() == 1 }).await;
}
