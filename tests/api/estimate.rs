use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn totals_are_exact_and_warranty_is_not_billed() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let ro = app.estimate(&shop, &ro).await;
    assert_eq!(ro["status"], "awaiting_approval");
    assert_eq!(ro["estimate_version"], 1);
    assert_eq!(ro["version"], 2);
    let lines = ro["lines"].as_array().unwrap();
    assert_eq!(lines[0]["quantity"], 1.5);
    assert_eq!(lines[0]["amount_cents"], 27_000);
    assert_eq!(lines[0]["approval"], "pending");
    assert_eq!(lines[0]["concern_id"], ro["concerns"][0]["id"]);
    assert_eq!(lines[2]["approval"], "not_required");
    assert_eq!(ro["subtotal_cents"], 42_950);
    assert_eq!(ro["tax_cents"], 3_543); // 8.25 % of 429.50 = 35.43375
    assert_eq!(ro["total_cents"], 46_493);
    assert_eq!(ro["warranty_cents"], 22_000);
    assert_eq!(ro["balance_due_cents"], 46_493);
}

#[tokio::test]
async fn work_waits_for_the_customers_decisions() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.estimate(&shop, &app.check_in(&shop).await).await;
    let id = ro["id"].as_str().unwrap();
    let r = app
        .set_status(&shop.technician.token, id, "in_progress")
        .await;
    let p = r.problem(409, "transition-blocked");
    assert_eq!(p["current_status"], "awaiting_approval");
    assert!(p["detail"].as_str().unwrap().contains("2 estimate line"));
    // Approve the labor, decline the part: the declined part drops out.
    let decisions = json!({"channel": "phone", "decisions": [
        {"line_id": ro["lines"][0]["id"], "decision": "approved"},
        {"line_id": ro["lines"][1]["id"], "decision": "declined"},
    ]});
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/approvals"),
            &shop.advisor.token,
            &decisions,
        )
        .await;
    let ro = r.ok(200).clone();
    assert_eq!(ro["lines"][0]["approval"], "approved");
    assert_eq!(ro["lines"][0]["decided_via"], "phone");
    assert_eq!(ro["lines"][1]["approval"], "declined");
    assert_eq!(ro["subtotal_cents"], 27_000);
    assert_eq!(ro["tax_cents"], 2_228); // 22.275 → 22.28
    assert_eq!(ro["declined_cents"], 15_950);
    app.set_status(&shop.technician.token, id, "in_progress")
        .await
        .ok(200);
    // The customer changes their mind about the part.
    let again = json!({"channel": "in_person", "decisions": [{"line_id": ro["lines"][1]["id"], "decision": "approved"}]});
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/approvals"),
            &shop.advisor.token,
            &again,
        )
        .await;
    assert_eq!(r.ok(200)["subtotal_cents"], 42_950);
    // But approved work is not undone.
    let undo = json!({"channel": "phone", "decisions": [{"line_id": ro["lines"][0]["id"], "decision": "declined"}]});
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/approvals"),
            &shop.advisor.token,
            &undo,
        )
        .await;
    assert_eq!(
        r.problem(422, "validation")["errors"][0]["field"],
        "decisions[0].line_id"
    );
}

#[tokio::test]
async fn a_supplement_goes_back_to_the_customer() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app
        .approve_all(
            &shop,
            &app.estimate(&shop, &app.check_in(&shop).await).await,
        )
        .await;
    let id = ro["id"].as_str().unwrap();
    app.set_status(&shop.technician.token, id, "in_progress")
        .await
        .ok(200);
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"lines": [{"description": "Cabin air filter", "kind": "part", "quantity": 1, "unit_price_cents": 3999, "pay_type": "customer"}]}),
        )
        .await;
    let ro = r.ok(200);
    assert_eq!(ro["status"], "awaiting_approval");
    assert_eq!(ro["estimate_version"], 2);
    assert_eq!(ro["lines"][3]["estimate_version"], 2);
    // Internal-only additions need nobody's approval and change no status.
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"lines": [{"description": "Courtesy wash", "kind": "fee", "quantity": 1, "unit_price_cents": 0, "pay_type": "internal"}]}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "awaiting_approval");
}

