//! At the counter: the handover, payments, pickup.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn pickup_needs_the_handover_and_nothing_left_to_pay() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let before = app.fingerprint().await;
    let r = app
        .post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await;
    assert!(
        r.problem(409, "transition-blocked")["detail"]
            .as_str()
            .unwrap()
            .contains("handover")
    );
    assert_eq!(before, app.fingerprint().await);
    app.hand_over(&shop, &ro).await;
    let r = app
        .post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await;
    assert!(
        r.problem(409, "transition-blocked")["detail"]
            .as_str()
            .unwrap()
            .contains("$464.93")
    );
    app.post(
        &ro_path(&ro, "payments"),
        &shop.cashier.token,
        &json!({"amount_cents": 40_000, "method": "cash"}),
    )
    .await
    .ok(201);
    let r = app
        .post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await;
    assert!(
        r.problem(409, "transition-blocked")["detail"]
            .as_str()
            .unwrap()
            .contains("$64.93")
    );
    // Only the cashier releases keys and takes money.
    app.post(
        &ro_path(&ro, "payments"),
        &shop.advisor.token,
        &json!({"amount_cents": 6_493, "method": "cash"}),
    )
    .await
    .problem(403, "forbidden");
    app.post(
        &ro_path(&ro, "payments"),
        &shop.cashier.token,
        &json!({"amount_cents": 6_493, "method": "check", "reference": "Check 1042"}),
    )
    .await
    .ok(201);
    app.post(&ro_path(&ro, "pickup"), &shop.manager.token, &json!({}))
        .await
        .problem(403, "forbidden");
    app.post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await
        .ok(200);
}

#[tokio::test]
async fn warranty_only_work_costs_the_customer_nothing() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"jobs": [{"title": "Replace the airbag inflator (recall)", "pay_type": "warranty", "lines": [
                {"kind": "labor", "description": "Airbag inflator replacement", "quantity": 2, "unit_price_cents": 15000}
            ]}]}),
        )
        .await;
    let est = r.ok(200);
    assert_eq!(est["status"], "checked_in", "nothing to approve");
    assert_eq!(est["balance_due_cents"], 0);
    app.set_status(&shop.technician.token, id, "in_progress")
        .await
        .ok(200);
    app.set_status(&shop.technician.token, id, "work_complete")
        .await
        .ok(200);
    app.clock_in(&shop.advisor).await.ok(200);
    let ready = app
        .post(
            &format!("/api/v1/repair-orders/{id}/ready"),
            &shop.advisor.token,
            &json!({}),
        )
        .await;
    app.hand_over(&shop, ready.ok(200)).await;
    let done = app
        .post(
            &format!("/api/v1/repair-orders/{id}/pickup"),
            &shop.cashier.token,
            &json!({}),
        )
        .await;
    assert_eq!(done.ok(200)["status"], "picked_up");
}

#[tokio::test]
async fn payments_are_checked_and_never_hold_card_numbers() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let path = ro_path(&ro, "payments");
    let before = app.fingerprint().await;
    for (body, status, problem) in [
        (
            json!({"amount_cents": 0, "method": "cash"}),
            422,
            "validation",
        ),
        (
            json!({"amount_cents": -500, "method": "cash"}),
            422,
            "validation",
        ),
        (
            json!({"amount_cents": 100, "method": "bitcoin"}),
            422,
            "validation",
        ),
        (
            json!({"amount_cents": 100, "method": "card_present", "reference": "4111 1111 1111 1111"}),
            422,
            "validation",
        ),
        (
            json!({"amount_cents": 100, "method": "cash", "card_number": "4111111111111111"}),
            422,
            "invalid-body",
        ),
        (
            json!({"amount_cents": 46_494, "method": "cash"}),
            409,
            "overpayment",
        ),
        (
            json!({"amount_cents": "100", "method": "cash"}),
            422,
            "invalid-body",
        ),
    ] {
        let r = app.post(&path, &shop.cashier.token, &body).await;
        r.problem(status, problem);
        assert!(!r.text.contains("4111 1111 1111 1111"), "{}", r.text);
    }
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn the_handover_covers_every_concern_with_a_note() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let path = ro_path(&ro, "handover");
    let c0 = ro["concerns"][0]["id"].clone();
    let c1 = ro["concerns"][1]["id"].clone();
    let before = app.fingerprint().await;
    let cases = [
        (
            json!({"concerns": [{"id": c0, "outcome": "fixed", "note": "New pads."}]}),
            "concerns",
        ),
        (
            json!({"concerns": [{"id": c0, "outcome": "fixed", "note": "ok"}, {"id": c1, "outcome": "meh", "note": "ok"}]}),
            "concerns[1].outcome",
        ),
        (
            json!({"concerns": [{"id": c0, "outcome": "fixed", "note": " "}, {"id": c1, "outcome": "deferred", "note": "ok"}]}),
            "concerns[0].note",
        ),
        (
            json!({"concerns": [{"id": c0, "outcome": "fixed", "note": "a"}, {"id": c0, "outcome": "fixed", "note": "b"}, {"id": c1, "outcome": "fixed", "note": "c"}]}),
            "concerns[1].id",
        ),
    ];
    for (body, field) in cases {
        let r = app.post(&path, &shop.advisor.token, &body).await;
        r.problem(422, "validation");
        assert!(r.fields().contains(&field.to_owned()), "{body}: {}", r.text);
    }
    let good = json!({"concerns": [
        {"id": c0, "outcome": "fixed", "note": "New front pads; the squeal is gone."},
        {"id": c1, "outcome": "could_not_reproduce", "note": "No codes stored; the light stayed off on a 20-mile drive."}
    ]});
    app.post(&path, &shop.technician.token, &good)
        .await
        .problem(403, "forbidden");
    assert_eq!(before, app.fingerprint().await);
    let r = app.post(&path, &shop.advisor.token, &good).await;
    assert_eq!(r.ok(200)["concerns"][1]["outcome"], "could_not_reproduce");
}

#[tokio::test]
async fn a_stranger_learns_nothing_from_a_refused_handover() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let other = app
        .create_staff(&shop.dealership_id, "Rosa Vega", "advisor")
        .await;
    let body = json!({"concerns": []});
    // Not ready, and not hers: who is asking is checked first.
    app.post(&ro_path(&ro, "handover"), &other.token, &body)
        .await
        .problem(403, "forbidden");
    app.post(&ro_path(&ro, "handover"), &shop.advisor.token, &body)
        .await
        .problem(409, "not-ready");
}
