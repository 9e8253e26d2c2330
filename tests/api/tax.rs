//! A dealership's settings (PATCH /api/v1/dealerships/{id}) and the bill
//! they make: tax by kind of line, the shop-supplies fee, discounts, and an
//! estimate that keeps the rules it was written under.

use crate::fixtures::Shop;
use crate::helpers::*;
use serde_json::{Value, json};

fn dealership(shop: &Shop) -> String {
    format!("/api/v1/dealerships/{}", shop.dealership_id)
}

fn brakes() -> Value {
    json!({"title": "Replace the front brake pads", "pay_type": "customer", "lines": [
        {"kind": "labor", "description": "Front brake pad replacement", "quantity": 1.5, "unit_price_cents": 18000},
        {"kind": "part", "description": "Brake pads (set)", "quantity": 1, "unit_price_cents": 15950}
    ]})
}

async fn estimate(app: &TestApp, shop: &Shop, body: Value) -> Value {
    let ro = app.check_in(shop).await;
    let id = ro["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/repair-orders/{id}/estimate"),
        &shop.advisor.token,
        &body,
    )
    .await
    .ok(200)
    .clone()
}

/// Chicago, 10.25 %, where repair labor is not taxed: the brakes with a
/// shop-supplies fee of 5 % of labor capped at $35 ($13.50). Tax on the
/// pads and the fee, $173.00, is $17.7325 → $17.73: $460.73 in all.
#[tokio::test]
async fn a_state_that_does_not_tax_labor() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let d = app
        .patch(
            &dealership(&shop),
            &shop.manager.token,
            &json!({"tax_rate_bp": 1025, "taxable_kinds": ["part", "fee"], "shop_supplies_bp": 500, "shop_supplies_cap_cents": 3500}),
        )
        .await;
    let d = d.ok(200);
    assert_eq!(d["taxable_kinds"], json!(["part", "fee"]));
    assert_eq!(d["shop_supplies_bp"], 500);
    let ro = estimate(&app, &shop, json!({"jobs": [brakes()]})).await;
    assert_eq!(ro["tax_rules"]["tax_rate_bp"], 1025);
    assert_eq!(ro["shop_supplies_cents"], 1_350);
    assert_eq!(ro["subtotal_cents"], 44_300);
    assert_eq!(ro["taxable_cents"], 17_300);
    assert_eq!(ro["tax_cents"], 1_773);
    assert_eq!(ro["total_cents"], 46_073);
    let ro = app.approve_all(&shop, &ro).await;
    assert_eq!(ro["approved"]["total_cents"], 46_073);
    assert_eq!(ro["balance_due_cents"], 46_073);
    // The page says the rate applied.
    let url = ro["customer_url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap();
    let page = app
        .req(
            reqwest::Method::GET,
            &format!("/api/v1/public/{token}"),
            None,
        )
        .send()
        .await;
    let v = page.ok(200);
    assert_eq!(v["tax_rate"], "10.25%");
    assert_eq!(v["approved"]["shop_supplies"], "$13.50");
    assert_eq!(v["approved"]["total"], "$460.73");
}

#[tokio::test]
async fn an_estimate_keeps_the_rules_it_was_written_under() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = estimate(&app, &shop, json!({"jobs": [brakes()]})).await;
    assert_eq!(ro["tax_cents"], 3_543);
    app.patch(
        &dealership(&shop),
        ADMIN_TOKEN,
        &json!({"tax_rate_bp": 1000, "taxable_kinds": ["part"]}),
    )
    .await
    .ok(200);
    let id = ro["id"].as_str().unwrap();
    // A supplement on the old RO is taxed as the estimate the customer saw.
    let ro = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"jobs": [{"title": "Replace the wiper blades", "pay_type": "customer", "lines": [
                {"kind": "part", "description": "Wiper blades", "quantity": 2, "unit_price_cents": 1500}]}]}),
        )
        .await
        .ok(200)
        .clone();
    assert_eq!(ro["tax_rules"]["tax_rate_bp"], 825);
    assert_eq!(ro["tax_cents"], 3_791); // 8.25 % of 459.50 = 37.90875
    // A car checked in now gets the new rules.
    let fresh = estimate(&app, &shop, json!({"jobs": [brakes()]})).await;
    assert_eq!(fresh["tax_rules"]["tax_rate_bp"], 1000);
    assert_eq!(fresh["tax_cents"], 1_595);
}

#[tokio::test]
async fn discounts_come_off_a_job_or_the_whole_order_and_never_below_zero() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let mut job = brakes();
    job["discount_cents"] = json!(2_950);
    let ro = estimate(&app, &shop, json!({"jobs": [job], "discount_cents": 1_000})).await;
    assert_eq!(ro["jobs"][0]["discount_cents"], 2_950);
    assert_eq!(ro["jobs"][0]["subtotal_cents"], 40_000);
    assert_eq!(ro["discount_cents"], 1_000);
    assert_eq!(ro["subtotal_cents"], 39_000);
    assert_eq!(ro["tax_cents"], 3_218); // 8.25 % of 390.00 = 32.175
    assert_eq!(ro["total_cents"], 42_218);
    let id = ro["id"].as_str().unwrap();
    let ro = app.approve_all(&shop, &ro).await;
    let path = format!("/api/v1/repair-orders/{id}/estimate");
    // Once the customer approved, the order's discount can grow…
    let grown = app
        .post(
            &path,
            &shop.advisor.token,
            &json!({"jobs": [], "discount_cents": 5_000}),
        )
        .await;
    assert_eq!(grown.ok(200)["approved"]["discount_cents"], 5_000);
    // …but not shrink behind their back.
    let before = app.fingerprint().await;
    let r = app
        .post(
            &path,
            &shop.advisor.token,
            &json!({"jobs": [], "discount_cents": 0}),
        )
        .await;
    assert_eq!(r.fields(), vec!["discount_cents"]);
    assert_eq!(before, app.fingerprint().await);
    // A discount larger than the order stops at zero.
    let r = app
        .post(
            &path,
            &shop.advisor.token,
            &json!({"jobs": [], "discount_cents": 9_000_000}),
        )
        .await;
    let r = r.ok(200);
    assert_eq!(r["approved"]["total_cents"], 0);
    assert_eq!(r["approved"]["discount_cents"], 40_000);
    assert_eq!(ro["status"], "awaiting_approval");
}

