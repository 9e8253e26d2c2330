//! The customer's status page over plain HTTP (the browser tests drive it
//! in Chromium): what it shows, its forms, its guards.

use crate::doubles::eventually;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

/// The status link as the customer received it in a text.
pub(crate) async fn link_from_text(app: &TestApp, shop: &Shop, ro_id: &str) -> String {
    let ns = app.notifications(&shop.advisor.token, ro_id).await;
    let body = ns.iter().find(|n| n["channel"] == "sms").unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = body.find("http://").expect("a link in the text");
    body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('.')
        .to_owned()
}

pub(crate) fn path_of(url: &str) -> String {
    url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap()
}

pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) html: String,
    pub(crate) csrf_cookie: Option<String>,
    headers: reqwest::header::HeaderMap,
}

pub(crate) async fn get_page(app: &TestApp, path: &str) -> Page {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let headers = r.headers().clone();
    let csrf_cookie = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("hov_csrf="))
        .map(|c| {
            c.split(';')
                .next()
                .unwrap()
                .trim_start_matches("hov_csrf=")
                .to_owned()
        });
    Page {
        status: r.status().as_u16(),
        html: r.text().await.unwrap(),
        csrf_cookie,
        headers,
    }
}

pub(crate) fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub(crate) async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut req = app
        .client
        .post(format!("{}{path}", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", "TestPhone/1.0")
        .body(body);
    if let Some(c) = cookie {
        req = req.header("cookie", format!("hov_csrf={c}"));
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn the_page_shows_the_car_the_estimate_and_first_names_only() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.estimate(&shop, &app.check_in(&shop).await).await;
    let id = ro["id"].as_str().unwrap();
    let url = link_from_text(&app, &shop, id).await;
    assert_eq!(
        Some(url.as_str()),
        ro["customer_url"].as_str(),
        "the same link staff see"
    );
    let token = url.rsplit('/').next().unwrap();
    assert!(
        token.len() >= 22 && !token.contains(id),
        "a separate random-looking token"
    );
    let page = get_page(&app, &path_of(&url)).await;
    assert_eq!(page.status, 200);
    assert!(page.html.len() < 50_000, "{} bytes", page.html.len());
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("style-src 'nonce-")
            && !csp.contains("unsafe"),
        "{csp}"
    );
    assert_eq!(page.headers["x-robots-tag"], "noindex, nofollow");
    assert!(
        page.html
            .contains("<meta name=\"robots\" content=\"noindex, nofollow\">")
    );
    assert!(
        !page.html.contains("<script"),
        "readable without JavaScript"
    );
    assert!(!page.html.contains("https://"), "no third-party assets");
    // Spanish customer: Spanish page, first names only.
    assert!(page.html.contains("lang=\"es\"") && page.html.contains("Su 2019 Honda Accord"));
    assert!(page.html.contains("Le atiende Ana") && !page.html.contains("Lopez"));
    assert!(
        page.html.contains("Replace the front brake pads")
            && page.html.contains("Front brake pad replacement")
            && page.html.contains("Sin costo para usted")
            && page.html.contains("Lo paga la garantía")
    );
    // The customer's concerns, in their words, before any work is done.
    assert!(
        page.html.contains("Lo que nos contó")
            && page.html.contains("“Brakes squeal when stopping”"),
        "the concerns as the customer said them"
    );
    // Nothing is approved yet: nothing is due, and what approving
    // everything would cost is said apart.
    assert!(page.html.contains("Aún no hay nada que pagar"));
    assert!(page.html.contains("el total será $464.93 con impuestos"));
    assert!(!page.html.contains("Importe pendiente"));
    assert!(
        page.html
            .contains("<label for=\"body\">Mensaje para Ana</label>"),
        "labelled form fields"
    );
    // The JSON twin.
    let r = app
        .req(Method::GET, &format!("/api/v1/public/{token}"), None)
        .send()
        .await;
    let v = r.ok(200);
    assert_eq!(v["advisor_first_name"], "Ana");
    assert_eq!(v["jobs"][0]["decidable"], true);
    assert_eq!(v["jobs"][0]["lines"][0]["amount"], "$270.00");
    assert_eq!(v["covered"][0]["payer"], "warranty");
    assert_eq!(v["covered_total"], "$220.00");
    assert_eq!(v["approved"]["total"], "$0.00");
    assert_eq!(v["if_all_approved"]["total"], "$464.93");
    assert_eq!(v["balance_due_cents"], 0);
    assert_eq!(v["tax_rate"], "8.25%");
    assert!(!r.text.contains("Lopez"));
    app.req(Method::GET, "/api/v1/public/not-a-real-token", None)
        .send()
        .await
        .problem(404, "not-found");
    assert_eq!(get_page(&app, "/s/not-a-real-token").await.status, 404);
}

/// Brakes and a cabin filter for the customer, an oxygen sensor under
/// warranty.
async fn two_jobs(app: &TestApp, shop: &Shop) -> serde_json::Value {
    let ro = app.check_in(shop).await;
    let id = ro["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/repair-orders/{id}/estimate"),
        &shop.advisor.token,
        &json!({"jobs": [
            {"title": "Replace the front brake pads", "concern_id": ro["concerns"][0]["id"], "pay_type": "customer", "lines": [
                {"kind": "labor", "description": "Front brake pad replacement", "quantity": 1.5, "unit_price_cents": 18000},
                {"kind": "part", "description": "Brake pads (set)", "quantity": 1, "unit_price_cents": 15950}
            ]},
            {"title": "Replace the cabin air filter", "pay_type": "customer", "lines": [
                {"kind": "part", "description": "Cabin air filter", "quantity": 1, "unit_price_cents": 3999}
            ]},
            {"title": "Replace the oxygen sensor", "pay_type": "warranty", "lines": [
                {"kind": "labor", "description": "Oxygen sensor replacement", "quantity": 1, "unit_price_cents": 22000}
            ]}
        ]}),
    )
    .await
    .ok(200)
    .clone()
}

