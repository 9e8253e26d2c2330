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
    let r = app
        .req(Method::DELETE, "/api/v1/repair-orders", None)
        .send()
        .await;
    r.problem(405, "method-not-allowed");
    assert_eq!(r.header("allow"), Some("GET, POST"));
    let r = app.req(Method::PUT, "/s/some-token", None).send().await;
    r.problem(405, "method-not-allowed");
    assert_eq!(r.header("allow"), Some("GET"));
    // A malformed id is simply not found (after authentication).
    let shop = app.shop().await;
    app.get("/api/v1/repair-orders/not-a-uuid", &shop.advisor.token)
        .await
        .problem(404, "not-found");
}

/// The routes and the document are made from one list: every documented
/// operation is served (no 404 from routing, no 405), and every path served
/// under /api and /s is documented.
#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn_app().await;
    let doc = app
        .req(Method::GET, "/openapi.json", None)
        .send()
        .await
        .ok(200)
        .clone();
    let id = "01900000-0000-7000-8000-000000000001";
    let mut operations = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = template
            .replace("{id}", id)
            .replace("{token}", "not-a-token");
        assert!(
            !path.contains('{'),
            "a parameter this test does not fill: {template}"
        );
        for method in item.as_object().unwrap().keys() {
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue; // "parameters" and the like
            };
            let r = app.req(method.clone(), &path, None).send().await;
            operations += 1;
            assert_ne!(
                r.status, 405,
                "{method} {template} is documented but not served"
            );
            let no_route =
                r.status == 404 && r.body["detail"] == "there is nothing at this address";
            assert!(
                !no_route,
                "{method} {template} is documented but not served"
            );
        }
    }
    assert!(operations >= 38, "{operations} operations documented");
}
