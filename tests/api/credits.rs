//! Putting a bill right after the fact: a credit (an amount, or the tax at
//! the rate that should have applied), never more than was paid, paid back
//! the way the money came; the customer told the amount and the reason in
//! their language; online refunds sent through Stripe once, crash or not.

use crate::helpers::*;
use crate::stripe_double::{SECRET_KEY, StripeMock, signed};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

fn notes<'a>(ns: &'a [Value], kind: &str) -> Vec<&'a Value> {
    ns.iter().filter(|n| n["kind"] == kind).collect()
}

/// The fixture's RO, paid in full at the counter, handed over, picked up.
async fn picked_up(app: &TestApp, shop: &crate::fixtures::Shop) -> Value {
    let ro = app.ready(shop).await;
    app.post(
        &ro_path(&ro, "payments"),
        &shop.cashier.token,
        &json!({"amount_cents": 46493, "method": "card_present", "reference": "T-2231"}),
    )
    .await
    .ok(201);
    app.hand_over(shop, &ro).await;
    app.post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await
        .ok(200);
    ro
}

#[tokio::test]
async fn a_tax_mistake_found_after_pickup_is_credited_and_the_cashier_hands_it_back() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = picked_up(&app, &shop).await;
    let id = ro["id"].as_str().unwrap();
    // $429.50 taxed at 8.25% ($35.43) should have been 7.25% ($31.14).
    let credit =
        json!({"corrected_tax_rate_bp": 725, "reason": "Sales tax was charged at the city rate."});
    let r = app
        .req(
            Method::POST,
            &ro_path(&ro, "credits"),
            Some(&shop.cashier.token),
        )
        .idem("credit-1")
        .json(&credit)
        .send()
        .await;
    let made = r.ok(201).clone();
    assert_eq!(made["amount_cents"], 429);
    assert_eq!(made["corrected_tax_rate_bp"], 725);
    let refunds = made["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["method"], "card_present");
    assert_eq!(refunds[0]["state"], "with_cashier");
    assert_eq!(refunds[0]["amount_cents"], 429);
    // Sent again with its key: the same credit, nothing new.
    let again = app
        .req(
            Method::POST,
            &ro_path(&ro, "credits"),
            Some(&shop.cashier.token),
        )
        .idem("credit-1")
        .json(&credit)
        .send()
        .await;
    assert_eq!(again.ok(201)["id"], made["id"]);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));

    let ns = app.notifications(&shop.advisor.token, id).await;
    let told = notes(&ns, "credit");
    assert!(!told.is_empty(), "the customer is told");
    let body = told[0]["body"].as_str().unwrap();
    assert!(body.contains("$4.29") && body.contains("7.25%"), "{body}");
    let cashier = notes(&ns, "staff_refund");
    assert!(!cashier.is_empty(), "the cashier is asked");
    let body = cashier[0]["body"].as_str().unwrap();
    assert!(
        body.contains("$4.29") && body.contains("card at the counter"),
        "{body}"
    );

    let shown = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.cashier.token)
        .await;
    assert_eq!(
        shown.ok(200)["status"],
        "picked_up",
        "a picked-up RO stays picked up"
    );

    let confirm = format!(
        "/api/v1/repair-orders/{id}/refunds/{}/confirm",
        refunds[0]["id"].as_str().unwrap()
    );
    let before = app.fingerprint().await;
    app.post(
        &confirm,
        &shop.cashier.token,
        &json!({"reference": "4111 1111 1111 1111"}),
    )
    .await
    .problem(422, "validation");
    assert_eq!(app.fingerprint().await, before, "never a card number");
    let done = app
        .post(
            &confirm,
            &shop.cashier.token,
            &json!({"reference": "T-2290"}),
        )
        .await;
    let done = done.ok(200);
    assert_eq!(done["refunds"][0]["state"], "refunded");
    assert_eq!(done["refunds"][0]["reference"], "T-2290");
    app.post(&confirm, &shop.cashier.token, &json!({}))
        .await
        .problem(409, "refund-not-with-cashier");

    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &shop.manager.token,
        )
        .await;
    let kinds: Vec<&str> = timeline.ok(200)["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"credit_issued") && kinds.contains(&"refunded"),
        "{kinds:?}"
    );

    // Never more than was paid, less what was already credited.
    let list = app.get(&ro_path(&ro, "credits"), &shop.manager.token).await;
    assert_eq!(list.ok(200)["creditable_cents"], 46493 - 429);
    let r = app
        .post(
            &ro_path(&ro, "credits"),
            &shop.manager.token,
            &json!({"amount_cents": 46493, "reason": "Goodwill."}),
        )
        .await;
    assert_eq!(
        r.problem(409, "credit-exceeds-paid")["creditable_cents"],
        46064
    );
}

