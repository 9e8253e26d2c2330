use crate::helpers::*;
use reqwest::Method;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let r = app.req(Method::GET, "/healthz", None).send().await;
    assert_eq!(r.ok(200)["status"], "ok");
    let r = app.req(Method::GET, "/readyz", None).send().await;
    assert_eq!(r.ok(200)["status"], "ready");
}

#[tokio::test]
async fn openapi_describes_the_contract_and_docs_are_served() {
    let app = spawn_app().await;
    let r = app.req(Method::GET, "/openapi.json", None).send().await;
    let doc = r.ok(200);
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/dealerships",
        "/api/v1/dealerships/{id}/staff",
        "/api/v1/me",
        "/api/v1/staff/{id}/clock-in",
        "/api/v1/staff/{id}/clock-out",
        "/api/v1/repair-orders",
        "/api/v1/repair-orders/{id}",
        "/api/v1/repair-orders/{id}/estimate",
        "/api/v1/repair-orders/{id}/promised-at",
        "/api/v1/repair-orders/{id}/status",
        "/api/v1/repair-orders/{id}/ready",
        "/api/v1/repair-orders/{id}/handover",
        "/api/v1/repair-orders/{id}/payments",
        "/api/v1/repair-orders/{id}/pickup",
        "/api/v1/repair-orders/{id}/timeline",
    ] {
        assert!(paths.contains_key(p), "{p} missing from openapi.json");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let r = app.req(Method::GET, "/docs/", None).send().await;
    assert_eq!(r.status, 200);
    assert!(
        r.text.contains("swagger"),
        "{}",
        &r.text[..r.text.len().min(300)]
    );
    assert!(
        !r.text.contains("https://cdn"),
        "docs must not load from a CDN"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    app.req(Method::GET, "/nope", None)
        .send()
        .await
        .problem(404, "not-found");
    app.req(Method::DELETE, "/api/v1/repair-orders", None)
        .send()
        .await
        .problem(405, "method-not-allowed");
    // A malformed id is simply not found (after authentication).
    let shop = app.shop().await;
    app.get("/api/v1/repair-orders/not-a-uuid", &shop.advisor.token)
        .await
        .problem(404, "not-found");
}