#[tokio::test]
async fn settings_are_checked_field_by_field_and_nothing_is_half_written() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Other").await;
    let path = dealership(&shop);
    let before = app.fingerprint().await;
    let r = app
        .patch(
            &path,
            &shop.manager.token,
            &json!({
                "name": "",
                "phone": "+1415555O123",
                "sms_from": "not a number",
                "email_from": "nope",
                "address": "Line one\nline two",
                "tax_rate_bp": 9_000,
                "taxable_kinds": ["labor", "gas"],
                "shop_supplies_bp": 500,
                "quiet_hours": {"start": "25:00", "end": "08:00"},
                "min_handover_minutes": 1,
                "response_target_minutes": 5,
                "opening_hours": [{"day": "monday", "open": "7:30", "close": "18:00"}],
                "glossary": [{"language": "en", "term": "PDR", "suggestion": "x"}, {"language": "en", "term": "pdr", "suggestion": "y"}]
            }),
        )
        .await;
    r.problem(422, "validation");
    assert_eq!(
        r.fields(),
        vec![
            "name",
            "phone",
            "address",
            "tax_rate_bp",
            "taxable_kinds",
            "opening_hours[0].day",
            "opening_hours[0].open",
            "glossary",
            "sms_from",
            "email_from",
            "shop_supplies_bp",
            "quiet_hours",
            "min_handover_minutes",
            "response_target_minutes",
        ]
    );
    // Staff other than a manager, and other dealerships' managers, cannot.
    app.patch(&path, &shop.advisor.token, &json!({"tax_rate_bp": 0}))
        .await
        .problem(403, "forbidden");
    app.patch(&path, &other.manager.token, &json!({"tax_rate_bp": 0}))
        .await
        .problem(404, "not-found");
    app.patch(
        &path,
        &shop.manager.token,
        &json!({"tax_rate_bp": 0, "color": "red"}),
    )
    .await
    .problem(422, "invalid-body");
    assert_eq!(before, app.fingerprint().await);
    // Fields left out keep their value; null clears what may be cleared.
    let d = app
        .patch(
            &path,
            &shop.manager.token,
            &json!({"address": "1200 Lake Shore Dr"}),
        )
        .await;
    assert_eq!(d.ok(200)["address"], "1200 Lake Shore Dr");
    let d = app
        .patch(&path, &shop.manager.token, &json!({"address": null}))
        .await;
    let d = d.ok(200);
    assert_eq!(d["address"], Value::Null);
    assert_eq!(d["tax_rate_bp"], 825);
    assert_eq!(d["phone"], "+13125550100");
}

#[tokio::test]
async fn two_dealerships_cannot_text_from_one_number() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let other = app.shop_named("Other").await;
    app.patch(
        &dealership(&shop),
        ADMIN_TOKEN,
        &json!({"sms_from": "+13125550199"}),
    )
    .await
    .ok(200);
    let r = app
        .patch(
            &dealership(&other),
            ADMIN_TOKEN,
            &json!({"sms_from": "(312) 555-0199"}),
        )
        .await;
    assert_eq!(r.fields(), vec!["sms_from"]);
    // Its own number again is fine.
    app.patch(
        &dealership(&shop),
        ADMIN_TOKEN,
        &json!({"sms_from": "+13125550199"}),
    )
    .await
    .ok(200);
}

#[tokio::test]
async fn a_dealership_adds_its_own_shop_words() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    app.patch(
        &dealership(&shop),
        &shop.manager.token,
        &json!({"glossary": [{"language": "en", "term": "PDR", "suggestion": "paintless dent repair"}]}),
    )
    .await
    .ok(200);
    let mut body = app.check_in_body();
    body["customer"]["language"] = json!("en");
    let ro = app
        .post("/api/v1/repair-orders", &shop.advisor.token, &body)
        .await
        .ok(201)
        .clone();
    let id = ro["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/repair-orders/{id}/estimate"),
            &shop.advisor.token,
            &json!({"jobs": [{"title": "PDR on the hood, MPI", "pay_type": "customer", "lines": [
                {"kind": "labor", "description": "Dent repair", "quantity": 1, "unit_price_cents": 15000}]}]}),
        )
        .await;
    assert_eq!(
        r.ok(200)["jargon"],
        json!([
            {"field": "jobs[0].title", "term": "PDR", "suggestion": "paintless dent repair"},
            {"field": "jobs[0].title", "term": "MPI", "suggestion": "inspection"},
        ])
    );
}