#[tokio::test]
async fn answers_on_the_page_are_recorded_with_where_they_came_from_and_the_advisor_is_told() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = two_jobs(&app, &shop).await;
    let id = ro["id"].as_str().unwrap();
    let path = path_of(&link_from_text(&app, &shop, id).await);
    let page = get_page(&app, &path).await;
    let cookie = page.csrf_cookie.clone().unwrap();
    let csrf = field(&page.html, "csrf");
    assert_ne!(
        csrf, cookie,
        "the form carries what the server derived, not the cookie"
    );
    let version = field(&page.html, "estimate_version");
    let (brakes, filter, sensor) = (
        ro["jobs"][0]["id"].as_str().unwrap(),
        ro["jobs"][1]["id"].as_str().unwrap(),
        ro["jobs"][2]["id"].as_str().unwrap(),
    );
    assert!(page.html.contains(&format!("name=\"job-{brakes}\"")));
    assert!(
        !page.html.contains(&format!("name=\"job-{sensor}\"")),
        "warranty work is not the customer's to answer"
    );
    let answers = [
        ("csrf", csrf.as_str()),
        ("estimate_version", version.as_str()),
        (&*format!("job-{brakes}"), "approved"),
        (&*format!("job-{filter}"), "declined"),
    ];
    let before = app.fingerprint().await;
    // Without the CSRF cookie, or with another value: refused, nothing written.
    assert_eq!(
        post_form(&app, &format!("{path}/approve"), None, &answers)
            .await
            .status(),
        403
    );
    assert_eq!(
        post_form(
            &app,
            &format!("{path}/approve"),
            Some("forged-value-1234567890"),
            &answers
        )
        .await
        .status(),
        403
    );
    // A cookie and a field the client made up together: refused too.
    let invented = "invented-by-the-client-0123456789";
    let mut made_up = answers.to_vec();
    made_up[0] = ("csrf", invented);
    assert_eq!(
        post_form(&app, &format!("{path}/approve"), Some(invented), &made_up)
            .await
            .status(),
        403
    );
    // Sending the form without choosing anything: asked again, in Spanish.
    let r = post_form(
        &app,
        &format!("{path}/approve"),
        Some(&cookie),
        &[("csrf", &csrf), ("estimate_version", &version)],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Elija Sí o No para un trabajo")
    );
    // The warranty job cannot be answered from the page.
    let r = post_form(
        &app,
        &format!("{path}/approve"),
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("estimate_version", &version),
            (&format!("job-{sensor}"), "declined"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("No pudimos guardar esa respuesta")
    );
    assert_eq!(before, app.fingerprint().await);
    let r = post_form(&app, &format!("{path}/approve"), Some(&cookie), &answers).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{path}?done=answers"));
    let got = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.advisor.token)
        .await;
    let jobs = got.ok(200)["jobs"].clone();
    assert_eq!(jobs[0]["approval"], "approved");
    assert_eq!(jobs[0]["decided_via"], "status_page");
    assert_eq!(jobs[1]["approval"], "declined");
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &shop.advisor.token,
        )
        .await;
    let decided = timeline.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "decisions_recorded")
        .unwrap()
        .clone();
    assert_eq!(decided["actor_kind"], "customer");
    assert_eq!(decided["detail"]["ip"], "127.0.0.1");
    assert!(
        timeline.body["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "staff_decision"),
        "the advisor is told"
    );
    // Every job answered: the page stops asking and says so; what is due
    // is the approved work only.
    let page = get_page(&app, &format!("{path}?done=answers")).await;
    assert!(page.html.contains("Gracias: Ana recibió sus respuestas."));
    assert!(page.html.contains("Tenemos sus respuestas"));
    assert!(
        !page
            .html
            .contains("Esperamos sus respuestas al presupuesto")
    );
    assert!(
        !page.html.contains("type=\"radio\""),
        "nothing left to answer"
    );
    assert!(!page.html.contains("Enviar mis respuestas"));
    assert!(page.html.contains("Usted rechazó este trabajo"));
    assert!(
        page.html
            .contains("Importe pendiente: <strong>$464.93</strong>")
    );
    assert!(
        !page.html.contains("si aprueba todos"),
        "nothing is pending"
    );
}

