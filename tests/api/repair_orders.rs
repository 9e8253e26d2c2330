use crate::fixtures::*;
use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn check_in_creates_a_numbered_ro_with_the_customers_words() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let r = app
        .post(
            "/api/v1/repair-orders",
            &shop.advisor.token,
            &app.check_in_body(),
        )
        .await;
    let ro = r.ok(201).clone();
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/repair-orders/{}", ro["id"].as_str().unwrap()).as_str())
    );
    assert_eq!(ro["number"], 1);
    assert_eq!(ro["status"], "checked_in");
    assert_eq!(ro["version"], 1);
    assert_eq!(ro["advisor_id"], shop.advisor.id);
    assert_eq!(ro["customer"]["phone"], "+13125550142");
    assert_eq!(ro["customer"]["language"], "es");
    assert_eq!(ro["customer"]["sms_consent"]["method"], "in_person");
    assert_eq!(
        ro["customer"]["sms_consent"]["given_at"],
        "2026-03-02T15:00:00Z"
    );
    assert_eq!(ro["vehicle"]["vin"], "1HGCM82633A004352");
    assert_eq!(
        ro["concerns"][0]["description"],
        "Brakes squeal when stopping"
    );
    assert_eq!(ro["concerns"][1]["outcome"], Value::Null);
    assert_eq!(ro["promised_at"], "2026-03-02T19:00:00Z");
    assert_eq!(ro["balance_due_cents"], 0);
    assert_eq!(ro["handover"], Value::Null);
    assert_eq!(
        ro["allowed_next"],
        json!(["awaiting_approval", "in_progress", "cancelled"])
    );
    let second = app.check_in(&shop).await;
    assert_eq!(second["number"], 2);
    let got = app
        .get(
            &format!("/api/v1/repair-orders/{}", ro["id"].as_str().unwrap()),
            &shop.cashier.token,
        )
        .await;
    assert_eq!(got.ok(200)["number"], 1);
    assert_eq!(got.header("etag"), Some("\"1\""));
    let timeline = app
        .get(
            &format!(
                "/api/v1/repair-orders/{}/timeline",
                ro["id"].as_str().unwrap()
            ),
            &shop.technician.token,
        )
        .await;
    let events = timeline.ok(200)["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "checked_in");
    assert_eq!(events[0]["actor_name"], "Ana Lopez");
}

#[tokio::test]
async fn numbers_are_per_dealership_and_can_start_anywhere() {
    let app = spawn_app().await;
    let a = app.shop_named("A").await;
    let mut body = dealership_body("B");
    body["first_ro_number"] = json!(50_000);
    let b_id = app
        .post("/api/v1/dealerships", ADMIN_TOKEN, &body)
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_advisor = app.create_staff(&b_id, "Bo", "advisor").await;
    assert_eq!(app.check_in(&a).await["number"], 1);
    let r = app
        .post(
            "/api/v1/repair-orders",
            &b_advisor.token,
            &app.check_in_body(),
        )
        .await;
    assert_eq!(r.ok(201)["number"], 50_000);
    assert_eq!(app.check_in(&a).await["number"], 2);
}