#[tokio::test]
async fn bad_credits_are_refused_field_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = picked_up(&app, &shop).await;
    let path = ro_path(&ro, "credits");
    let other = app.shop_named("Another Motors").await;
    let before = app.fingerprint().await;
    let cases = [
        (json!({}), vec!["amount_cents", "reason"]),
        (
            json!({"amount_cents": 100, "corrected_tax_rate_bp": 700, "reason": "x"}),
            vec!["corrected_tax_rate_bp"],
        ),
        (
            json!({"amount_cents": -5, "reason": " "}),
            vec!["amount_cents", "reason"],
        ),
        (
            json!({"corrected_tax_rate_bp": 900, "reason": "Higher?"}),
            vec!["corrected_tax_rate_bp"],
        ),
        (
            json!({"corrected_tax_rate_bp": 9000, "reason": "x"}),
            vec!["corrected_tax_rate_bp"],
        ),
    ];
    for (body, fields) in cases {
        let r = app.post(&path, &shop.cashier.token, &body).await;
        r.problem(422, "validation");
        let mut got = r.fields();
        got.sort();
        assert_eq!(got, fields, "{body}");
    }
    app.post(
        &path,
        &shop.technician.token,
        &json!({"amount_cents": 100, "reason": "x"}),
    )
    .await
    .problem(403, "forbidden");
    app.post(
        &path,
        &shop.advisor.token,
        &json!({"amount_cents": 100, "reason": "x"}),
    )
    .await
    .problem(403, "forbidden");
    app.post(
        &path,
        &other.cashier.token,
        &json!({"amount_cents": 100, "reason": "x"}),
    )
    .await
    .problem(404, "not-found");
    assert_eq!(app.fingerprint().await, before);

    // Nothing paid yet: nothing to credit.
    let unpaid = app.check_in(&shop).await;
    let r = app
        .post(
            &ro_path(&unpaid, "credits"),
            &shop.cashier.token,
            &json!({"amount_cents": 100, "reason": "x"}),
        )
        .await;
    assert_eq!(r.problem(409, "credit-exceeds-paid")["creditable_cents"], 0);
}

async fn spawn_paying(stripe: &StripeMock) -> TestApp {
    let base = stripe.server.uri();
    spawn_app_with(move |s| {
        s.payments.stripe.secret_key = SecretString::from(SECRET_KEY);
        s.payments.stripe.webhook_secret = SecretString::from(crate::stripe_double::WEBHOOK_SECRET);
        s.payments.stripe.api_base = base;
        // This test is the worker: it claims and sends refunds by hand.
        s.worker.enabled = false;
    })
    .await
}

