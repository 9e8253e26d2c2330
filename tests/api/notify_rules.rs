//! Quiet hours, superseded messages, consent and opt-out, replies.

use crate::doubles::*;
use chrono::{Duration, TimeZone, Utc};
use diesel::RunQueryDsl;
use diesel::sql_types::{Text, Timestamp};
use serde_json::json;

#[tokio::test]
async fn routine_messages_wait_for_quiet_hours_to_end() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let shop = app.shop().await;
    // 22:30 in Chicago (04:30 UTC the next day).
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 4, 30, 0).unwrap());
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let ns = app.notifications(&shop.advisor.token, id).await;
    let sms = of(&ns, "checked_in", "sms")[0];
    assert_eq!(sms["state"], "pending");
    assert_eq!(
        sms["next_attempt_at"], "2026-03-03T14:00:00Z",
        "08:00 local"
    );
    // Written for the morning it will be read in: "today" is the day it arrives.
    assert!(
        sms["body"].as_str().unwrap().contains("hoy a las 02:30"),
        "{}",
        sms["body"]
    );
    app.advance(Duration::hours(2));
    app.settle().await;
    assert!(twilio.texts().is_empty(), "nothing at night");
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap());
    app.app.outbox.wake();
    eventually("sent at 08:00", || async { twilio.texts().len() == 1 }).await;
}

#[tokio::test]
async fn a_message_superseded_before_it_went_is_not_sent() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap();
    eventually("check-in text sent", || async { twilio.texts().len() == 1 }).await;
    // Two changes overnight (21:30 and 23:00 local).
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 3, 30, 0).unwrap());
    let path = format!("/api/v1/repair-orders/{id}/promised-at");
    app.put(
        &path,
        &shop.advisor.token,
        &json!({"promised_at": "2026-03-03T20:00:00Z", "reason": "The part comes tomorrow"}),
    )
    .await
    .ok(200);
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 5, 0, 0).unwrap());
    app.put(
        &path,
        &shop.advisor.token,
        &json!({"promised_at": "2026-03-03T23:00:00Z", "reason": "The part comes at noon"}),
    )
    .await
    .ok(200);
    let ns = app.notifications(&shop.advisor.token, id).await;
    let changes = of(&ns, "promised_changed", "sms");
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["state"], "superseded");
    assert_eq!(changes[1]["state"], "pending");
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap());
    app.app.outbox.wake();
    eventually("the newer one is sent", || async {
        twilio.texts().len() == 2
    })
    .await;
    app.settle().await;
    let texts = twilio.texts();
    assert_eq!(texts.len(), 2, "the older one never went");
    assert!(
        texts[1]["Body"].contains("The part comes at noon"),
        "{}",
        texts[1]["Body"]
    );
}

/// A text whose delivery failed over to email, raced by a newer change,
/// can leave several pending copies of one message; the next change must
/// retire every one of them, each with its history.
#[tokio::test]
async fn every_pending_copy_of_an_old_message_is_retired_by_the_newer_one() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let ns = app.notifications(&shop.advisor.token, &id).await;
    let phone = of(&ns, "checked_in", "sms")[0]["to"]
        .as_str()
        .unwrap()
        .to_owned();
    let db = app.app.db.clone();
    let later = (app.now() + Duration::days(1)).naive_utc();
    let (ro_id, dealership) = (id.clone(), shop.dealership_id.clone());
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().unwrap();
        conn.write(|tx| -> diesel::QueryResult<()> {
            for i in 0..6 {
                diesel::sql_query(
                    "INSERT INTO notifications (id, dealership_id, ro_id, dedupe_key, kind, \
                     recipient_kind, channel, to_address, body_text, language, context, routine, \
                     supersede_key, state, attempts, next_attempt_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 'promised_changed', 'customer', 'sms', $5, \
                     'Ready at noon', 'en', '{}', TRUE, 'promised_at', 'pending', 0, $6, $6, $6)",
                )
                .bind::<Text, _>(uuid::Uuid::now_v7().to_string())
                .bind::<Text, _>(&dealership)
                .bind::<Text, _>(&ro_id)
                .bind::<Text, _>(format!("copy:{i}"))
                .bind::<Text, _>(&phone)
                .bind::<Timestamp, _>(later)
                .execute(tx)?;
            }
            Ok(())
        })
        .unwrap();
    })
    .await
    .unwrap();
    let path = format!("/api/v1/repair-orders/{id}/promised-at");
    let body = json!({"promised_at": "2026-03-03T23:00:00Z", "reason": "The part comes at noon"});
    app.put(&path, &shop.advisor.token, &body).await.ok(200);
    let ns = app.notifications(&shop.advisor.token, &id).await;
    let changes = of(&ns, "promised_changed", "sms");
    assert_eq!(changes.len(), 7);
    let (old, new): (Vec<&&serde_json::Value>, Vec<_>) =
        changes.iter().partition(|n| n["body"] == "Ready at noon");
    assert_eq!(new.len(), 1);
    assert_ne!(new[0]["state"], "superseded");
    for n in old {
        assert_eq!(n["state"], "superseded", "{n}");
        let history = n["history"].as_array().unwrap();
        assert_eq!(history.len(), 1, "{n}");
        assert_eq!(history[0]["state"], "superseded");
        assert_eq!(history[0]["detail"], "a newer message replaced it");
    }
}