#[tokio::test]
async fn invalid_check_ins_are_refused_field_by_field() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let before = app.fingerprint().await;
    let past = (app.now() - chrono::Duration::hours(1)).to_rfc3339();
    let far = (app.now() + chrono::Duration::days(400)).to_rfc3339();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/customer/phone", json!("555-01"), "customer.phone"),
        (
            "/customer/phone",
            json!("+1 (555) 010-9999"),
            "customer.phone",
        ),
        (
            "/customer/email",
            json!("maria@@example.com"),
            "customer.email",
        ),
        ("/customer/language", json!("fr"), "customer.language"),
        ("/customer/name", json!(""), "customer.name"),
        (
            "/customer/sms_consent",
            json!({"method": "pigeon"}),
            "customer.sms_consent.method",
        ),
        ("/vehicle/vin", json!("1HGCM82633A004353"), "vehicle.vin"),
        ("/vehicle/vin", json!("1HGCM82633AO04352"), "vehicle.vin"),
        ("/vehicle/vin", json!("123"), "vehicle.vin"),
        ("/vehicle/year", json!(1850), "vehicle.year"),
        ("/vehicle/mileage", json!(-5), "vehicle.mileage"),
        ("/concerns", json!([]), "concerns"),
        ("/concerns", json!(["ok", " "]), "concerns[1]"),
        ("/promised_at", json!(past), "promised_at"),
        ("/promised_at", json!(far), "promised_at"),
    ];
    for (pointer, value, field) in cases {
        let mut body = app.check_in_body();
        *body.pointer_mut(pointer).unwrap() = value.clone();
        let r = app
            .post("/api/v1/repair-orders", &shop.advisor.token, &body)
            .await;
        r.problem(422, "validation");
        assert!(
            r.fields().contains(&field.to_owned()),
            "{pointer}={value}: {}",
            r.text
        );
    }
    // No way to reach the customer.
    let mut body = app.check_in_body();
    body["customer"] = json!({"name": "Nobody"});
    let r = app
        .post("/api/v1/repair-orders", &shop.advisor.token, &body)
        .await;
    assert_eq!(
        r.problem(422, "validation")["errors"][0]["field"],
        "customer"
    );
    // Consent to texts without a phone.
    let mut body = app.check_in_body();
    body["customer"].as_object_mut().unwrap().remove("phone");
    let r = app
        .post("/api/v1/repair-orders", &shop.advisor.token, &body)
        .await;
    assert_eq!(
        r.problem(422, "validation")["errors"][0]["field"],
        "customer.sms_consent"
    );
    // Shape errors.
    let mut body = app.check_in_body();
    body["promised_at"] = json!("tomorrow-ish");
    let r = app
        .post("/api/v1/repair-orders", &shop.advisor.token, &body)
        .await;
    assert_eq!(
        r.problem(422, "invalid-body")["errors"][0]["field"],
        "promised_at"
    );
    let mut body = app.check_in_body();
    body["vehicle"]["color"] = json!("blue");
    let r = app
        .post("/api/v1/repair-orders", &shop.advisor.token, &body)
        .await;
    assert!(
        r.problem(422, "invalid-body")["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("vehicle")
    );
    let mut body = app.check_in_body();
    body["advisor_id"] = json!(42);
    app.post("/api/v1/repair-orders", &shop.advisor.token, &body)
        .await
        .problem(422, "invalid-body");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn only_advisors_and_managers_check_in_and_the_advisor_must_be_theirs() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Other").await;
    let before = app.fingerprint().await;
    for person in [&shop.technician, &shop.cashier] {
        app.post("/api/v1/repair-orders", &person.token, &app.check_in_body())
            .await
            .problem(403, "forbidden");
    }
    // A manager must name the advisor.
    let r = app
        .post(
            "/api/v1/repair-orders",
            &shop.manager.token,
            &app.check_in_body(),
        )
        .await;
    assert_eq!(
        r.problem(422, "validation")["errors"][0]["field"],
        "advisor_id"
    );
    for bad in [&other.advisor.id, &shop.cashier.id] {
        let mut body = app.check_in_body();
        body["advisor_id"] = json!(bad);
        let r = app
            .post("/api/v1/repair-orders", &shop.manager.token, &body)
            .await;
        assert_eq!(
            r.problem(422, "validation")["errors"][0]["field"],
            "advisor_id"
        );
    }
    assert_eq!(before, app.fingerprint().await);
    let mut body = app.check_in_body();
    body["advisor_id"] = json!(shop.advisor.id);
    let r = app
        .post("/api/v1/repair-orders", &shop.manager.token, &body)
        .await;
    assert_eq!(r.ok(201)["advisor_id"], shop.advisor.id);
}

#[tokio::test]
async fn another_dealerships_ro_does_not_exist() {
    let app = spawn_app().await;
    let ours = app.shop_named("Ours").await;
    let theirs = app.shop_named("Theirs").await;
    let ro = app.check_in(&theirs).await;
    let id = ro["id"].as_str().unwrap();
    let before = app.fingerprint().await;
    app.get(&format!("/api/v1/repair-orders/{id}"), &ours.advisor.token)
        .await
        .problem(404, "not-found");
    app.get(
        &format!("/api/v1/repair-orders/{id}/timeline"),
        &ours.advisor.token,
    )
    .await
    .problem(404, "not-found");
    app.set_status(&ours.technician.token, id, "in_progress")
        .await
        .problem(404, "not-found");
    app.post(
        &format!("/api/v1/repair-orders/{id}/cancel"),
        &ours.advisor.token,
        &json!({"reason": "mine now"}),
    )
    .await
    .problem(404, "not-found");
    app.post(
        &format!("/api/v1/repair-orders/{id}/payments"),
        &ours.cashier.token,
        &json!({"amount_cents": 100, "method": "cash"}),
    )
    .await
    .problem(404, "not-found");
    let list = app.get("/api/v1/repair-orders", &ours.advisor.token).await;
    assert_eq!(list.ok(200)["items"], json!([]));
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn lists_filter_and_page_newest_first() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    for _ in 0..5 {
        app.check_in(&shop).await;
    }
    let first = app
        .get("/api/v1/repair-orders?limit=2", &shop.cashier.token)
        .await;
    let page = first.ok(200).clone();
    let numbers: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![5, 4]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = app
        .get(
            &format!("/api/v1/repair-orders?limit=2&cursor={cursor}"),
            &shop.cashier.token,
        )
        .await;
    let numbers: Vec<i64> = next.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![3, 2]);
    let all = app
        .get(
            "/api/v1/repair-orders?status=checked_in",
            &shop.cashier.token,
        )
        .await;
    assert_eq!(all.ok(200)["items"].as_array().unwrap().len(), 5);
    assert!(all.body["next_cursor"].is_null());
    let none = app
        .get(
            "/api/v1/repair-orders?status=picked_up",
            &shop.cashier.token,
        )
        .await;
    assert_eq!(none.ok(200)["items"], json!([]));
    let mine = app
        .get(
            &format!("/api/v1/repair-orders?advisor_id={}", shop.advisor.id),
            &shop.cashier.token,
        )
        .await;
    assert_eq!(mine.ok(200)["items"].as_array().unwrap().len(), 5);
    app.get("/api/v1/repair-orders?status=lost", &shop.cashier.token)
        .await
        .problem(422, "validation");
    app.get("/api/v1/repair-orders?limit=0", &shop.cashier.token)
        .await
        .problem(422, "validation");
    app.get("/api/v1/repair-orders?limit=abc", &shop.cashier.token)
        .await
        .problem(422, "validation");
    app.get("/api/v1/repair-orders?colour=red", &shop.cashier.token)
        .await
        .problem(422, "validation");
}
