//! Paying from the phone: a Checkout Session for exactly the approved
//! balance, reused while right and replaced when the balance changes; the
//! webhook, verified and handled once; the handover still required.

use crate::helpers::*;
use crate::status_page::{get_page, link_from_text, path_of};
use crate::stripe_double::{SECRET_KEY, StripeMock, WEBHOOK_SECRET, signed};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

async fn spawn_paying(stripe: &StripeMock) -> TestApp {
    let base = stripe.server.uri();
    spawn_app_with(move |s| {
        s.payments.stripe.secret_key = SecretString::from(SECRET_KEY);
        s.payments.stripe.webhook_secret =
            SecretString::from(format!("whsec_old, {WEBHOOK_SECRET}"));
        s.payments.stripe.api_base = base;
    })
    .await
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
}

async fn webhook(app: &TestApp, body: &str, signature: Option<&str>) -> Resp {
    let mut req = app
        .req(Method::POST, "/webhooks/stripe", None)
        .raw("application/json", body.to_owned());
    if let Some(s) = signature {
        req = req.header("Stripe-Signature", s);
    }
    req.send().await
}

fn completed(event_id: &str, session: &str, ro_id: &str, amount: i64) -> Value {
    json!({"id": event_id, "object": "event", "type": "checkout.session.completed",
        "data": {"object": {"id": session, "object": "checkout.session", "payment_status": "paid",
            "amount_total": amount, "currency": "usd", "payment_intent": "pi_3Qhandover",
            "client_reference_id": ro_id, "metadata": {"ro_id": ro_id}}}})
}

