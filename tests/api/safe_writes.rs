use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_stale_if_match_is_refused_never_merged() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let path = format!("/api/v1/repair-orders/{id}/promised-at");
    let later = (app.now() + chrono::Duration::hours(6)).to_rfc3339();
    let body = json!({"promised_at": later, "reason": "Waiting on a part"});
    let r = app
        .req(Method::PUT, &path, Some(&shop.advisor.token))
        .header("If-Match", "\"1\"")
        .json(&body)
        .send()
        .await;
    assert_eq!(r.ok(200)["version"], 2);
    assert_eq!(r.header("etag"), Some("\"2\""));
    let before = app.fingerprint().await;
    // A second advisor still holding version 1.
    let other = json!({"promised_at": (app.now() + chrono::Duration::hours(2)).to_rfc3339(), "reason": "Quick fix"});
    let r = app
        .req(Method::PUT, &path, Some(&shop.advisor.token))
        .header("If-Match", "\"1\"")
        .json(&other)
        .send()
        .await;
    assert_eq!(r.problem(412, "stale-version")["current_version"], 2);
    let r = app
        .req(
            Method::POST,
            &format!("/api/v1/repair-orders/{id}/status"),
            Some(&shop.technician.token),
        )
        .header("If-Match", "W/\"1\"")
        .json(&json!({"status": "in_progress"}))
        .send()
        .await;
    r.problem(412, "stale-version");
    let r = app
        .req(
            Method::POST,
            &format!("/api/v1/repair-orders/{id}/status"),
            Some(&shop.technician.token),
        )
        .header("If-Match", "yesterday")
        .json(&json!({"status": "in_progress"}))
        .send()
        .await;
    r.problem(400, "bad-header");
    assert_eq!(before, app.fingerprint().await);
    // The same time again changes nothing (PUT is idempotent).
    let r = app.put(&path, &shop.advisor.token, &body).await;
    assert_eq!(r.ok(200)["version"], 2);
    assert_eq!(before, app.fingerprint().await);
    // A time in the past or a missing reason are refused.
    let past = json!({"promised_at": (app.now() - chrono::Duration::minutes(1)).to_rfc3339(), "reason": "x"});
    app.put(&path, &shop.advisor.token, &past)
        .await
        .problem(422, "validation");
    app.put(&path, &shop.advisor.token, &json!({"promised_at": later}))
        .await
        .problem(422, "invalid-body");
    app.put(&path, &shop.technician.token, &body)
        .await
        .problem(403, "forbidden");
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &shop.advisor.token,
        )
        .await;
    let change = &timeline.body["events"][1];
    assert_eq!(change["kind"], "promised_at_changed");
    assert_eq!(change["detail"]["reason"], "Waiting on a part");
    assert_eq!(change["detail"]["from"], ro["promised_at"]);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let body = app.check_in_body();
    let first = app
        .req(
            Method::POST,
            "/api/v1/repair-orders",
            Some(&shop.advisor.token),
        )
        .idem("key-1")
        .json(&body)
        .send()
        .await;
    first.ok(201);
    let after_first = app.fingerprint().await;
    let again = app
        .req(
            Method::POST,
            "/api/v1/repair-orders",
            Some(&shop.advisor.token),
        )
        .idem("key-1")
        .json(&body)
        .send()
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        after_first,
        app.fingerprint().await,
        "nothing written twice"
    );
    // Same key, different body.
    let mut other = body.clone();
    other["concerns"] = json!(["Something else"]);
    let r = app
        .req(
            Method::POST,
            "/api/v1/repair-orders",
            Some(&shop.advisor.token),
        )
        .idem("key-1")
        .json(&other)
        .send()
        .await;
    r.problem(422, "idempotency-key-reused");
    // Keys belong to their caller: the same key from someone else is new.
    let mut body2 = body.clone();
    body2["advisor_id"] = json!(shop.advisor.id);
    let r = app
        .req(
            Method::POST,
            "/api/v1/repair-orders",
            Some(&shop.manager.token),
        )
        .idem("key-1")
        .json(&body2)
        .send()
        .await;
    assert_eq!(r.ok(201)["number"], 2);
    // Bad keys are refused.
    let r = app
        .req(
            Method::POST,
            "/api/v1/repair-orders",
            Some(&shop.advisor.token),
        )
        .idem(&"k".repeat(300))
        .json(&body)
        .send()
        .await;
    r.problem(400, "bad-header");
}

#[tokio::test]
async fn a_payment_retried_with_its_key_is_recorded_once() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let path = format!(
        "/api/v1/repair-orders/{}/payments",
        ro["id"].as_str().unwrap()
    );
    let body = json!({"amount_cents": 10_000, "method": "cash"});
    for _ in 0..3 {
        let r = app
            .req(Method::POST, &path, Some(&shop.cashier.token))
            .idem("pay-once")
            .json(&body)
            .send()
            .await;
        assert_eq!(r.ok(201)["balance_due_cents"], 36_493);
    }
    let got = app
        .get(
            &format!("/api/v1/repair-orders/{}", ro["id"].as_str().unwrap()),
            &shop.cashier.token,
        )
        .await;
    assert_eq!(got.ok(200)["payments"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_cashiers_confirming_pickup_at_once_exactly_one_succeeds() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let second_cashier = app
        .create_staff(&shop.dealership_id, "Dee", "cashier")
        .await;
    let ro = app.ready(&shop).await;
    app.hand_over(&shop, &ro).await;
    let id = ro["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/repair-orders/{id}/payments"),
        &shop.cashier.token,
        &json!({"amount_cents": 46_493, "method": "cash"}),
    )
    .await
    .ok(201);
    let path = format!("/api/v1/repair-orders/{id}/pickup");
    let empty = json!({});
    let (a, b) = tokio::join!(
        app.post(&path, &shop.cashier.token, &empty),
        app.post(&path, &second_cashier.token, &empty),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "a: {} b: {}", a.text, b.text);
    let loser = if a.status == 409 { &a } else { &b };
    assert_eq!(
        loser.problem(409, "illegal-transition")["current_status"],
        "picked_up"
    );
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &shop.cashier.token,
        )
        .await;
    let pickups = timeline.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "picked_up")
        .count();
    assert_eq!(pickups, 1);
}