#[tokio::test]
async fn no_texts_without_consent_and_none_after_stop() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (_, advisor, _) = shop_with_number(&app).await;
    // No consent: email only.
    let mut no_consent = app.check_in_body();
    no_consent["customer"]["sms_consent"] = json!(false);
    let ro = app
        .post("/api/v1/repair-orders", &advisor.token, &no_consent)
        .await
        .ok(201)
        .clone();
    eventually("email sent", || async { smtp.mails().len() == 1 }).await;
    let ns = app
        .notifications(&advisor.token, ro["id"].as_str().unwrap())
        .await;
    assert!(of(&ns, "checked_in", "sms").is_empty() && twilio.texts().is_empty());
    // With consent, then STOP.
    let id = app.check_in_as(&advisor).await;
    eventually("text sent", || async { twilio.texts().len() == 1 }).await;
    let r = app
        .twilio_post(
            "/webhooks/twilio/inbound",
            &[
                ("MessageSid", "SM_in_1"),
                ("From", "+13125550142"),
                ("To", FROM),
                ("Body", "Stop"),
                ("NumMedia", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.text.contains("<Response/>"),
        "the carrier confirms STOP itself: {}",
        r.text
    );
    app.set_status(&advisor.token, &id, "in_progress").await;
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/status"),
            &advisor.token,
            &json!({"status": "waiting_parts"}),
        )
        .await;
    r.ok(200);
    eventually("waiting-parts message by email instead", || async {
        let ns = app.notifications(&advisor.token, &id).await;
        of(&ns, "waiting_parts", "email")
            .first()
            .is_some_and(|n| n["state"] == "sent")
    })
    .await;
    let ns = app.notifications(&advisor.token, &id).await;
    assert!(
        of(&ns, "waiting_parts", "sms").is_empty(),
        "no text after STOP: {ns:#?}"
    );
    assert_eq!(twilio.texts().len(), 1);
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &advisor.token,
        )
        .await;
    assert!(
        timeline.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "opted_out")
    );
    // START opts back in.
    app.twilio_post(
        "/webhooks/twilio/inbound",
        &[
            ("MessageSid", "SM_in_2"),
            ("From", "+13125550142"),
            ("To", FROM),
            ("Body", "START"),
        ],
    )
    .await;
    app.set_status(&advisor.token, &id, "in_progress")
        .await
        .ok(200);
    app.set_status(&advisor.token, &id, "waiting_parts")
        .await
        .ok(200);
    eventually("texts again", || async { twilio.texts().len() == 2 }).await;
}

#[tokio::test]
async fn a_text_that_said_stop_after_it_was_written_is_suppressed_and_emailed() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (_, advisor, _) = shop_with_number(&app).await;
    // Written at night, so it waits; STOP arrives before morning.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 4, 0, 0).unwrap());
    let id = app.check_in_as(&advisor).await;
    app.twilio_post(
        "/webhooks/twilio/inbound",
        &[
            ("MessageSid", "SM_stop"),
            ("From", "+13125550142"),
            ("To", FROM),
            ("Body", "please stop texting me"),
        ],
    )
    .await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap());
    app.app.outbox.wake();
    eventually("suppressed and emailed", || async {
        let ns = app.notifications(&advisor.token, &id).await;
        of(&ns, "checked_in", "sms")
            .first()
            .is_some_and(|n| n["state"] == "suppressed")
            && of(&ns, "checked_in", "email")
                .first()
                .is_some_and(|n| n["state"] == "sent")
    })
    .await;
    assert!(twilio.texts().is_empty());
}

