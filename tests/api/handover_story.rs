//! The story Handover exists for, on the injected clock: the advisor's shift
//! ends at 17:00; at 16:50 ready is refused; a delegate on until 19:00 makes
//! it yes and the text names the delegate; the advisor cannot clock out on
//! three ready cars with no delegate; when the delegate's shift ends with cars
//! still waiting, the customers are told when pickup is next possible.

use crate::doubles::eventually;
use crate::fixtures::*;
use crate::helpers::*;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

/// Monday 2 March 2026 at hh:mm in Chicago (CST, UTC−6).
fn monday(h: i64, m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap() + chrono::Duration::minutes(h * 60 + m)
}

pub async fn set_schedule(app: &TestApp, who: &Person, by: &str, weekly: Value) {
    app.put(
        &format!("/api/v1/staff/{}/schedule", who.id),
        by,
        &json!({ "weekly": weekly }),
    )
    .await
    .ok(200);
}

async fn texts_to_customer(app: &TestApp, token: &str, ro: &str, kind: &str) -> Vec<String> {
    app.notifications(token, ro)
        .await
        .iter()
        .filter(|n| n["kind"] == kind && n["recipient"] == "customer" && n["channel"] == "sms")
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn ready_in_english(app: &TestApp, shop: &Shop) -> String {
    let mut body = app.check_in_body();
    body["customer"]["language"] = json!("en");
    let ro = app
        .post("/api/v1/repair-orders", &shop.advisor.token, &body)
        .await
        .ok(201)
        .clone();
    let ro = app.approve_all(shop, &app.estimate(shop, &ro).await).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    app.set_status(&shop.technician.token, &id, "in_progress")
        .await
        .ok(200);
    app.set_status(&shop.technician.token, &id, "work_complete")
        .await
        .ok(200);
    id
}

async fn status_of(app: &TestApp, token: &str, id: &str) -> Value {
    app.get(&format!("/api/v1/repair-orders/{id}"), token)
        .await
        .ok(200)
        .clone()
}

#[tokio::test]
async fn nobody_is_sent_to_pick_up_a_car_nobody_can_hand_over() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let luis = app
        .create_staff(&shop.dealership_id, "Luis Ortega", "advisor")
        .await;
    let ana = &shop.advisor;
    set_schedule(&app, ana, &shop.manager.token, json!([{"weekday": "mon", "start": "08:00", "end": "17:00"}, {"weekday": "tue", "start": "08:00", "end": "17:00"}])).await;
    set_schedule(
        &app,
        &luis,
        &shop.manager.token,
        json!([{"weekday": "mon", "start": "11:00", "end": "19:00"}]),
    )
    .await;

    // 10:00: Ana is in and makes three cars ready; they are hers until 17:00.
    app.clock.set(monday(10, 0));
    app.clock_in(ana).await.ok(200);
    let mut morning = Vec::new();
    for _ in 0..3 {
        let id = ready_in_english(&app, &shop).await;
        let r = app
            .post(
                &format!("/api/v1/repair-orders/{id}/ready"),
                &ana.token,
                &json!({}),
            )
            .await;
        assert_eq!(r.ok(200)["handover"]["until"], "2026-03-02T23:00:00Z");
        morning.push(id);
    }
    // With no delegate, Ana cannot clock out on them.
    let before = app.fingerprint().await;
    let r = app
        .post(
            &format!("/api/v1/staff/{}/clock-out", ana.id),
            &ana.token,
            &json!({}),
        )
        .await;
    let p = r.problem(409, "handover-coverage");
    assert_eq!(p["repair_orders"].as_array().unwrap().len(), 3);
    assert_eq!(before, app.fingerprint().await);

    // 16:50: a fourth car is done, but Ana leaves in ten minutes.
    app.clock.set(monday(16, 50));
    let late = ready_in_english(&app, &shop).await;
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{late}/ready"),
            &ana.token,
            &json!({}),
        )
        .await;
    let p = r.problem(409, "nobody-to-hand-over");
    assert_eq!(p["candidates"][0]["name"], "Ana Lopez");
    assert_eq!(
        p["candidates"][0]["reason"],
        "on duty only until 17:00 (a handover needs 30 minutes)"
    );
    assert_eq!(
        p["next_available_at"], "2026-03-03T14:00:00Z",
        "Tuesday 08:00"
    );

    // Ana names Luis, who is in until 19:00: now it is ready, in his name.
    app.put(
        &format!("/api/v1/staff/{}/delegates", ana.id),
        &ana.token,
        &json!({"delegate_ids": [luis.id]}),
    )
    .await
    .ok(200);
    app.clock_in(&luis).await.ok(200);
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{late}/ready"),
            &ana.token,
            &json!({}),
        )
        .await;
    let ready = r.ok(200);
    assert_eq!(ready["handover"]["name"], "Luis Ortega");
    assert_eq!(ready["handover"]["until"], "2026-03-03T01:00:00Z");
    let text = &texts_to_customer(&app, &ana.token, &late, "ready").await[0];
    assert!(
        text.contains("Luis will hand it over, until 7:00 PM today"),
        "{text}"
    );

    // 17:00: Ana's shift ends; her three cars pass to Luis, and their
    // customers hear the new name before they set out.
    app.clock.set(monday(17, 0));
    app.app.outbox.wake();
    for id in &morning {
        eventually("the car passes to Luis", || async {
            status_of(&app, &ana.token, id).await["handover"]["name"] == "Luis Ortega"
        })
        .await;
        let changed = texts_to_customer(&app, &ana.token, id, "handover_changed").await;
        assert!(
            changed[0].contains("Luis will hand it over, until 7:00 PM today"),
            "{changed:?}"
        );
    }
    // Now nothing depends on Ana: she clocks out.
    app.post(
        &format!("/api/v1/staff/{}/clock-out", ana.id),
        &ana.token,
        &json!({}),
    )
    .await
    .ok(200);

    // 19:00: Luis's shift ends with the cars still waiting. Nobody is left:
    // they go back to work_complete and the customers learn when to come.
    app.clock.set(monday(19, 0));
    app.app.outbox.wake();
    for id in morning.iter().chain([&late]) {
        eventually("back to waiting", || async {
            status_of(&app, &ana.token, id).await["status"] == "work_complete"
        })
        .await;
        let ro = status_of(&app, &ana.token, id).await;
        assert_eq!(ro["ready_when_available"], true);
        assert_eq!(ro["handover"], Value::Null);
        let later = texts_to_customer(&app, &ana.token, id, "pickup_later").await;
        assert!(
            later[0].contains("You can pick it up from tomorrow at 8:00 AM"),
            "{later:?}"
        );
        assert!(later[0].contains("don't come before"), "{later:?}");
    }

    // Tuesday 08:00: Ana clocks in; the cars are ready again, in her name.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap());
    app.clock_in(ana).await.ok(200);
    for id in morning.iter().chain([&late]) {
        let ro = status_of(&app, &ana.token, id).await;
        assert_eq!(ro["status"], "ready_for_pickup");
        assert_eq!(ro["handover"]["name"], "Ana Lopez");
    }
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{late}/timeline"),
            &ana.token,
        )
        .await;
    let kinds: Vec<&str> = timeline.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.ends_with(&["ready", "coverage_lost", "ready"]),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn at_the_counter_the_handover_person_is_paged_or_the_next_one_who_is_there() {
    let app = spawn_app_with(|s| s.worker.enabled = false).await;
    let shop = app.shop().await;
    let luis = app
        .create_staff(&shop.dealership_id, "Luis Ortega", "advisor")
        .await;
    let ana = &shop.advisor;
    set_schedule(
        &app,
        ana,
        &ana.token,
        json!([{"weekday": "mon", "start": "08:00", "end": "17:00"}]),
    )
    .await;
    set_schedule(
        &app,
        &luis,
        &luis.token,
        json!([{"weekday": "mon", "start": "11:00", "end": "19:00"}]),
    )
    .await;
    app.put(
        &format!("/api/v1/staff/{}/delegates", ana.id),
        &shop.manager.token,
        &json!({"delegate_ids": [luis.id]}),
    )
    .await
    .ok(200);
    app.clock.set(monday(10, 0));
    app.clock_in(ana).await.ok(200);
    let id = ready_in_english(&app, &shop).await;
    app.post(
        &format!("/api/v1/repair-orders/{id}/ready"),
        &ana.token,
        &json!({}),
    )
    .await
    .ok(200);
    let path = format!("/api/v1/repair-orders/{id}/arrived");
    let r = app.post(&path, &shop.cashier.token, &json!({})).await;
    assert_eq!(r.ok(200)["paged"]["name"], "Ana Lopez");
    app.post(&path, &ana.token, &json!({}))
        .await
        .problem(403, "forbidden");
    // 17:00, before the end-of-shift job has run: Ana is gone; Luis is paged.
    app.clock.set(monday(17, 0));
    app.clock_in(&luis).await.ok(200);
    let r = app.post(&path, &shop.cashier.token, &json!({})).await;
    let body = r.ok(200);
    assert_eq!(body["paged"]["name"], "Luis Ortega");
    assert_eq!(body["skipped"][0]["name"], "Ana Lopez");
    assert_eq!(
        body["skipped"][0]["reason"],
        "off since 17:00 (end of shift)"
    );
    let timeline = app
        .get(&format!("/api/v1/repair-orders/{id}/timeline"), &ana.token)
        .await;
    let last = timeline.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"] == "customer_arrived")
        .unwrap()
        .clone();
    assert_eq!(last["detail"]["paged"]["name"], "Luis Ortega");
    assert_eq!(
        last["detail"]["skipped"][0]["reason"],
        "off since 17:00 (end of shift)"
    );
    let pages: Vec<Value> = timeline.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "staff_customer_arrived")
        .cloned()
        .collect();
    assert_eq!(pages.len(), 2);
    let not_ready = app.check_in(&shop).await;
    app.post(
        &format!(
            "/api/v1/repair-orders/{}/arrived",
            not_ready["id"].as_str().unwrap()
        ),
        &shop.cashier.token,
        &json!({}),
    )
    .await
    .problem(409, "not-ready");
}

