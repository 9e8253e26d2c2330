use crate::fixtures::*;
use crate::helpers::*;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn admin_creates_a_dealership_with_defaults() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/dealerships",
            ADMIN_TOKEN,
            &dealership_body("Lakeside Toyota"),
        )
        .await;
    let d = r.ok(201);
    assert!(d["id"].as_str().is_some());
    assert_eq!(d["phone"], "+13125550100", "stored as E.164");
    assert_eq!(d["quiet_hours"], json!({"start": "21:00", "end": "08:00"}));
    assert_eq!(d["min_handover_minutes"], 30);
    assert_eq!(d["response_target_minutes"], 240);
    let id = d["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/dealerships/{id}"), ADMIN_TOKEN)
        .await;
    assert_eq!(r.ok(200)["name"], "Lakeside Toyota");
}

#[tokio::test]
async fn every_bad_field_is_reported_and_nothing_is_written() {
    let app = spawn_app().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("timezone", json!("Mars/Olympus"), "timezone"),
        ("country", json!("USA"), "country"),
        ("phone", json!("12"), "phone"),
        ("sms_from", json!("not a phone"), "sms_from"),
        ("email_from", json!("service@"), "email_from"),
        ("tax_rate_bp", json!(-5), "tax_rate_bp"),
        ("tax_rate_bp", json!(90000), "tax_rate_bp"),
        (
            "quiet_hours",
            json!({"start": "9pm", "end": "08:00"}),
            "quiet_hours",
        ),
        ("min_handover_minutes", json!(0), "min_handover_minutes"),
        (
            "response_target_minutes",
            json!(5000),
            "response_target_minutes",
        ),
        ("name", json!("   "), "name"),
    ];
    let before = app.fingerprint().await;
    for (field, value, reported) in cases {
        let mut body = dealership_body("Bad");
        body[field] = value.clone();
        let r = app.post("/api/v1/dealerships", ADMIN_TOKEN, &body).await;
        r.problem(422, "validation");
        assert!(
            r.fields().contains(&reported.to_owned()),
            "{field}={value}: {}",
            r.text
        );
    }
    // Several at once: all reported together.
    let mut body = dealership_body("Bad");
    body["timezone"] = json!("Nowhere");
    body["tax_rate_bp"] = json!(-1);
    let r = app.post("/api/v1/dealerships", ADMIN_TOKEN, &body).await;
    r.problem(422, "validation");
    assert_eq!(r.fields(), vec!["timezone", "tax_rate_bp"]);
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn shape_errors_are_problems_with_the_field_path() {
    let app = spawn_app().await;
    let before = app.fingerprint().await;
    // Malformed JSON.
    let r = app
        .req(Method::POST, "/api/v1/dealerships", Some(ADMIN_TOKEN))
        .raw("application/json", "{\"name\": ")
        .send()
        .await;
    r.problem(400, "malformed-json");
    // Trailing garbage.
    let r = app
        .req(Method::POST, "/api/v1/dealerships", Some(ADMIN_TOKEN))
        .raw("application/json", format!("{} x", dealership_body("A")))
        .send()
        .await;
    r.problem(400, "malformed-json");
    // Wrong type.
    let mut body = dealership_body("A");
    body["tax_rate_bp"] = json!("825");
    let r = app.post("/api/v1/dealerships", ADMIN_TOKEN, &body).await;
    r.problem(422, "invalid-body");
    assert_eq!(r.fields(), vec!["tax_rate_bp"]);
    // A fraction where an integer is expected.
    body["tax_rate_bp"] = json!(8.25);
    app.post("/api/v1/dealerships", ADMIN_TOKEN, &body)
        .await
        .problem(422, "invalid-body");
    // Unknown field.
    let mut body = dealership_body("A");
    body["colour"] = json!("red");
    let r = app.post("/api/v1/dealerships", ADMIN_TOKEN, &body).await;
    r.problem(422, "invalid-body");
    assert!(r.text.contains("colour"), "{}", r.text);
    // Missing field.
    let mut body = dealership_body("A");
    body.as_object_mut().unwrap().remove("timezone");
    let r = app.post("/api/v1/dealerships", ADMIN_TOKEN, &body).await;
    r.problem(422, "invalid-body");
    assert!(r.text.contains("timezone"), "{}", r.text);
    // Not JSON at all.
    let r = app
        .req(Method::POST, "/api/v1/dealerships", Some(ADMIN_TOKEN))
        .raw("text/plain", "name=A")
        .send()
        .await;
    r.problem(415, "unsupported-media-type");
    // An array where an object belongs.
    let r = app
        .post("/api/v1/dealerships", ADMIN_TOKEN, &json!([1, 2]))
        .await;
    r.problem(422, "invalid-body");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = spawn_app().await;
    let before = app.fingerprint().await;
    let mut body = dealership_body("Big");
    body["name"] = json!("x".repeat(70_000));
    app.post("/api/v1/dealerships", ADMIN_TOKEN, &body)
        .await
        .problem(413, "payload-too-large");
    // Chunked, without Content-Length.
    let chunks: Vec<Result<String, std::io::Error>> =
        (0..100).map(|_| Ok("x".repeat(1000))).collect();
    let stream = futures_util::stream::iter(chunks);
    let r = app
        .req(Method::POST, "/api/v1/dealerships", Some(ADMIN_TOKEN))
        .raw("application/json", reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    r.problem(413, "payload-too-large");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn staff_see_only_their_own_dealership() {
    let app = spawn_app().await;
    let ours = app.shop_named("Ours").await;
    let theirs = app.shop_named("Theirs").await;
    let r = app
        .get(
            &format!("/api/v1/dealerships/{}", ours.dealership_id),
            &ours.advisor.token,
        )
        .await;
    assert_eq!(r.ok(200)["name"], "Ours");
    app.get(
        &format!("/api/v1/dealerships/{}", theirs.dealership_id),
        &ours.advisor.token,
    )
    .await
    .problem(404, "not-found");
}

#[tokio::test]
async fn two_dealerships_cannot_send_from_one_number() {
    let app = spawn_app().await;
    let mut body = dealership_body("A");
    body["sms_from"] = json!("+13125550199");
    app.post("/api/v1/dealerships", ADMIN_TOKEN, &body)
        .await
        .ok(201);
    body["name"] = json!("B");
    let r = app.post("/api/v1/dealerships", ADMIN_TOKEN, &body).await;
    r.problem(422, "validation");
    assert_eq!(r.fields(), vec!["sms_from"]);
}
