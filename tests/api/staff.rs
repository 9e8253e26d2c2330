use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn staff_tokens_are_long_shown_once_and_work() {
    let app = spawn_app().await;
    let d = app.create_dealership("Lakeside").await;
    let r = app
        .post(
            &format!("/api/v1/dealerships/{d}/staff"),
            ADMIN_TOKEN,
            &json!({"name": "Ana Lopez", "role": "advisor", "phone": "312-555-0101", "email": "ana@lakeside.example"}),
        )
        .await;
    let s = r.ok(201).clone();
    let token = s["token"].as_str().unwrap();
    // 256 random bits in base64url are 43 characters.
    assert!(token.len() >= 4 + 43, "{token}");
    assert_eq!(s["phone"], "+13125550101");
    assert_eq!(s["role"], "advisor");
    let me = app.get("/api/v1/me", token).await;
    assert_eq!(me.ok(200)["id"], s["id"]);
    let roster = app.get("/api/v1/staff", token).await;
    assert!(
        roster
            .ok(200)
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.get("token").is_none())
    );
}

#[tokio::test]
async fn managers_add_staff_to_their_own_dealership_only() {
    let app = spawn_app().await;
    let ours = app.shop_named("Ours").await;
    let theirs = app.shop_named("Theirs").await;
    let path = |d: &str| format!("/api/v1/dealerships/{d}/staff");
    let body = json!({"name": "New Person", "role": "technician"});
    app.post(&path(&ours.dealership_id), &ours.manager.token, &body)
        .await
        .ok(201);
    let before = app.fingerprint().await;
    app.post(&path(&theirs.dealership_id), &ours.manager.token, &body)
        .await
        .problem(404, "not-found");
    for person in [&ours.advisor, &ours.technician, &ours.cashier] {
        app.post(&path(&ours.dealership_id), &person.token, &body)
            .await
            .problem(403, "forbidden");
    }
    let missing = uuid::Uuid::now_v7();
    app.post(&path(&missing.to_string()), ADMIN_TOKEN, &body)
        .await
        .problem(404, "not-found");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn bad_staff_input_is_refused() {
    let app = spawn_app().await;
    let d = app.create_dealership("Lakeside").await;
    let path = format!("/api/v1/dealerships/{d}/staff");
    let before = app.fingerprint().await;
    for (body, field) in [
        (json!({"name": "A", "role": "janitor"}), "role"),
        (json!({"name": "", "role": "advisor"}), "name"),
        (
            json!({"name": "A", "role": "advisor", "phone": "555"}),
            "phone",
        ),
        (
            json!({"name": "A", "role": "advisor", "email": "a@b"}),
            "email",
        ),
    ] {
        let r = app.post(&path, ADMIN_TOKEN, &body).await;
        r.problem(422, "validation");
        assert_eq!(r.fields(), vec![field], "{body}");
    }
    app.post(
        &path,
        ADMIN_TOKEN,
        &json!({"name": "A", "role": "advisor", "shoe_size": 9}),
    )
    .await
    .problem(422, "invalid-body");
    app.post(&path, ADMIN_TOKEN, &json!({"name": 7, "role": "advisor"}))
        .await
        .problem(422, "invalid-body");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn clocking_in_and_out_is_recorded_with_time() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let path = |what: &str| format!("/api/v1/staff/{}/{what}", shop.technician.id);
    let r = app
        .post(&path("clock-in"), &shop.technician.token, &json!({}))
        .await;
    let s = r.ok(200);
    assert_eq!(s["presence"]["state"], "on_duty");
    assert_eq!(s["presence"]["since"], "2026-03-02T15:00:00Z");
    // Twice is a conflict that says since when.
    let r = app
        .post(&path("clock-in"), &shop.technician.token, &json!({}))
        .await;
    assert!(
        r.problem(409, "presence")["detail"]
            .as_str()
            .unwrap()
            .contains("2026-03-02T15:00:00Z")
    );
    app.clock.advance(chrono::Duration::hours(8));
    // An empty body is fine for clock-out.
    let r = app
        .req(
            reqwest::Method::POST,
            &path("clock-out"),
            Some(&shop.technician.token),
        )
        .send()
        .await;
    let s = r.ok(200);
    assert_eq!(s["presence"]["state"], "off");
    assert_eq!(s["presence"]["since"], "2026-03-02T23:00:00Z");
    app.post(&path("clock-out"), &shop.technician.token, &json!({}))
        .await
        .problem(409, "presence");
}

#[tokio::test]
async fn only_managers_clock_other_people() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Other").await;
    let path = format!("/api/v1/staff/{}/clock-in", shop.advisor.id);
    let before = app.fingerprint().await;
    app.post(&path, &shop.technician.token, &json!({}))
        .await
        .problem(403, "forbidden");
    app.post(&path, &other.manager.token, &json!({}))
        .await
        .problem(404, "not-found");
    app.post(&path, &shop.advisor.token, &json!({"force": true}))
        .await
        .problem(422, "invalid-body");
    assert_eq!(before, app.fingerprint().await);
    app.post(&path, &shop.manager.token, &json!({}))
        .await
        .ok(200);
    let unknown = format!("/api/v1/staff/{}/clock-in", uuid::Uuid::now_v7());
    app.post(&unknown, &shop.manager.token, &json!({}))
        .await
        .problem(404, "not-found");
}
