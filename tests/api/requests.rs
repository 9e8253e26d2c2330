//! Colleagues asking each other: routed to whoever is there now, answered
//! in Handover or by a text from one's own phone, escalated to a manager
//! once at the due time, holding the car when blocking; only the asker,
//! the holder and managers see or act on a request.

use crate::doubles::*;
use crate::fixtures::Person;
use crate::helpers::*;
use chrono::Duration;
use serde_json::{Value, json};

/// A staff member with a mobile number (no invitation sent).
async fn with_phone(app: &TestApp, d: &str, name: &str, role: &str, phone: &str) -> Person {
    let r = app
        .post(
            &format!("/api/v1/dealerships/{d}/staff"),
            ADMIN_TOKEN,
            &json!({"name": name, "role": role, "phone": phone, "invite": false}),
        )
        .await;
    let body = r.ok(201);
    Person {
        id: body["id"].as_str().unwrap().into(),
        token: body["token"].as_str().unwrap().into(),
    }
}

fn texts_to(twilio: &TwilioMock, to: &str) -> Vec<String> {
    twilio
        .texts()
        .into_iter()
        .filter(|t| t["To"] == to)
        .map(|t| t["Body"].clone())
        .collect()
}

const CARLA: &str = "+13125550105";
const BEN: &str = "+13125550106";
const MARIA: &str = "+13125550104";

#[tokio::test]
async fn a_question_for_the_advisor_on_a_break_goes_to_her_delegate_who_answers_by_text() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (d, ana, _maria) = shop_with_number(&app).await;
    let carla = with_phone(&app, &d, "Carla Diaz", "cashier", CARLA).await;
    let ben = with_phone(&app, &d, "Ben Ortiz", "advisor", BEN).await;
    app.put(
        &format!("/api/v1/staff/{}/delegates", ana.id),
        &ana.token,
        &json!({"delegate_ids": [ben.id]}),
    )
    .await
    .ok(200);
    let ro = app.check_in_as(&ana).await;
    app.clock_in(&ana).await.ok(200);
    app.clock_in(&ben).await.ok(200);
    let until = (app.now() + Duration::minutes(20)).to_rfc3339();
    app.post(
        &format!("/api/v1/staff/{}/break", ana.id),
        &ana.token,
        &json!({"until": until}),
    )
    .await
    .ok(200);

    let r = app
        .post(
            "/api/v1/requests",
            &carla.token,
            &json!({"to_staff_id": ana.id, "ro_id": ro, "text": "Did Mrs. Garcia approve the rear rotors?"}),
        )
        .await;
    let asked = r.ok(201).clone();
    assert_eq!(asked["status"], "open");
    assert_eq!(asked["routed_to"]["staff_id"], ben.id.as_str());
    assert_eq!(asked["routed_to"]["name"], "Ben Ortiz");
    assert_eq!(asked["skipped"][0]["name"], "Ana Lopez");
    assert_eq!(asked["skipped"][0]["reason"], "on break until 09:20");
    // 09:00 local plus 120 business minutes.
    assert_eq!(asked["due_at"], "2026-03-02T17:00:00Z");
    eventually("Ben is texted", || async {
        !texts_to(&twilio, BEN).is_empty()
    })
    .await;
    let told = &texts_to(&twilio, BEN)[0];
    assert!(
        told.contains("Carla Diaz asks about order")
            && told.contains("rear rotors")
            && told.contains("reply to this text"),
        "{told}"
    );

    let answer = [
        ("MessageSid", "SMben1"),
        ("From", BEN),
        ("To", FROM),
        ("Body", "Only the pads."),
    ];
    let r = app.twilio_post("/webhooks/twilio/inbound", &answer).await;
    assert!(
        r.text.contains("your answer went to Carla Diaz"),
        "{}",
        r.text
    );
    // Twilio retries the webhook: answered once.
    app.twilio_post("/webhooks/twilio/inbound", &answer).await;
    eventually("Carla hears the answer", || async {
        !texts_to(&twilio, CARLA).is_empty()
    })
    .await;
    app.settle().await;
    let heard = texts_to(&twilio, CARLA);
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert!(
        heard[0].contains("Ben Ortiz answered your question")
            && heard[0].contains("Only the pads."),
        "{}",
        heard[0]
    );

    let open = app.get("/api/v1/requests?status=open", &carla.token).await;
    assert_eq!(open.ok(200)["requests"].as_array().unwrap().len(), 0);
    let mine = app
        .get(&format!("/api/v1/requests?ro_id={ro}"), &carla.token)
        .await;
    let mine = mine.ok(200)["requests"][0].clone();
    assert_eq!(mine["status"], "answered");
    assert_eq!(mine["answer"], "Only the pads.");
    assert_eq!(mine["answered_by"]["name"], "Ben Ortiz");
    let timeline = app
        .get(&format!("/api/v1/repair-orders/{ro}/timeline"), &ana.token)
        .await;
    let kinds: Vec<String> = timeline.ok(200)["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        kinds.contains(&"request_opened".into()) && kinds.contains(&"request_answered".into()),
        "{kinds:?}"
    );
    // Nothing left for Ben: a text from him goes nowhere, and says so.
    let r = app
        .twilio_post(
            "/webhooks/twilio/inbound",
            &[
                ("MessageSid", "SMben2"),
                ("From", BEN),
                ("To", FROM),
                ("Body", "Anything else?"),
            ],
        )
        .await;
    assert!(r.text.contains("no open question"), "{}", r.text);
}

