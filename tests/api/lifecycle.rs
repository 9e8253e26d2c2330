use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn from_check_in_to_pickup() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.work_complete(&shop).await;
    assert_eq!(ro["status"], "work_complete");
    app.clock_in(&shop.advisor).await.ok(200);
    let r = app
        .post(&ro_path(&ro, "ready"), &shop.advisor.token, &json!({}))
        .await;
    let ready = r.ok(200).clone();
    assert_eq!(ready["status"], "ready_for_pickup");
    assert_eq!(ready["handover"]["staff_id"], shop.advisor.id);
    assert_eq!(ready["handover"]["name"], "Ana Lopez");
    let handed = app.hand_over(&shop, &ready).await;
    assert_eq!(handed["concerns"][0]["outcome"], "fixed");
    assert!(handed["handover_recorded_at"].is_string());
    let r = app
        .post(
            &ro_path(&ro, "payments"),
            &shop.cashier.token,
            &json!({"amount_cents": 46_493, "method": "card_present"}),
        )
        .await;
    let paid = r.ok(201);
    assert_eq!(paid["balance_due_cents"], 0);
    assert_eq!(paid["payments"][0]["method"], "card_present");
    let r = app
        .post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await;
    let done = r.ok(200);
    assert_eq!(done["status"], "picked_up");
    assert!(done["closed_at"].is_string());
    assert_eq!(done["allowed_next"], json!([]));
    let timeline = app
        .get(&ro_path(&ro, "timeline"), &shop.advisor.token)
        .await;
    let kinds: Vec<&str> = timeline.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "checked_in",
            "estimate_sent",
            "decisions_recorded",
            "status_changed",
            "status_changed",
            "ready",
            "handover_recorded",
            "payment_recorded",
            "picked_up"
        ]
    );
    let last = &timeline.body["events"][8];
    assert_eq!(last["from_status"], "ready_for_pickup");
    assert_eq!(last["to_status"], "picked_up");
    assert_eq!(last["actor_id"], shop.cashier.id);
}

#[tokio::test]
async fn illegal_transitions_name_the_current_status_and_the_way_forward() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let before = app.fingerprint().await;
    let r = app
        .set_status(&shop.technician.token, id, "work_complete")
        .await;
    let p = r.problem(409, "illegal-transition");
    assert_eq!(p["current_status"], "checked_in");
    assert_eq!(
        p["allowed"],
        json!(["awaiting_approval", "in_progress", "cancelled"])
    );
    let r = app
        .set_status(&shop.technician.token, id, "waiting_parts")
        .await;
    r.problem(409, "illegal-transition");
    let r = app
        .post(&ro_path(&ro, "ready"), &shop.advisor.token, &json!({}))
        .await;
    assert_eq!(
        r.problem(409, "illegal-transition")["current_status"],
        "checked_in"
    );
    app.post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await
        .problem(409, "illegal-transition");
    // Statuses with their own endpoint, and nonsense, are input errors.
    for s in [
        "ready_for_pickup",
        "picked_up",
        "cancelled",
        "checked_in",
        "done",
    ] {
        app.set_status(&shop.technician.token, id, s)
            .await
            .problem(422, "validation");
    }
    assert_eq!(before, app.fingerprint().await);
    // Closed is closed.
    app.post(
        &ro_path(&ro, "cancel"),
        &shop.advisor.token,
        &json!({"reason": "Customer went elsewhere"}),
    )
    .await
    .ok(200);
    let r = app
        .set_status(&shop.technician.token, id, "in_progress")
        .await;
    let p = r.problem(409, "illegal-transition");
    assert_eq!(p["current_status"], "cancelled");
    assert_eq!(p["allowed"], json!([]));
    app.post(
        &ro_path(&ro, "cancel"),
        &shop.advisor.token,
        &json!({"reason": "again"}),
    )
    .await
    .problem(409, "illegal-transition");
}

#[tokio::test]
async fn waiting_for_parts_and_back() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app
        .approve_all(
            &shop,
            &app.estimate(&shop, &app.check_in(&shop).await).await,
        )
        .await;
    let id = ro["id"].as_str().unwrap();
    app.set_status(&shop.technician.token, id, "in_progress")
        .await
        .ok(200);
    let r = app
        .post(
            &ro_path(&ro, "status"),
            &shop.technician.token,
            &json!({"status": "waiting_parts", "note": "Pads arrive 10:00"}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "waiting_parts");
    app.set_status(&shop.technician.token, id, "work_complete")
        .await
        .problem(409, "illegal-transition");
    app.set_status(&shop.technician.token, id, "in_progress")
        .await
        .ok(200);
    app.set_status(&shop.cashier.token, id, "work_complete")
        .await
        .problem(403, "forbidden");
}

