//! Twilio's webhooks: signatures, status callbacks, HELP, and a customer's
//! question nobody answers.

use crate::doubles::*;
use chrono::Duration;
use serde_json::json;

#[tokio::test]
async fn bad_or_missing_signatures_get_403_and_nothing_is_stored() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (_, advisor, _) = shop_with_number(&app).await;
    app.post(
        "/api/v1/repair-orders",
        &advisor.token,
        &app.check_in_body(),
    )
    .await
    .ok(201);
    let before = app.fingerprint().await;
    let params = [
        ("MessageSid", "SM_x"),
        ("From", "+13125550142"),
        ("To", FROM),
        ("Body", "STOP"),
    ];
    let (good, body) = app.twilio_signed("/webhooks/twilio/inbound", &params);
    for signature in [None, Some("AAAA"), Some(&good[..good.len() - 2])] {
        let mut req = app
            .req(reqwest::Method::POST, "/webhooks/twilio/inbound", None)
            .raw("application/x-www-form-urlencoded", body.clone());
        if let Some(s) = signature {
            req = req.header("X-Twilio-Signature", s);
        }
        req.send().await.problem(403, "bad-signature");
    }
    // Signed for another URL, or with a changed body.
    let (other, _) = app.twilio_signed("/webhooks/twilio/status", &params);
    app.req(reqwest::Method::POST, "/webhooks/twilio/inbound", None)
        .header("X-Twilio-Signature", &other)
        .raw("application/x-www-form-urlencoded", body.clone())
        .send()
        .await
        .problem(403, "bad-signature");
    app.req(reqwest::Method::POST, "/webhooks/twilio/inbound", None)
        .header("X-Twilio-Signature", &good)
        .raw(
            "application/x-www-form-urlencoded",
            body.replace("STOP", "START"),
        )
        .send()
        .await
        .problem(403, "bad-signature");
    let (sig, status_body) = app.twilio_signed(
        "/webhooks/twilio/status",
        &[("MessageSid", "SM1"), ("MessageStatus", "delivered")],
    );
    app.req(reqwest::Method::POST, "/webhooks/twilio/status", None)
        .header("X-Twilio-Signature", &format!("x{sig}"))
        .raw("application/x-www-form-urlencoded", status_body)
        .send()
        .await
        .problem(403, "bad-signature");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn out_of_order_callbacks_never_move_a_message_back() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (_, advisor, _) = shop_with_number(&app).await;
    let id = app.check_in_as(&advisor).await;
    eventually("sent", || async {
        let ns = app.notifications(&advisor.token, &id).await;
        ns.iter()
            .any(|n| n["channel"] == "sms" && n["state"] == "sent")
    })
    .await;
    let ns = app.notifications(&advisor.token, &id).await;
    let sid = ns.iter().find(|n| n["channel"] == "sms").unwrap()["provider_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for status in ["delivered", "sent", "queued"] {
        let r = app
            .twilio_post(
                "/webhooks/twilio/status",
                &[
                    ("MessageSid", &sid),
                    ("MessageStatus", status),
                    ("AccountSid", SID),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let ns = app.notifications(&advisor.token, &id).await;
    let sms = ns.iter().find(|n| n["channel"] == "sms").unwrap();
    assert_eq!(sms["state"], "delivered");
    assert_eq!(sms["provider_status"], "delivered");
    let delivered_steps = sms["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["state"] == "delivered")
        .count();
    assert_eq!(delivered_steps, 1);
    // A callback for a message we do not know yet is kept, not lost.
    let r = app
        .twilio_post(
            "/webhooks/twilio/status",
            &[("MessageSid", "SMunknown"), ("MessageStatus", "delivered")],
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_callback_that_beats_the_workers_record_is_applied_later() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app_with(&twilio, &smtp, |s| s.worker.enabled = false).await;
    let (_, advisor, _) = shop_with_number(&app).await;
    let ro = app
        .post(
            "/api/v1/repair-orders",
            &advisor.token,
            &app.check_in_body(),
        )
        .await
        .ok(201)
        .clone();
    let claimed = app.app.claim_notifications(10).await.unwrap();
    let sms = claimed
        .into_iter()
        .find(|c| c.envelope.channel.as_str() == "sms")
        .unwrap();
    // Twilio's "delivered" arrives before the worker records the send.
    app.twilio_post(
        "/webhooks/twilio/status",
        &[("MessageSid", "SMearly"), ("MessageStatus", "delivered")],
    )
    .await;
    let accepted = handover::app::Accepted {
        provider_id: "SMearly".into(),
        status: "queued".into(),
        delivered: false,
    };
    app.app
        .deliveries_accepted(vec![(sms, accepted)])
        .await
        .unwrap();
    let ns = app
        .notifications(&advisor.token, ro["id"].as_str().unwrap())
        .await;
    assert_eq!(
        ns.iter().find(|n| n["channel"] == "sms").unwrap()["state"],
        "delivered"
    );
}

#[tokio::test]
async fn help_gets_the_dealerships_name_and_phone() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (_, advisor, _) = shop_with_number(&app).await;
    app.post(
        "/api/v1/repair-orders",
        &advisor.token,
        &app.check_in_body(),
    )
    .await
    .ok(201);
    let r = app
        .twilio_post(
            "/webhooks/twilio/inbound",
            &[
                ("MessageSid", "SMh"),
                ("From", "+13125550142"),
                ("To", FROM),
                ("Body", "HELP"),
            ],
        )
        .await;
    assert_eq!(r.header("content-type"), Some("text/xml"));
    assert!(
        r.text
            .contains("<Message>Lakeside, servicio: +13125550100.")
            && r.text.contains("BAJA"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn an_unanswered_question_goes_to_the_manager_once() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (_, advisor, manager) = shop_with_number(&app).await;
    let id = app.check_in_as(&advisor).await;
    // 10:00 local.
    app.advance(Duration::hours(1));
    let params = [
        ("MessageSid", "SMq"),
        ("From", "+13125550142"),
        ("To", FROM),
        ("Body", "Is my car done?"),
    ];
    app.twilio_post("/webhooks/twilio/inbound", &params).await;
    // Twilio retries the webhook: stored once.
    app.twilio_post("/webhooks/twilio/inbound", &params).await;
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &advisor.token,
        )
        .await;
    assert_eq!(timeline.body["messages"].as_array().unwrap().len(), 1);
    // 3 h 59 min later (240 business minutes is 14:00): nothing yet.
    app.advance(Duration::minutes(239));
    app.settle().await;
    assert!(!twilio.texts().iter().any(|t| t["To"] == "+13125550104"));
    app.advance(Duration::minutes(2));
    eventually("the manager is texted", || async {
        twilio.texts().iter().any(|t| t["To"] == "+13125550104")
    })
    .await;
    let page = twilio
        .texts()
        .into_iter()
        .find(|t| t["To"] == "+13125550104")
        .unwrap();
    assert!(
        page["Body"].contains("Is my car done?") && page["Body"].contains("4 hour"),
        "{}",
        page["Body"]
    );
    app.advance(Duration::hours(30));
    app.settle().await;
    assert_eq!(
        twilio
            .texts()
            .iter()
            .filter(|t| t["To"] == "+13125550104")
            .count(),
        1,
        "once"
    );
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &manager.token,
        )
        .await;
    assert!(
        timeline.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "escalated")
    );

    // Answered in time: no escalation.
    app.twilio_post(
        "/webhooks/twilio/inbound",
        &[
            ("MessageSid", "SMq2"),
            ("From", "+13125550142"),
            ("To", FROM),
            ("Body", "And now?"),
        ],
    )
    .await;
    app.post(
        &format!("/api/v1/repair-orders/{id}/messages"),
        &advisor.token,
        &json!({"body": "Tomorrow morning."}),
    )
    .await
    .ok(201);
    app.advance(Duration::hours(30));
    app.settle().await;
    assert_eq!(
        twilio
            .texts()
            .iter()
            .filter(|t| t["To"] == "+13125550104")
            .count(),
        1
    );
}