#[tokio::test]
async fn with_nobody_here_it_waits_then_goes_to_a_manager_once_at_the_due_time() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (d, _ana, maria) = shop_with_number(&app).await;
    let carla = with_phone(&app, &d, "Carla Diaz", "cashier", CARLA).await;
    let r = app
        .post(
            "/api/v1/requests",
            &carla.token,
            &json!({"to_role": "advisor", "text": "Who has the keys to the blue Escape?"}),
        )
        .await;
    let asked = r.ok(201).clone();
    assert_eq!(asked["waiting"], true, "{asked}");
    assert_eq!(asked["routed_to"]["name"], "Ana Lopez");
    assert_eq!(asked["skipped"][0]["reason"], "not clocked in");
    let metrics = app.req(reqwest::Method::GET, "/metrics", None).send().await;
    assert!(
        metrics
            .text
            .contains("handover_requests_open{role=\"advisor\"} 1"),
        "{}",
        metrics.text
    );

    app.advance(Duration::minutes(119));
    app.settle().await;
    assert!(texts_to(&twilio, MARIA).is_empty(), "not before it is due");
    app.advance(Duration::minutes(2));
    eventually("the manager is texted", || async {
        !texts_to(&twilio, MARIA).is_empty()
    })
    .await;
    eventually("Carla is told", || async {
        texts_to(&twilio, CARLA)
            .iter()
            .any(|t| t.contains("has no answer after 2 hours"))
    })
    .await;
    let page = &texts_to(&twilio, MARIA)[0];
    assert!(
        page.contains("No answer after 2 hours") && page.contains("Carla Diaz asked Ana Lopez"),
        "{page}"
    );
    app.advance(Duration::hours(30));
    app.settle().await;
    assert_eq!(texts_to(&twilio, MARIA).len(), 1, "once");
    let id = asked["id"].as_str().unwrap();
    let shown = app
        .get(&format!("/api/v1/requests/{id}"), &maria.token)
        .await;
    assert!(shown.ok(200)["escalated_at"].is_string());

    // The report: everyone's service, visible to the manager.
    let report = app
        .get("/api/v1/reports/responsiveness", &maria.token)
        .await;
    let report = report.ok(200).clone();
    let advisors = report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "advisor")
        .unwrap()
        .clone();
    assert_eq!(advisors["received"], 1);
    assert_eq!(advisors["answered"], 0);
    assert_eq!(advisors["escalations"], 1);
    let carla_row = report["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Carla Diaz")
        .unwrap()
        .clone();
    assert_eq!(carla_row["asked"], 1);
    app.get("/api/v1/reports/responsiveness", &carla.token)
        .await
        .problem(403, "forbidden");
    app.get(
        "/api/v1/reports/responsiveness?from=yesterday",
        &maria.token,
    )
    .await
    .problem(422, "validation");
}