#[tokio::test]
async fn ready_needs_the_advisor_on_duty() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.work_complete(&shop).await;
    let before = app.fingerprint().await;
    let r = app
        .post(&ro_path(&ro, "ready"), &shop.advisor.token, &json!({}))
        .await;
    let p = r.problem(409, "nobody-to-hand-over");
    assert_eq!(p["candidates"][0]["staff_id"], shop.advisor.id);
    assert_eq!(p["candidates"][0]["name"], "Ana Lopez");
    assert!(
        p["candidates"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not clocked in")
    );
    assert_eq!(before, app.fingerprint().await);
    // Technicians and cashiers cannot mark ready.
    app.clock_in(&shop.advisor).await.ok(200);
    app.post(&ro_path(&ro, "ready"), &shop.technician.token, &json!({}))
        .await
        .problem(403, "forbidden");
    app.post(&ro_path(&ro, "ready"), &shop.cashier.token, &json!({}))
        .await
        .problem(403, "forbidden");
    app.post(
        &ro_path(&ro, "ready"),
        &shop.advisor.token,
        &json!({"when_available": "yes"}),
    )
    .await
    .problem(422, "invalid-body");
    app.post(&ro_path(&ro, "ready"), &shop.advisor.token, &json!({}))
        .await
        .ok(200);
}

#[tokio::test]
async fn ready_when_available_waits_for_the_advisor_to_clock_in() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.work_complete(&shop).await;
    let r = app
        .post(
            &ro_path(&ro, "ready"),
            &shop.advisor.token,
            &json!({"when_available": true}),
        )
        .await;
    let queued = r.ok(202).clone();
    assert_eq!(queued["status"], "work_complete");
    assert_eq!(queued["ready_when_available"], true);
    app.clock.advance(chrono::Duration::minutes(20));
    app.clock_in(&shop.advisor).await.ok(200);
    let got = app
        .get(
            &format!("/api/v1/repair-orders/{}", ro["id"].as_str().unwrap()),
            &shop.cashier.token,
        )
        .await;
    let ro_now = got.ok(200);
    assert_eq!(ro_now["status"], "ready_for_pickup");
    assert_eq!(ro_now["ready_when_available"], false);
    assert_eq!(ro_now["handover"]["name"], "Ana Lopez");
    let timeline = app
        .get(&ro_path(&ro, "timeline"), &shop.advisor.token)
        .await;
    let last = timeline.body["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "ready");
    assert_eq!(last["actor_kind"], "system");
    assert_eq!(last["at"], "2026-03-02T15:20:00Z");
}

#[tokio::test]
async fn clock_out_cannot_strand_a_ready_car() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let out = format!("/api/v1/staff/{}/clock-out", shop.advisor.id);
    let before = app.fingerprint().await;
    let r = app.post(&out, &shop.advisor.token, &json!({})).await;
    let p = r.problem(409, "handover-coverage");
    assert_eq!(p["repair_orders"][0]["id"], ro["id"]);
    // Only a manager may force it.
    app.post(&out, &shop.advisor.token, &json!({"force": true}))
        .await
        .problem(403, "forbidden");
    assert_eq!(before, app.fingerprint().await);
    let r = app
        .post(&out, &shop.manager.token, &json!({"force": true}))
        .await;
    assert_eq!(r.ok(200)["presence"]["state"], "off");
    let got = app
        .get(
            &format!("/api/v1/repair-orders/{}", ro["id"].as_str().unwrap()),
            &shop.advisor.token,
        )
        .await;
    let back = got.ok(200);
    assert_eq!(back["status"], "work_complete");
    assert_eq!(back["handover"], Value::Null);
    assert_eq!(
        back["ready_when_available"], true,
        "it waits for the next person"
    );
    // When the advisor returns, the car is ready again.
    app.clock_in(&shop.advisor).await.ok(200);
    let got = app
        .get(
            &format!("/api/v1/repair-orders/{}", ro["id"].as_str().unwrap()),
            &shop.advisor.token,
        )
        .await;
    assert_eq!(got.ok(200)["status"], "ready_for_pickup");
}
