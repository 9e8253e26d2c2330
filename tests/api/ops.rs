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
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
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
            .replace("{token}", "not-a-token")
            .replace("{change}", "clock-in")
            .replace("{action}", "status")
            .replace("{refund_id}", id);
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

#[tokio::test]
async fn every_answer_carries_a_request_id_that_problems_repeat() {
    let app = spawn_app().await;
    let mine = app
        .req(Method::GET, "/healthz", None)
        .header("X-Request-Id", "proxy-4711")
        .send()
        .await;
    assert_eq!(mine.header("x-request-id"), Some("proxy-4711"));
    let made = app.req(Method::GET, "/nope", None).send().await;
    let id = made.header("x-request-id").unwrap().to_owned();
    assert_eq!(id.len(), 36, "a new UUID: {id}");
    assert_eq!(made.problem(404, "not-found")["request_id"], id);
    // A header that could forge log lines is replaced, not echoed.
    let odd = app
        .req(Method::GET, "/healthz", None)
        .header("X-Request-Id", "a b")
        .send()
        .await;
    assert_ne!(odd.header("x-request-id"), Some("a b"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_describe_the_process() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    app.get(
        &format!("/api/v1/repair-orders/{}", ro["id"].as_str().unwrap()),
        &shop.advisor.token,
    )
    .await
    .ok(200);
    let m = app.req(Method::GET, "/metrics", None).send().await.text;
    for line in [
        "handover_http_requests_total{method=\"GET\",route=\"/api/v1/repair-orders/{id}\",status=\"200\"} 1",
        "handover_http_requests_total{method=\"POST\",route=\"/api/v1/repair-orders\",status=\"201\"} 1",
        "handover_http_request_seconds_count{method=\"GET\",route=\"/api/v1/repair-orders/{id}\"} 1",
        "handover_build_info{version=\"",
        "process_resident_memory_bytes ",
        "process_cpu_seconds_total ",
        "process_start_time_seconds ",
    ] {
        assert!(m.contains(line), "{line} missing:\n{m}");
    }
    assert!(
        !m.contains(ro["id"].as_str().unwrap()),
        "routes, never paths"
    );
}

#[tokio::test]
async fn the_root_points_to_the_docs() {
    let app = spawn_app().await;
    let r = app.req(Method::GET, "/", None).send().await;
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location"), Some("/docs/"));
}

#[tokio::test]
async fn oversized_webhook_and_form_bodies_are_problems() {
    let app = spawn_app().await;
    let big = "x".repeat(100_000);
    for path in [
        "/webhooks/twilio/inbound",
        "/webhooks/twilio/status",
        "/s/some-token/approve",
    ] {
        let r = app
            .req(Method::POST, path, None)
            .raw("application/x-www-form-urlencoded", format!("Body={big}"))
            .send()
            .await;
        r.problem(413, "payload-too-large");
    }
}