async fn ask(app: &TestApp, who: &Person, body: Value) -> Value {
    app.post("/api/v1/requests", &who.token, &body)
        .await
        .ok(201)
        .clone()
}

#[tokio::test]
async fn a_blocking_question_holds_the_car_until_it_is_answered() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.work_complete(&shop).await;
    let id = ro["id"].as_str().unwrap();
    app.clock_in(&shop.advisor).await.ok(200);
    let q = ask(&app, &shop.cashier, json!({"to_staff_id": shop.advisor.id, "ro_id": id, "text": "Is the loaner back?", "blocking": true})).await;
    let r = app
        .post(&ro_path(&ro, "ready"), &shop.advisor.token, &json!({}))
        .await;
    let p = r.problem(409, "open-request");
    assert_eq!(p["request_id"], q["id"]);
    assert_eq!(p["routed_to"]["name"], "Ana Lopez");
    assert!(
        p["detail"].as_str().unwrap().contains("Ana Lopez has it"),
        "{p}"
    );
    let qid = q["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/requests/{qid}/answer"),
        &shop.advisor.token,
        &json!({"text": "Yes, at 8:40."}),
    )
    .await
    .ok(200);
    app.post(&ro_path(&ro, "ready"), &shop.advisor.token, &json!({}))
        .await
        .ok(200);

    // Asked again once ready: pickup waits for the answer.
    app.post(
        &ro_path(&ro, "payments"),
        &shop.cashier.token,
        &json!({"amount_cents": 46493, "method": "cash"}),
    )
    .await
    .ok(201);
    app.hand_over(&shop, &ro).await;
    app.clock_in(&shop.manager).await.ok(200);
    let q = ask(&app, &shop.cashier, json!({"to_role": "manager", "ro_id": id, "text": "OK to waive the fee?", "blocking": true})).await;
    app.post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await
        .problem(409, "open-request");
    let qid = q["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/requests/{qid}/answer"),
        &shop.manager.token,
        &json!({"text": "Yes."}),
    )
    .await
    .ok(200);
    app.post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await
        .ok(200);
}

#[tokio::test]
async fn only_the_asker_the_holder_and_a_manager_see_or_act_on_a_request() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Another Motors").await;
    app.clock_in(&shop.advisor).await.ok(200);
    let q = ask(
        &app,
        &shop.cashier,
        json!({"to_staff_id": shop.advisor.id, "text": "Can you call Mr. Park back?"}),
    )
    .await;
    let id = q["id"].as_str().unwrap();
    let path = |what: &str| format!("/api/v1/requests/{id}/{what}");
    // Nobody else sees it.
    app.get(&format!("/api/v1/requests/{id}"), &shop.technician.token)
        .await
        .problem(404, "not-found");
    app.post(
        &path("answer"),
        &shop.technician.token,
        &json!({"text": "x"}),
    )
    .await
    .problem(404, "not-found");
    app.get(&format!("/api/v1/requests/{id}"), &other.manager.token)
        .await
        .problem(404, "not-found");
    let listed = app.get("/api/v1/requests", &shop.technician.token).await;
    assert_eq!(listed.ok(200)["requests"].as_array().unwrap().len(), 0);
    // The asker sees it but does not answer their own question.
    app.get(&format!("/api/v1/requests/{id}"), &shop.cashier.token)
        .await
        .ok(200);
    app.post(&path("answer"), &shop.cashier.token, &json!({"text": "x"}))
        .await
        .problem(403, "forbidden");
    // The holder acknowledges and passes it on, with a note.
    let r = app
        .post(&path("acknowledge"), &shop.advisor.token, &json!({}))
        .await;
    assert!(r.ok(200)["acknowledged_at"].is_string());
    let r = app
        .post(
            &path("hand-on"),
            &shop.advisor.token,
            &json!({"to_staff_id": shop.manager.id, "note": "He wants the manager."}),
        )
        .await;
    let handed = r.ok(200).clone();
    assert_eq!(handed["routed_to"]["name"], "Maria Chen");
    assert!(handed["acknowledged_at"].is_null());
    // Ana no longer has it.
    app.post(&path("answer"), &shop.advisor.token, &json!({"text": "x"}))
        .await
        .problem(404, "not-found");
    let open = app
        .get("/api/v1/requests?status=open", &shop.manager.token)
        .await;
    assert_eq!(open.ok(200)["requests"][0]["id"], id);
    app.post(
        &path("answer"),
        &shop.manager.token,
        &json!({"text": "Called him at 11."}),
    )
    .await
    .ok(200);
    app.post(
        &path("answer"),
        &shop.manager.token,
        &json!({"text": "Again"}),
    )
    .await
    .problem(409, "request-answered");
    app.post(&path("acknowledge"), &shop.manager.token, &json!({}))
        .await
        .problem(409, "request-answered");
}

