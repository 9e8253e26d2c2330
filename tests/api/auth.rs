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

/// An advisor whose token this instance has seen (and so remembers), with
/// the path of their RO's promised time.
async fn advisor_remembered() -> (TestApp, Shop, String) {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let path = format!(
        "/api/v1/repair-orders/{}/promised-at",
        ro["id"].as_str().unwrap()
    );
    app.get("/api/v1/me", &shop.advisor.token).await.ok(200);
    (app, shop, path)
}

fn promised_change() -> serde_json::Value {
    json!({"promised_at": "2026-03-03T20:00:00Z", "reason": "The part comes tomorrow"})
}

/// Another instance (here: the store itself) rotates a token that this
/// instance has recognised and remembered: the very next read and write are
/// refused, and nothing is written.
#[tokio::test]
async fn a_token_rotated_elsewhere_stops_working_at_once() {
    let (app, shop, path) = advisor_remembered().await;
    app.sql(&format!(
        "UPDATE staff SET token_hash = 'rotated-elsewhere' WHERE id = '{}'",
        shop.advisor.id
    ))
    .await;
    let before = app.fingerprint().await;
    app.get("/api/v1/me", &shop.advisor.token)
        .await
        .problem(401, "unauthenticated");
    app.put(&path, &shop.advisor.token, &promised_change())
        .await
        .problem(401, "unauthenticated");
    assert_eq!(before, app.fingerprint().await);
}

/// A deactivated person's remembered token gets 401 even for a request the
/// service answers without the database (a broken body, a bad field): what
/// a refused caller learns is only that they are refused.
#[tokio::test]
async fn a_token_deactivated_elsewhere_is_refused_even_with_a_broken_body() {
    let (app, shop, path) = advisor_remembered().await;
    // Still remembered and valid: a broken body is a 400 as ever.
    app.req(Method::PUT, &path, Some(&shop.advisor.token))
        .raw("application/json", "{not json")
        .send()
        .await
        .problem(400, "malformed-json");
    app.sql(&format!(
        "UPDATE staff SET active = false WHERE id = '{}'",
        shop.advisor.id
    ))
    .await;
    let before = app.fingerprint().await;
    app.req(Method::PUT, &path, Some(&shop.advisor.token))
        .raw("application/json", "{not json")
        .send()
        .await
        .problem(401, "unauthenticated");
    let r = app
        .put(
            &path,
            &shop.advisor.token,
            &json!({"promised_at": "soon", "reason": ""}),
        )
        .await;
    let problem = r.problem(401, "unauthenticated");
    assert!(
        problem["detail"].as_str().unwrap().contains("not valid"),
        "{problem}"
    );
    assert_eq!(before, app.fingerprint().await);
}

/// An advisor made a technician on another instance: the first request on
/// the remembered token was judged as an advisor, so it is refused with
/// nothing written and a plain "send it again"; sent again, it is judged as
/// the technician they now are.
#[tokio::test]
async fn a_role_changed_elsewhere_is_judged_afresh() {
    let (app, shop, path) = advisor_remembered().await;
    app.sql(&format!(
        "UPDATE staff SET role = 'technician' WHERE id = '{}'",
        shop.advisor.id
    ))
    .await;
    let before = app.fingerprint().await;
    let r = app
        .put(&path, &shop.advisor.token, &promised_change())
        .await;
    let problem = r.problem(401, "unauthenticated");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("send the request again"),
        "{problem}"
    );
    assert_eq!(before, app.fingerprint().await);
    app.put(&path, &shop.advisor.token, &promised_change())
        .await
        .problem(403, "forbidden");
    assert_eq!(before, app.fingerprint().await);
}

/// A remembered token is confirmed inside the write itself (on PostgreSQL,
/// by the statement that locks the RO, or just before COMMIT): a refused
/// token is told so whatever else the write would have answered, and
/// nothing it did commits.
#[tokio::test]
async fn a_token_rotated_elsewhere_is_refused_whatever_the_write_would_answer() {
    let (app, shop, path) = advisor_remembered().await;
    let check_in = app.check_in_body();
    app.sql(&format!(
        "UPDATE staff SET token_hash = 'rotated-elsewhere' WHERE id = '{}'",
        shop.advisor.id
    ))
    .await;
    let before = app.fingerprint().await;
    // A stale If-Match (409 for a valid token) and an RO that is not there
    // (404): the refusal wins, and says nothing about the order.
    app.req(Method::PUT, &path, Some(&shop.advisor.token))
        .header("If-Match", "\"99\"")
        .json(&promised_change())
        .send()
        .await
        .problem(401, "unauthenticated");
    let missing = "/api/v1/repair-orders/01a23c3d-0000-7000-8000-000000000000/promised-at";
    app.put(missing, &shop.advisor.token, &promised_change())
        .await
        .problem(401, "unauthenticated");
    // A write that locks no existing RO: refused before it commits.
    app.post("/api/v1/repair-orders", &shop.advisor.token, &check_in)
        .await
        .problem(401, "unauthenticated");
    assert_eq!(before, app.fingerprint().await);
}