#[tokio::test]
async fn bad_lines_are_refused_and_nothing_is_added() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Other").await;
    let ro = app.check_in(&shop).await;
    let foreign_ro = app.check_in(&other).await;
    let id = ro["id"].as_str().unwrap();
    let path = format!("/api/v1/repair-orders/{id}/estimate");
    let good = json!({"description": "Oil change", "kind": "labor", "quantity": 1, "unit_price_cents": 4999, "pay_type": "customer"});
    let before = app.fingerprint().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("quantity", json!(0), "lines[0].quantity"),
        ("quantity", json!(-1), "lines[0].quantity"),
        ("quantity", json!(1.234), "lines[0].quantity"),
        ("quantity", json!(1_000_000), "lines[0].quantity"),
        ("unit_price_cents", json!(-100), "lines[0].unit_price_cents"),
        (
            "unit_price_cents",
            json!(999_999_999_999i64),
            "lines[0].unit_price_cents",
        ),
        ("kind", json!("magic"), "lines[0].kind"),
        ("pay_type", json!("insurance"), "lines[0].pay_type"),
        ("description", json!(""), "lines[0].description"),
        (
            "concern_id",
            foreign_ro["concerns"][0]["id"].clone(),
            "lines[0].concern_id",
        ),
    ];
    for (field, value, reported) in cases {
        let mut line = good.clone();
        line[field] = value.clone();
        let r = app
            .post(&path, &shop.advisor.token, &json!({"lines": [line]}))
            .await;
        r.problem(422, "validation");
        assert_eq!(r.fields(), vec![reported], "{field}={value}");
    }
    let r = app
        .post(&path, &shop.advisor.token, &json!({"lines": []}))
        .await;
    assert_eq!(r.problem(422, "validation")["errors"][0]["field"], "lines");
    let mut line = good.clone();
    line["unit_price_cents"] = json!(49.99);
    app.post(&path, &shop.advisor.token, &json!({"lines": [line]}))
        .await
        .problem(422, "invalid-body");
    line["unit_price_cents"] = json!("4999");
    app.post(&path, &shop.advisor.token, &json!({"lines": [line]}))
        .await
        .problem(422, "invalid-body");
    // One bad line among good ones: none are added.
    let mut bad = good.clone();
    bad["quantity"] = json!(0);
    let r = app
        .post(&path, &shop.advisor.token, &json!({"lines": [good, bad]}))
        .await;
    assert_eq!(
        r.problem(422, "validation")["errors"][0]["field"],
        "lines[1].quantity"
    );
    // Technicians and cashiers do not write estimates.
    app.post(&path, &shop.technician.token, &json!({"lines": [good]}))
        .await
        .problem(403, "forbidden");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn no_estimate_once_work_is_complete() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.work_complete(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let before = app.fingerprint().await;
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"lines": [{"description": "Wipers", "kind": "part", "quantity": 1, "unit_price_cents": 2500, "pay_type": "customer"}]}),
        )
        .await;
    r.problem(409, "estimate-closed");
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn the_advisor_hears_of_decisions_someone_else_recorded() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.estimate(&shop, &app.check_in(&shop).await).await;
    let id = ro["id"].as_str().unwrap();
    let decide = |line: usize, who: &str| json!({"channel": "phone", "decisions": [{"line_id": ro["lines"][line]["id"], "decision": who}]});
    let path = format!("/api/v1/repair-orders/{id}/approvals");
    app.post(&path, &shop.advisor.token, &decide(0, "approved"))
        .await
        .ok(200);
    app.post(&path, &shop.manager.token, &decide(1, "declined"))
        .await
        .ok(200);
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &shop.advisor.token,
        )
        .await;
    let told: Vec<&serde_json::Value> = timeline.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "staff_decision")
        .collect();
    assert_eq!(told.len(), 1, "only for the manager's decision");
    assert!(
        told[0]["body"]
            .as_str()
            .unwrap()
            .contains("approved 0 and declined 1"),
        "{}",
        told[0]["body"]
    );
}