#[tokio::test]
async fn a_stale_page_is_refused_with_the_fresh_one() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.estimate(&shop, &app.check_in(&shop).await).await;
    let id = ro["id"].as_str().unwrap();
    let path = path_of(&link_from_text(&app, &shop, id).await);
    let page = get_page(&app, &path).await;
    let cookie = page.csrf_cookie.clone().unwrap();
    let csrf = field(&page.html, "csrf");
    let seen = field(&page.html, "estimate_version");
    // The advisor adds a job while the customer is reading.
    app.post(
        &format!("/api/v1/repair-orders/{id}/estimate"),
        &shop.advisor.token,
        &json!({"jobs": [{"title": "Replace the cabin air filter", "pay_type": "customer", "lines": [
            {"kind": "part", "description": "Cabin air filter", "quantity": 1, "unit_price_cents": 3999}
        ]}]}),
    )
    .await
    .ok(200);
    let brakes = ro["jobs"][0]["id"].as_str().unwrap();
    let before = app.fingerprint().await;
    let r = post_form(
        &app,
        &format!("{path}/approve"),
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("estimate_version", &seen),
            (&format!("job-{brakes}"), "approved"),
        ],
    )
    .await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Replace the cabin air filter"),
        "the fresh estimate is shown"
    );
    assert!(html.contains("role=\"alert\"") && html.contains("El presupuesto cambió"));
    assert_eq!(before, app.fingerprint().await);
}

