use crate::fixtures::*;
use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn missing_or_bad_tokens_get_401_with_a_challenge() {
    let app = spawn_app().await;
    for token in [None, Some("hov_not-a-real-token"), Some("")] {
        let r = app.req(Method::GET, "/api/v1/me", token).send().await;
        r.problem(401, "unauthenticated");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    let r = app
        .req(Method::GET, "/api/v1/me", None)
        .header("Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l")
        .send()
        .await;
    r.problem(401, "unauthenticated");
}

#[tokio::test]
async fn me_names_the_person_and_their_dealership() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let r = app.get("/api/v1/me", &shop.advisor.token).await;
    let me = r.ok(200);
    assert_eq!(me["id"], shop.advisor.id);
    assert_eq!(me["role"], "advisor");
    assert_eq!(me["dealership"]["id"], shop.dealership_id);
    assert_eq!(me["presence"]["state"], "off");
    assert!(
        me.get("token").is_none(),
        "tokens are shown only at creation"
    );
}

#[tokio::test]
async fn admin_token_is_not_a_staff_login_and_staff_are_not_admins() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    app.get("/api/v1/me", ADMIN_TOKEN)
        .await
        .problem(403, "forbidden");
    let before = app.fingerprint().await;
    app.post(
        "/api/v1/dealerships",
        &shop.manager.token,
        &dealership_body("Sneaky"),
    )
    .await
    .problem(403, "forbidden");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn without_admin_token_configured_nobody_is_admin() {
    let app = spawn_app_with(|s| s.admin_token = handover::config::Secret::from("")).await;
    app.post("/api/v1/dealerships", "", &dealership_body("X"))
        .await
        .problem(401, "unauthenticated");
    app.post("/api/v1/dealerships", ADMIN_TOKEN, &dealership_body("X"))
        .await
        .problem(401, "unauthenticated");
}

#[tokio::test]
async fn unauthenticated_writes_are_refused_before_the_body_is_read() {
    let app = spawn_app().await;
    let r = app
        .req(Method::POST, "/api/v1/repair-orders", None)
        .raw("application/json", "{not json")
        .send()
        .await;
    r.problem(401, "unauthenticated");
    let r = app
        .req(Method::POST, "/api/v1/repair-orders", Some("hov_x"))
        .json(&json!({}))
        .send()
        .await;
    r.problem(401, "unauthenticated");
}
