//! The cashier's counter: who is here for which car, what they owe, and the
//! forms that get them their keys, each coming back to the counter.

use crate::desk::{Browser, field, invitation_link, signed_up};
use crate::helpers::*;
use serde_json::json;

async fn cashier_at_desk(app: &TestApp, shop: &crate::fixtures::Shop) -> Browser {
    app.post(
        &format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
        ADMIN_TOKEN,
        &json!({"name": "Rosa Vega", "role": "cashier", "email": "rosa@lakeside.example"}),
    )
    .await
    .ok(201);
    let path = invitation_link(app, "rosa@lakeside.example").await;
    signed_up(app, &path).await
}

/// The order's version as the page showed it.
fn version(html: &str) -> String {
    field(html, "version")
}

#[tokio::test]
async fn the_cashier_sees_who_is_here_takes_the_payment_and_gives_the_keys() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let number = ro["number"].to_string();
    let mut b = cashier_at_desk(&app, &shop).await;
    let page = b.get(&app, "/desk/counter").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html
            .contains(&format!("Order {number}</a> · Maria Garcia")),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("<strong>Ana Lopez</strong> hands it over"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("Due <strong>$464.93</strong>"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("go through every concern with the customer")
    );
    assert!(
        !page.html.contains("Keys handed over"),
        "not before the handover and payment"
    );
    // Maria walks in.
    let csrf = field(&page.html, "csrf");
    let r = b
        .post(
            &app,
            &format!("/desk/repair-orders/{id}/arrived"),
            &[
                ("csrf", &csrf),
                ("version", &version(&page.html)),
                ("back", "counter"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(r.location.as_deref(), Some("/desk/counter?done=arrived"));
    let page = b.get(&app, "/desk/counter?done=arrived").await;
    assert!(
        page.html
            .contains("<span class=\"tag at_risk\">just arrived</span>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("The handover person has been paged."));
    app.clock.advance(chrono::Duration::minutes(12));
    let page = b.get(&app, "/desk/counter").await;
    assert!(page.html.contains(">here 12 min</span>"), "{}", page.html);
    // She pays at the terminal; the advisor goes through the work with her.
    let r = b
        .post(
            &app,
            &format!("/desk/repair-orders/{id}/payment"),
            &[
                ("csrf", &csrf),
                ("version", &version(&page.html)),
                ("back", "counter"),
                ("amount", "464.93"),
                ("method", "card_present"),
                ("reference", "T-5521"),
            ],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/desk/counter?done=payment"),
        "{}",
        r.html
    );
    app.hand_over(&shop, &ro).await;
    let page = b.get(&app, "/desk/counter").await;
    assert!(
        page.html
            .contains("Nothing left to do but hand over the keys."),
        "{}",
        page.html
    );
    let r = b
        .post(
            &app,
            &format!("/desk/repair-orders/{id}/pickup"),
            &[
                ("csrf", &csrf),
                ("version", &version(&page.html)),
                ("back", "counter"),
            ],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/desk/counter?done=pickup"),
        "{}",
        r.html
    );
    let page = b.get(&app, "/desk/counter?done=pickup").await;
    assert!(page.html.contains("No car is ready yet."));
    let shown = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.cashier.token)
        .await;
    assert_eq!(shown.ok(200)["status"], "picked_up");
}

#[tokio::test]
async fn a_payment_refused_at_the_counter_is_explained_on_the_order_and_nothing_is_paid() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let mut b = cashier_at_desk(&app, &shop).await;
    let page = b.get(&app, "/desk/counter").await;
    let csrf = field(&page.html, "csrf");
    let before = app.fingerprint().await;
    let r = b
        .post(
            &app,
            &format!("/desk/repair-orders/{id}/payment"),
            &[
                ("csrf", &csrf),
                ("version", &version(&page.html)),
                ("back", "counter"),
                ("amount", "4x"),
                ("method", "cash"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(
        r.html
            .contains("The amount is not an amount such as 123.45."),
        "{}",
        r.html
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_credit_on_a_cash_payment_waits_at_the_counter_until_the_cashier_hands_it_back() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    app.post(
        &ro_path(&ro, "payments"),
        &shop.cashier.token,
        &json!({"amount_cents": 46493, "method": "cash"}),
    )
    .await
    .ok(201);
    app.hand_over(&shop, &ro).await;
    app.post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await
        .ok(200);
    let made = app
        .post(
            &ro_path(&ro, "credits"),
            &shop.manager.token,
            &json!({"amount_cents": 1000, "reason": "Shop supplies were charged twice."}),
        )
        .await;
    let refund_id = made.ok(201)["refunds"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut b = cashier_at_desk(&app, &shop).await;
    let page = b.get(&app, "/desk/counter").await;
    assert!(
        page.html.contains("Money to hand back (1)")
            && page.html.contains("<strong>$10.00</strong> in cash")
            && page.html.contains("Why: Shop supplies were charged twice."),
        "{}",
        page.html
    );
    let csrf = field(&page.html, "csrf");
    let r = b
        .post(
            &app,
            &format!("/desk/repair-orders/{id}/refund"),
            &[
                ("csrf", &csrf),
                ("back", "counter"),
                ("refund_id", &refund_id),
                ("reference", "Drawer 2"),
            ],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/desk/counter?done=refund"),
        "{}",
        r.html
    );
    let page = b.get(&app, "/desk/counter?done=refund").await;
    assert!(page.html.contains("Refund recorded as handed back."));
    assert!(!page.html.contains("Money to hand back"), "{}", page.html);
    let list = app.get(&ro_path(&ro, "credits"), &shop.cashier.token).await;
    let refund = &list.ok(200)["credits"][0]["refunds"][0];
    assert_eq!(refund["state"], "refunded");
    assert_eq!(refund["reference"], "Drawer 2");
}