#[tokio::test]
async fn the_customer_pays_the_approved_balance_on_stripe_and_it_is_recorded_once() {
    let stripe = StripeMock::start().await;
    let app = spawn_paying(&stripe).await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let path = path_of(&link_from_text(&app, &shop, &id).await);
    let page = get_page(&app, &path).await;
    assert!(
        page.html
            .contains(&format!("href=\"{path}/pay\">Pagar $464.93 ahora</a>")),
        "{}",
        page.html
    );

    let r = get(&app, &format!("{path}/pay")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "https://checkout.stripe.com/c/pay/cs_test_1"
    );
    let calls = stripe.calls();
    assert_eq!(calls.len(), 1);
    let f = &calls[0].form;
    assert_eq!(calls[0].path, "/v1/checkout/sessions");
    assert_eq!(f["mode"], "payment");
    assert_eq!(f["line_items[0][price_data][currency]"], "usd");
    assert_eq!(f["line_items[0][price_data][unit_amount]"], "46493");
    assert_eq!(
        f["line_items[0][price_data][product_data][name]"],
        format!("Orden {} — 2019 Honda Accord", ro["number"])
    );
    assert_eq!(f["line_items[0][quantity]"], "1");
    assert_eq!(f["client_reference_id"], id);
    assert_eq!(f["metadata[ro_id]"], id);
    assert!(
        f["success_url"].ends_with(&format!("{path}?paid=1")) && f["cancel_url"].ends_with(&path)
    );
    assert_eq!(f["expires_at"], (app.now().timestamp() + 3600).to_string());
    // Asked again with the same balance: the same page, Stripe not asked.
    let r = get(&app, &format!("{path}/pay")).await;
    assert_eq!(
        r.headers()["location"],
        "https://checkout.stripe.com/c/pay/cs_test_1"
    );
    assert_eq!(stripe.calls().len(), 1);

    // $100 paid at the counter: the open session is expired first, then a new one.
    app.post(
        &ro_path(&ro, "payments"),
        &shop.cashier.token,
        &json!({"amount_cents": 10000, "method": "cash"}),
    )
    .await
    .ok(201);
    let r = get(&app, &format!("{path}/pay")).await;
    assert_eq!(
        r.headers()["location"],
        "https://checkout.stripe.com/c/pay/cs_test_2"
    );
    let calls = stripe.calls();
    assert_eq!(calls[1].path, "/v1/checkout/sessions/cs_test_1/expire");
    assert_eq!(
        calls[2].form["line_items[0][price_data][unit_amount]"],
        "36493"
    );
    assert_ne!(calls[0].idempotency_key, calls[2].idempotency_key);

    // Stripe says it was paid: recorded once, however often it says so.
    let event = completed("evt_1", "cs_test_2", &id, 36493);
    let (body, sig) = signed(&event, app.now().timestamp());
    let r = webhook(&app, &body, Some(&sig)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = webhook(&app, &body, Some(&sig)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["handled"], "replay");
    let shown = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.cashier.token)
        .await;
    let shown = shown.ok(200);
    assert_eq!(shown["balance_due_cents"], 0);
    let online: Vec<&Value> = shown["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["method"] == "online")
        .collect();
    assert_eq!(online.len(), 1);
    assert_eq!(online[0]["amount_cents"], 36493);
    assert_eq!(online[0]["reference"], "pi_3Qhandover");
    assert!(online[0]["recorded_by"].is_null());
    let page = get_page(&app, &path).await;
    assert!(!page.html.contains("/pay\""), "nothing left to pay");
    // Paying never skips the handover.
    let r = app
        .post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await;
    assert!(
        r.problem(409, "transition-blocked")["detail"]
            .as_str()
            .unwrap()
            .contains("handover")
    );
    app.hand_over(&shop, &ro).await;
    app.post(&ro_path(&ro, "pickup"), &shop.cashier.token, &json!({}))
        .await
        .ok(200);
}

#[tokio::test]
async fn a_webhook_without_a_good_recent_signature_is_refused_and_changes_nothing() {
    let stripe = StripeMock::start().await;
    let app = spawn_paying(&stripe).await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let event = completed("evt_9", "cs_test_9", id, 46493);
    let now = app.now().timestamp();
    let before = app.fingerprint().await;
    let (body, stale) = signed(&event, now - 301);
    let (_, good) = signed(&event, now);
    let forged = handover::payments::signature::header("whsec_someone_else", now, body.as_bytes());
    for (sig, why) in [
        (None, "missing"),
        (Some(stale.as_str()), "outside the tolerance"),
        (Some(forged.as_str()), "no signature matches"),
    ] {
        let r = webhook(&app, &body, sig).await;
        let p = r.problem(400, "bad-signature");
        assert!(p["detail"].as_str().unwrap().contains(why), "{p}");
    }
    let tampered = body.replace("46493", "1");
    webhook(&app, &tampered, Some(&good))
        .await
        .problem(400, "bad-signature");
    assert_eq!(app.fingerprint().await, before, "nothing stored");
    // Signed with the secret being rolled out: accepted.
    let old = handover::payments::signature::header("whsec_old", now, body.as_bytes());
    assert_eq!(webhook(&app, &body, Some(&old)).await.status, 200);
    // Types we do not act on: 200, ignored.
    let other = json!({"id": "evt_10", "type": "customer.created", "data": {"object": {}}});
    let (body, sig) = signed(&other, now);
    let r = webhook(&app, &body, Some(&sig)).await;
    assert_eq!(r.body["handled"], "ignored");
    let _ = WEBHOOK_SECRET;
}

#[tokio::test]
async fn without_stripe_or_with_stripe_down_the_customer_is_not_left_stranded() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let path = path_of(&link_from_text(&app, &shop, ro["id"].as_str().unwrap()).await);
    let page = get_page(&app, &path).await;
    assert!(
        !page.html.contains("/pay\""),
        "no pay link while online payment is off"
    );
    let r = get(&app, &format!("{path}/pay")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"].to_str().unwrap(), path);
    let r = get(&app, "/s/%F2%A1%9B%9E%02/pay").await;
    assert_eq!(
        r.headers()["location"],
        "/s/%F2%A1%9B%9E%02",
        "back as it came"
    );

    let stripe = StripeMock::start().await;
    let app = spawn_paying(&stripe).await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let path = path_of(&link_from_text(&app, &shop, ro["id"].as_str().unwrap()).await);
    stripe.go_down();
    let before = app.fingerprint().await;
    let r = app
        .req(Method::GET, &format!("{path}/pay"), None)
        .send()
        .await;
    let p = r.problem(503, "unavailable");
    assert!(
        p["detail"].as_str().unwrap().contains("pay at the counter"),
        "{p}"
    );
    assert_eq!(app.fingerprint().await, before);
    let r = get(&app, "/s/not-a-token/pay").await;
    assert_eq!(r.status(), 404);
}

/// tests/vectors/stripe_signatures.json: made and checked by Stripe's own
/// library (scripts/stripe_signatures.py, run in CI).
#[tokio::test]
async fn signatures_made_by_stripes_library_are_accepted_by_the_service() {
    let vectors: Vec<Value> =
        serde_json::from_str(include_str!("../vectors/stripe_signatures.json")).unwrap();
    let secrets: Vec<&str> = vectors
        .iter()
        .map(|v| v["secret"].as_str().unwrap())
        .collect();
    let all = secrets.join(",");
    let stripe = StripeMock::start().await;
    let base = stripe.server.uri();
    let app = spawn_app_with(move |s| {
        s.payments.stripe.secret_key = SecretString::from(SECRET_KEY);
        s.payments.stripe.webhook_secret = SecretString::from(all);
        s.payments.stripe.api_base = base;
    })
    .await;
    assert_eq!(
        app.now().timestamp(),
        vectors[0]["timestamp"].as_i64().unwrap(),
        "the vectors are signed at the test clock's start"
    );
    for v in &vectors {
        let (payload, header) = (
            v["payload"].as_str().unwrap(),
            v["header"].as_str().unwrap(),
        );
        let tampered = payload.replacen("evt_", "evt-", 1);
        webhook(&app, &tampered, Some(header))
            .await
            .problem(400, "bad-signature");
        let r = webhook(&app, payload, Some(header)).await;
        assert_eq!(r.status, 200, "{v}: {}", r.text);
    }
}

#[tokio::test]
async fn a_checkout_page_that_expired_at_stripe_is_forgotten_and_a_new_one_made() {
    let stripe = StripeMock::start().await;
    let app = spawn_paying(&stripe).await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    let path = path_of(&link_from_text(&app, &shop, &id).await);
    let r = get(&app, &format!("{path}/pay")).await;
    assert_eq!(
        r.headers()["location"],
        "https://checkout.stripe.com/c/pay/cs_test_1"
    );
    let event = json!({"id": "evt_exp", "object": "event", "type": "checkout.session.expired",
        "data": {"object": {"id": "cs_test_1", "object": "checkout.session", "status": "expired",
            "payment_status": "unpaid", "client_reference_id": id}}});
    let (body, sig) = signed(&event, app.now().timestamp());
    let r = webhook(&app, &body, Some(&sig)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["handled"], "done");
    let r = get(&app, &format!("{path}/pay")).await;
    assert_eq!(
        r.headers()["location"],
        "https://checkout.stripe.com/c/pay/cs_test_2",
        "a new page, not the expired one"
    );
    let paths: Vec<String> = stripe.calls().into_iter().map(|c| c.path).collect();
    assert_eq!(
        paths,
        ["/v1/checkout/sessions", "/v1/checkout/sessions"],
        "an expired page is not expired again"
    );
    let shown = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.cashier.token)
        .await;
    assert_eq!(shown.ok(200)["balance_due_cents"], 46493, "nothing paid");
}