#[tokio::test]
async fn head_is_answered_like_get_without_the_page() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let path = path_of(ro["customer_url"].as_str().unwrap());
    let r = app
        .client
        .head(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(r.headers()["x-robots-tag"], "noindex, nofollow");
    assert!(r.text().await.unwrap().is_empty());
    let r = app
        .client
        .head(format!("{}/s/not-a-real-token", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn the_page_says_where_the_dealership_is_and_when_it_is_open_today() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    app.patch(
        &format!("/api/v1/dealerships/{}", shop.dealership_id),
        &shop.manager.token,
        &json!({
            "address": "1200 Lake Shore Dr, Chicago, IL 60610",
            "opening_hours": [
                {"day": "mon", "open": "07:30", "close": "18:00"},
                {"day": "tue", "open": "07:30", "close": "18:00"},
                {"day": "wed", "open": "07:30", "close": "18:00"},
                {"day": "thu", "open": "07:30", "close": "18:00"},
                {"day": "fri", "open": "07:30", "close": "18:00"},
                {"day": "sat", "open": "08:00", "close": "12:00"},
                {"day": "sun", "open": "10:00", "close": "14:00"}
            ]
        }),
    )
    .await
    .ok(200);
    let ro = app.check_in(&shop).await;
    let page = get_page(&app, &path_of(ro["customer_url"].as_str().unwrap())).await;
    assert!(page.html.contains("1200 Lake Shore Dr, Chicago, IL 60610"));
    assert!(page.html.contains("Hoy abierto de "), "{}", page.html);
}

#[tokio::test]
async fn messages_from_the_page_join_the_conversation() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let path = path_of(&link_from_text(&app, &shop, id).await);
    let page = get_page(&app, &path).await;
    let cookie = page.csrf_cookie.unwrap();
    let csrf = field(&page.html, "csrf");
    let r = post_form(
        &app,
        &format!("{path}/messages"),
        Some(&cookie),
        &[("csrf", &csrf), ("body", "Can you also check the wipers?")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = post_form(
        &app,
        &format!("{path}/messages"),
        Some(&cookie),
        &[("csrf", &csrf), ("body", "   ")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &shop.advisor.token,
        )
        .await;
    let messages = timeline.body["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["channel"], "status_page");
    assert!(
        timeline.body["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "staff_customer_message")
    );
    let page = get_page(&app, &path).await;
    assert!(page.html.contains("Can you also check the wipers?"));
}

#[tokio::test]
async fn the_link_expires_some_days_after_pickup() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let id = ro["id"].as_str().unwrap();
    let path = path_of(ro["customer_url"].as_str().unwrap());
    app.hand_over(&shop, &ro).await;
    app.post(
        &format!("/api/v1/repair-orders/{id}/payments"),
        &shop.cashier.token,
        &json!({"amount_cents": 46_493, "method": "cash"}),
    )
    .await
    .ok(201);
    app.post(
        &format!("/api/v1/repair-orders/{id}/pickup"),
        &shop.cashier.token,
        &json!({}),
    )
    .await
    .ok(200);
    let page = get_page(&app, &path).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html.contains("Lo que hicimos") && page.html.contains("Done and road-tested."),
        "the handover, as the customer sees it"
    );
    app.clock.advance(chrono::Duration::days(31));
    let page = get_page(&app, &path).await;
    assert_eq!(page.status, 410);
    assert!(page.html.contains("Este enlace ha vencido") && page.html.contains("+13125550100"));
    let token = path.rsplit('/').next().unwrap();
    app.req(Method::GET, &format!("/api/v1/public/{token}"), None)
        .send()
        .await
        .problem(410, "link-expired");
}

#[tokio::test]
async fn each_link_and_each_address_is_rate_limited() {
    let app = spawn_app_with(|s| s.status_page.requests_per_minute_per_link = 3).await;
    let shop = app.shop().await;
    let ro = app.check_in(&shop).await;
    let path = path_of(ro["customer_url"].as_str().unwrap());
    for _ in 0..3 {
        assert_eq!(get_page(&app, &path).await.status, 200);
    }
    let page = get_page(&app, &path).await;
    assert_eq!(page.status, 429);
    assert_eq!(page.headers["retry-after"], "60");
    eventually("another link is not affected", || async {
        get_page(&app, "/s/another-token-entirely").await.status == 404
    })
    .await;
}