#[tokio::test]
async fn bad_requests_are_refused_field_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Another Motors").await;
    let ro = app.check_in(&shop).await;
    let foreign = app.check_in(&other).await;
    let before = app.fingerprint().await;
    let me = &shop.cashier;
    let cases = [
        (json!({}), vec!["text", "to_staff_id"]),
        (
            json!({"to_staff_id": shop.advisor.id, "to_role": "advisor", "text": "x"}),
            vec!["to_role"],
        ),
        (json!({"to_role": "janitor", "text": "x"}), vec!["to_role"]),
        (
            json!({"to_staff_id": me.id, "text": "x"}),
            vec!["to_staff_id"],
        ),
        (
            json!({"to_role": "advisor", "text": "x", "blocking": true}),
            vec!["blocking"],
        ),
        (json!({"to_role": "advisor", "text": "   "}), vec!["text"]),
        (
            json!({"to_staff_id": other.advisor.id, "text": "x"}),
            vec!["to_staff_id"],
        ),
        (
            json!({"to_role": "advisor", "text": "x", "ro_id": foreign["id"]}),
            vec!["ro_id"],
        ),
    ];
    for (body, fields) in cases {
        let r = app.post("/api/v1/requests", &me.token, &body).await;
        r.problem(422, "validation");
        let mut got = r.fields();
        got.sort();
        assert_eq!(got, fields, "{body}");
    }
    app.get("/api/v1/requests?status=maybe", &me.token)
        .await
        .problem(422, "validation");
    app.post(
        "/api/v1/requests",
        "not-a-token",
        &json!({"to_role": "advisor", "text": "x"}),
    )
    .await
    .problem(401, "unauthenticated");
    assert_eq!(app.fingerprint().await, before);

    let q = ask(
        &app,
        me,
        json!({"to_role": "advisor", "text": "Loaner?", "ro_id": ro["id"]}),
    )
    .await;
    let id = q["id"].as_str().unwrap();
    let before = app.fingerprint().await;
    let r = app
        .post(
            &format!("/api/v1/requests/{id}/answer"),
            &shop.advisor.token,
            &json!({"text": ""}),
        )
        .await;
    assert_eq!(r.problem(422, "validation")["errors"][0]["field"], "text");
    let r = app
        .post(
            &format!("/api/v1/requests/{id}/hand-on"),
            &shop.advisor.token,
            &json!({}),
        )
        .await;
    assert_eq!(
        r.problem(422, "validation")["errors"][0]["field"],
        "to_staff_id"
    );
    let r = app
        .post(
            &format!("/api/v1/requests/{id}/hand-on"),
            &shop.advisor.token,
            &json!({"to_staff_id": other.manager.id}),
        )
        .await;
    assert_eq!(
        r.problem(422, "validation")["errors"][0]["field"],
        "to_staff_id"
    );
    assert_eq!(app.fingerprint().await, before);
}
