//! Every write endpoint, fed every kind of broken body: each gets the right
//! problem, and nothing is written.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_write_endpoint_refuses_broken_bodies_and_writes_nothing() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let ro_id = ro["id"].as_str().unwrap();
    let ro_path = |action: &str| format!("/api/v1/repair-orders/{ro_id}/{action}");
    let endpoints: Vec<(Method, String, &str)> = vec![
        (Method::POST, "/api/v1/dealerships".into(), ADMIN_TOKEN),
        (
            Method::POST,
            format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
            ADMIN_TOKEN,
        ),
        (
            Method::PATCH,
            format!("/api/v1/dealerships/{}", shop.dealership_id),
            ADMIN_TOKEN,
        ),
        (
            Method::POST,
            format!("/api/v1/staff/{}/clock-in", shop.technician.id),
            &shop.technician.token,
        ),
        (
            Method::POST,
            format!("/api/v1/staff/{}/clock-out", shop.advisor.id),
            &shop.advisor.token,
        ),
        (
            Method::POST,
            "/api/v1/repair-orders".into(),
            &shop.advisor.token,
        ),
        (Method::POST, ro_path("estimate"), &shop.advisor.token),
        (Method::POST, ro_path("approvals"), &shop.advisor.token),
        (Method::POST, ro_path("status"), &shop.technician.token),
        (Method::PUT, ro_path("promised-at"), &shop.advisor.token),
        (Method::POST, ro_path("ready"), &shop.advisor.token),
        (Method::POST, ro_path("handover"), &shop.advisor.token),
        (Method::POST, ro_path("cancel"), &shop.advisor.token),
        (Method::POST, ro_path("payments"), &shop.cashier.token),
        (Method::POST, ro_path("pickup"), &shop.cashier.token),
    ];
    let before = app.fingerprint().await;
    for (method, path, token) in &endpoints {
        let send = |content_type: &str, body: String| {
            app.req(method.clone(), path, Some(token))
                .raw(content_type, body)
                .send()
        };
        let what = format!("{method} {path}");
        let r = send("application/json", "{\"oops\": ".into()).await;
        assert_eq!(r.problem(400, "malformed-json")["status"], 400, "{what}");
        let r = send("application/json", json!({"zzz_unknown": 1}).to_string()).await;
        r.problem(422, "invalid-body");
        assert!(
            r.text.contains("zzz_unknown") || r.text.contains("missing field"),
            "{what}: {}",
            r.text
        );
        let r = send("application/json", "\"a string, not an object\"".into()).await;
        r.problem(422, "invalid-body");
        let r = send("application/json", json!([1, 2, 3]).to_string()).await;
        r.problem(422, "invalid-body");
        let r = send(
            "application/json",
            format!("{{\"x\": \"{}\"}}", "y".repeat(70_000)),
        )
        .await;
        r.problem(413, "payload-too-large");
        let r = send("text/plain", "hello".into()).await;
        r.problem(415, "unsupported-media-type");
        // No token at all: 401, whatever the body.
        let r = app
            .req(method.clone(), path, None)
            .raw("application/json", "{\"oops\": ")
            .send()
            .await;
        r.problem(401, "unauthenticated");
    }
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn wrong_types_are_reported_by_field_path() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let ro_id = ro["id"].as_str().unwrap();
    let before = app.fingerprint().await;
    let cases = vec![
        (
            "/api/v1/repair-orders".to_owned(),
            {
                let mut b = app.check_in_body();
                b["vehicle"]["year"] = json!("2019");
                b
            },
            "vehicle.year",
        ),
        (
            "/api/v1/repair-orders".to_owned(),
            {
                let mut b = app.check_in_body();
                b["concerns"] = json!("brakes");
                b
            },
            "concerns",
        ),
        (
            format!("/api/v1/repair-orders/{ro_id}/estimate"),
            json!({"jobs": [{"title": "x", "pay_type": "customer", "lines": [{"description": "x", "kind": "labor", "quantity": "one", "unit_price_cents": 1}]}]}),
            "jobs[0].lines[0].quantity",
        ),
        (
            format!("/api/v1/repair-orders/{ro_id}/status"),
            json!({"status": 3}),
            "status",
        ),
        (
            format!("/api/v1/repair-orders/{ro_id}/approvals"),
            json!({"decisions": [{"job_id": "not-a-uuid", "decision": "approved"}], "channel": "phone"}),
            "decisions[0].job_id",
        ),
    ];
    for (path, body, field) in cases {
        let r = app.post(&path, &shop.advisor.token, &body).await;
        r.problem(422, "invalid-body");
        assert_eq!(r.fields(), vec![field], "{path}: {}", r.text);
    }
    assert_eq!(before, app.fingerprint().await);
}