#[tokio::test]
async fn ready_when_available_tells_the_customer_when_to_come() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ana = &shop.advisor;
    set_schedule(
        &app,
        ana,
        &ana.token,
        json!([{"weekday": "tue", "start": "08:00", "end": "17:00"}]),
    )
    .await;
    app.clock.set(monday(18, 0));
    let id = ready_in_english(&app, &shop).await;
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/ready"),
            &ana.token,
            &json!({"when_available": true}),
        )
        .await;
    assert_eq!(r.ok(202)["ready_when_available"], true);
    let later = texts_to_customer(&app, &ana.token, &id, "pickup_later").await;
    assert!(later[0].contains("from tomorrow at 8:00 AM"), "{later:?}");
    // Tuesday 08:00: she is in (she never clocked out) — the scheduled
    // promotion makes it ready without anyone calling the API.
    app.clock_in(ana).await.ok(200);
    let ro = status_of(&app, &ana.token, &id).await;
    assert_eq!(
        ro["status"], "work_complete",
        "clocked in, but not on shift on Monday evening"
    );
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 14, 0, 0).unwrap());
    app.app.outbox.wake();
    eventually("promoted at 08:00", || async {
        status_of(&app, &ana.token, &id).await["status"] == "ready_for_pickup"
    })
    .await;
}