#[tokio::test]
async fn concurrent_check_ins_get_distinct_sequential_numbers() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let body = app.check_in_body();
    let requests = (0..8).map(|_| app.post("/api/v1/repair-orders", &shop.advisor.token, &body));
    let mut numbers: Vec<i64> = futures_util::future::join_all(requests)
        .await
        .iter()
        .map(|r| r.ok(201)["number"].as_i64().unwrap())
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=8).collect::<Vec<_>>());
}

#[tokio::test]
async fn ready_racing_clock_out_never_leaves_a_ready_car_uncovered() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    for round in 0..6 {
        let ro = app.work_complete(&shop).await;
        app.clock_in(&shop.advisor).await.ok(200);
        let ready = format!("/api/v1/repair-orders/{}/ready", ro["id"].as_str().unwrap());
        let out = format!("/api/v1/staff/{}/clock-out", shop.advisor.id);
        let empty = json!({});
        let (r, o) = tokio::join!(
            app.post(&ready, &shop.advisor.token, &empty),
            app.post(&out, &shop.advisor.token, &empty),
        );
        let got = app
            .get(
                &format!("/api/v1/repair-orders/{}", ro["id"].as_str().unwrap()),
                &shop.advisor.token,
            )
            .await;
        let me = app.get("/api/v1/me", &shop.advisor.token).await;
        let status = got.body["status"].as_str().unwrap().to_owned();
        let on_duty = me.body["presence"]["state"] == "on_duty";
        match (r.status.as_u16(), o.status.as_u16()) {
            // Ready first: the clock-out sees the car and is refused.
            (200, 409) => assert!(status == "ready_for_pickup" && on_duty, "round {round}"),
            // Clock-out first: nobody is left, so ready is refused.
            (409, 200) => assert!(status == "work_complete" && !on_duty, "round {round}"),
            other => panic!("round {round}: {other:?}: {} / {}", r.text, o.text),
        }
        if on_duty {
            // Release the car so the advisor can clock out for the next round.
            app.set_status(
                &shop.advisor.token,
                ro["id"].as_str().unwrap(),
                "work_complete",
            )
            .await
            .ok(200);
            app.post(&out, &shop.advisor.token, &empty).await.ok(200);
        }
    }
}

#[tokio::test]
async fn many_writers_at_once_all_get_their_turn_without_waiting_on_a_timeout() {
    // A busy timeout of 1 ms: on SQLite a writer that had to poll for the
    // lock would fail. Writers queue in the process instead, so none does.
    let app = spawn_app_with(|s| s.database.sqlite_busy_timeout_ms = 1).await;
    let shop = app.shop().await;
    let mut paths = Vec::new();
    for _ in 0..4 {
        let ro = app.check_in(&shop).await;
        paths.push(format!(
            "/api/v1/repair-orders/{}/promised-at",
            ro["id"].as_str().unwrap()
        ));
    }
    let changes = (0..32).map(|i| {
        let body = json!({
            "promised_at": format!("2026-03-03T{:02}:{:02}:00Z", 17 + i / 16, i % 16),
            "reason": "The part comes on the afternoon truck"
        });
        let path = paths[i % paths.len()].clone();
        let token = shop.advisor.token.clone();
        let app = &app;
        async move { app.put(&path, &token, &body).await }
    });
    let answers = futures_util::future::join_all(changes).await;
    for answer in &answers {
        answer.ok(200);
    }
    for path in &paths {
        let id = path.split('/').nth(4).unwrap();
        let events = app
            .get(
                &format!("/api/v1/repair-orders/{id}/timeline"),
                &shop.advisor.token,
            )
            .await;
        let moved = events.ok(200)["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "promised_at_changed")
            .count();
        assert_eq!(moved, 8, "every change to {id} is on its timeline");
    }
}

#[tokio::test]
async fn a_change_does_not_wait_for_edits_to_its_dealership_customer_or_advisor() {
    // The write reads its dealership, customer and advisor in the statement
    // that locks the RO, and must lock only the RO: a manager saving settings
    // or a clock-in in progress must not hold up every order in the shop.
    let app = spawn_app().await;
    if app.app.db.backend() != handover::store::Backend::Postgres {
        return; // SQLite has no row locks: its writers take turns.
    }
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let (dealership, advisor) = (&shop.dealership_id, &shop.advisor.id);
    let holder = app
        .hold(&format!(
            "UPDATE dealerships SET name = name WHERE id = '{dealership}'; \
             UPDATE staff SET name = name WHERE id = '{advisor}'; \
             UPDATE customers SET name = name \
               WHERE id = (SELECT customer_id FROM repair_orders WHERE id = '{id}');"
        ))
        .await;
    let body = json!({
        "promised_at": "2026-03-03T18:00:00Z",
        "reason": "The part comes on the afternoon truck"
    });
    let path = format!("/api/v1/repair-orders/{id}/promised-at");
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app.put(&path, &shop.advisor.token, &body),
    )
    .await
    .expect("the change went through while the other rows were held");
    answer.ok(200);
    holder.end("ROLLBACK").await;
}