/// Stripe says the customer paid `amount` online for `ro`.
async fn paid_online(app: &TestApp, ro: &Value, amount: i64) {
    let id = ro["id"].as_str().unwrap();
    let event = json!({"id": "evt_paid", "object": "event", "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_test_77", "object": "checkout.session", "payment_status": "paid",
            "amount_total": amount, "currency": "usd", "payment_intent": "pi_3Qcredit",
            "client_reference_id": id, "metadata": {"ro_id": id}}}});
    let (body, sig) = signed(&event, app.now().timestamp());
    let r = app
        .req(Method::POST, "/webhooks/stripe", None)
        .raw("application/json", body)
        .header("Stripe-Signature", &sig)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn an_online_payment_is_receipted_and_its_refund_goes_through_stripe_once_across_a_crash() {
    let stripe = StripeMock::start().await;
    let app = spawn_paying(&stripe).await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let id = ro["id"].as_str().unwrap();
    // The bill was $464.93; the customer's page still said $460.00.
    paid_online(&app, &ro, 46000).await;
    let ns = app.notifications(&shop.advisor.token, id).await;
    let receipt = notes(&ns, "paid_online");
    assert!(
        receipt[0]["body"].as_str().unwrap().contains("$460.00"),
        "{receipt:?}"
    );
    let cashier = notes(&ns, "staff_paid_online");
    let body = cashier[0]["body"].as_str().unwrap();
    assert!(
        body.contains("$460.00") && body.contains("$464.93 was due"),
        "{body}"
    );

    let made = app
        .post(
            &ro_path(&ro, "credits"),
            &shop.manager.token,
            &json!({"amount_cents": 2500, "reason": "Wiper blades were charged twice."}),
        )
        .await;
    let made = made.ok(201).clone();
    let refund = &made["refunds"][0];
    assert_eq!(refund["method"], "online");
    assert_eq!(refund["state"], "pending");

    // A worker claims it, Stripe refunds, and the worker dies before writing that down.
    assert_eq!(app.app.claim_refunds(10).await.unwrap(), 1);
    let key = format!("refund-{}", refund["id"].as_str().unwrap());
    let sent = reqwest::Client::new()
        .post(format!("{}/v1/refunds", stripe.server.uri()))
        .bearer_auth(SECRET_KEY)
        .header("Idempotency-Key", &key)
        .form(&[("payment_intent", "pi_3Qcredit"), ("amount", "2500")])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    // Within the lease nobody touches it.
    assert_eq!(app.app.send_due_refunds(10).await.unwrap(), 0);
    app.advance(chrono::Duration::seconds(61));
    assert_eq!(app.app.send_due_refunds(10).await.unwrap(), 1);
    assert_eq!(stripe.refunds().len(), 1, "refunded once");
    let call = stripe
        .calls()
        .into_iter()
        .rfind(|c| c.path == "/v1/refunds")
        .unwrap();
    assert_eq!(call.idempotency_key, key);
    assert_eq!(call.form["payment_intent"], "pi_3Qcredit");
    assert_eq!(call.form["amount"], "2500");
    assert_eq!(call.form["metadata[ro_id]"], id);
    let list = app.get(&ro_path(&ro, "credits"), &shop.cashier.token).await;
    let r = &list.ok(200)["credits"][0]["refunds"][0];
    assert_eq!(r["state"], "refunded");
    assert_eq!(r["reference"], stripe.refunds()[0]["id"]);
    assert_eq!(
        app.app.send_due_refunds(10).await.unwrap(),
        0,
        "nothing left"
    );

    // A worker claims the next one and dies before asking Stripe: not lost.
    app.post(
        &ro_path(&ro, "credits"),
        &shop.manager.token,
        &json!({"amount_cents": 1500, "reason": "Cabin filter was not replaced."}),
    )
    .await
    .ok(201);
    assert_eq!(app.app.claim_refunds(10).await.unwrap(), 1);
    app.advance(chrono::Duration::seconds(61));
    assert_eq!(app.app.send_due_refunds(10).await.unwrap(), 1);
    let made: Vec<i64> = stripe
        .refunds()
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(made, [2500, 1500], "each refunded once");
}

#[tokio::test]
async fn a_refund_waits_out_stripe_being_down_and_goes_to_the_cashier_if_stripe_refuses() {
    let stripe = StripeMock::start().await;
    let app = spawn_paying(&stripe).await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    paid_online(&app, &ro, 46493).await;
    let credit = |cents: i64| json!({"amount_cents": cents, "reason": "Oil filter not used."});
    app.post(&ro_path(&ro, "credits"), &shop.cashier.token, &credit(1200))
        .await
        .ok(201);
    stripe.go_down();
    assert_eq!(app.app.send_due_refunds(10).await.unwrap(), 1);
    let list = app.get(&ro_path(&ro, "credits"), &shop.cashier.token).await;
    let r = list.ok(200)["credits"][0]["refunds"][0].clone();
    assert_eq!(r["state"], "pending", "tried again later");
    assert!(r["last_error"].as_str().unwrap().contains("500"), "{r}");
    stripe.come_back();
    app.advance(chrono::Duration::minutes(30));
    assert_eq!(app.app.send_due_refunds(10).await.unwrap(), 1);
    assert_eq!(stripe.refunds().len(), 1);

    // A payment intent Stripe does not know: the cashier pays it back.
    app.sql("UPDATE payments SET reference = 'px_unknown' WHERE method = 'online'")
        .await;
    app.post(&ro_path(&ro, "credits"), &shop.cashier.token, &credit(300))
        .await
        .ok(201);
    assert_eq!(app.app.send_due_refunds(10).await.unwrap(), 1);
    let list = app.get(&ro_path(&ro, "credits"), &shop.cashier.token).await;
    let r = list.ok(200)["credits"][1]["refunds"][0].clone();
    assert_eq!(r["state"], "with_cashier", "{r}");
    let ns = app
        .notifications(&shop.advisor.token, ro["id"].as_str().unwrap())
        .await;
    assert!(
        notes(&ns, "staff_refund").iter().any(|n| n["body"]
            .as_str()
            .unwrap()
            .contains("Stripe could not refund it online")),
        "{ns:?}"
    );
    assert_eq!(stripe.refunds().len(), 1);
}