#[tokio::test]
async fn a_reply_to_a_customer_who_just_wrote_goes_even_at_night() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (_, advisor, _) = shop_with_number(&app).await;
    let id = app.check_in_as(&advisor).await;
    eventually("check-in text", || async { twilio.texts().len() == 1 }).await;
    // 21:40 local: the customer writes; card numbers never stored.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 3, 40, 0).unwrap());
    let r = app
        .twilio_post(
            "/webhooks/twilio/inbound",
            &[
                ("MessageSid", "SM_q1"),
                ("From", "+13125550142"),
                ("To", FROM),
                ("Body", "Is it done? My card is 4111 1111 1111 1111"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &advisor.token,
        )
        .await;
    let inbound = &timeline.body["messages"][0];
    assert_eq!(
        inbound["body"],
        "Is it done? My card is **** **** **** 1111"
    );
    assert!(!timeline.text.contains("4111 1111 1111 1111"));
    // The advisor was told (no contact details here: recorded as suppressed).
    assert!(
        timeline.body["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "staff_customer_message")
    );
    app.clock.advance(Duration::minutes(10));
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/messages"),
            &advisor.token,
            &json!({"body": "Yes, ready at 8 tomorrow."}),
        )
        .await;
    assert_eq!(r.ok(201)["direction"], "outbound");
    app.app.outbox.wake();
    eventually("the reply went at once", || async {
        twilio.texts().len() == 2
    })
    .await;
    assert!(
        twilio.texts()[1]["Body"].contains("Ana, Lakeside: Yes, ready at 8 tomorrow."),
        "{:?}",
        twilio.texts()[1]
    );
    // A later message with no recent customer text waits for the morning.
    app.clock.advance(Duration::minutes(40));
    app.post(
        &format!("/api/v1/repair-orders/{id}/messages"),
        &advisor.token,
        &json!({"body": "See you soon."}),
    )
    .await
    .ok(201);
    let ns = app.notifications(&advisor.token, &id).await;
    let last = (*of(&ns, "reply", "sms").last().unwrap()).clone();
    assert_eq!(last["state"], "pending");
    assert_eq!(last["next_attempt_at"], "2026-03-03T14:00:00Z");
    // Bad input to the messages endpoint.
    app.post(
        &format!("/api/v1/repair-orders/{id}/messages"),
        &advisor.token,
        &json!({"body": " "}),
    )
    .await
    .problem(422, "validation");
    app.post(
        &format!("/api/v1/repair-orders/{id}/messages"),
        &advisor.token,
        &json!({"text": "hi"}),
    )
    .await
    .problem(422, "invalid-body");
}

/// A Spanish-speaking customer who answers in their own words is opted out
/// like one who sends STOP, and told so in Spanish (the carrier does not
/// know these words, so it sends no confirmation of its own). The words go
/// nowhere else: not to the advisor as a message.
#[tokio::test]
async fn stop_in_the_customers_own_words_and_language_is_honoured() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (_, advisor, _) = shop_with_number(&app).await;
    for (n, words) in [
        "PARAR",
        "baja por favor",
        "No más mensajes",
        "no me escriban",
        "Alto",
        "CANCELAR",
    ]
    .iter()
    .enumerate()
    {
        let phone = format!("+131255502{n:02}");
        let mut body = app.check_in_body();
        body["customer"]["phone"] = json!(phone);
        let id = app
            .post("/api/v1/repair-orders", &advisor.token, &body)
            .await
            .ok(201)["id"]
            .as_str()
            .unwrap()
            .to_owned();
        eventually("the check-in text", || async {
            twilio.texts().iter().any(|t| t["To"] == phone.as_str())
        })
        .await;
        let r = app
            .twilio_post(
                "/webhooks/twilio/inbound",
                &[
                    ("MessageSid", &format!("SM_es_{n}")),
                    ("From", &phone),
                    ("To", FROM),
                    ("Body", words),
                ],
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(
            r.text.contains("No le enviaremos más mensajes") && r.text.contains("START"),
            "{words}: {}",
            r.text
        );
        let timeline = app
            .get(
                &format!("/api/v1/repair-orders/{id}/timeline"),
                &advisor.token,
            )
            .await;
        let events = timeline.body["events"].as_array().unwrap();
        assert!(
            events.iter().any(|e| e["kind"] == "opted_out"),
            "{words}: opted out"
        );
        assert!(
            !events.iter().any(|e| e["kind"] == "customer_message"),
            "{words}: not a message for the advisor"
        );
        // No more texts: the next one is suppressed and goes by email.
        app.set_status(&advisor.token, &id, "in_progress")
            .await
            .ok(200);
        app.set_status(&advisor.token, &id, "waiting_parts")
            .await
            .ok(200);
        eventually("the waiting-parts message by email", || async {
            let ns = app.notifications(&advisor.token, &id).await;
            of(&ns, "waiting_parts", "email")
                .first()
                .is_some_and(|n| n["state"] == "sent")
        })
        .await;
        let ns = app.notifications(&advisor.token, &id).await;
        assert!(of(&ns, "waiting_parts", "sms").is_empty(), "{words}");
    }
    // A message that merely contains such a word is for the advisor.
    let phone = "+13125550299";
    let mut body = app.check_in_body();
    body["customer"]["phone"] = json!(phone);
    let id = app
        .post("/api/v1/repair-orders", &advisor.token, &body)
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .twilio_post(
            "/webhooks/twilio/inbound",
            &[
                ("MessageSid", "SM_es_window"),
                ("From", phone),
                ("To", FROM),
                ("Body", "La ventana baja sola cuando llueve"),
            ],
        )
        .await;
    assert!(r.text.contains("<Response/>"), "{}", r.text);
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &advisor.token,
        )
        .await;
    let events = timeline.body["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["kind"] == "customer_message"));
    assert!(!events.iter().any(|e| e["kind"] == "opted_out"));
}
