//! The status page in a real browser: headless Chromium driven over
//! WebDriver (chromedriver), at a phone's width. Without Chromium on the
//! machine these tests say so and are skipped; CI installs it and sets
//! HANDOVER_BROWSER_TESTS=require, so there they always run.

use crate::helpers::*;
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn driver() -> Option<Driver> {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        if std::env::var("HANDOVER_BROWSER_TESTS").as_deref() == Ok("require") {
            panic!("HANDOVER_BROWSER_TESTS=require but {CHROMIUM} or {CHROMEDRIVER} is missing");
        }
        eprintln!(
            "SKIPPED: browser test needs Chromium (apt-get install chromium chromium-driver)"
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: tempfile::tempdir().ok()?,
    })
}

pub(crate) async fn browser(d: &Driver) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=320,900",
                format!("--user-data-dir={}", d._profile.path().display()),
            ]
        }),
    );
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("Chromium starts")
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) async fn save(client: &fantoccini::Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(name), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_answers_the_estimate_and_writes_from_a_phone() {
    let Some(d) = driver() else { return };
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.estimate(&shop, &app.check_in(&shop).await).await;
    let id = ro["id"].as_str().unwrap().to_owned();
    // The link from the text the customer received.
    let ns = app.notifications(&shop.advisor.token, &id).await;
    let text = ns
        .iter()
        .find(|n| n["kind"] == "estimate" && n["channel"] == "sms")
        .unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = text[text.find("http://").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let path = link.splitn(4, '/').nth(3).unwrap().to_owned();
    let url = format!("{}/{path}", app.address);

    let client = browser(&d).await;
    client.set_window_size(320, 900).await.unwrap();
    client.goto(&url).await.unwrap();
    let width: serde_json::Value = client
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(
        width.as_i64().unwrap() <= 320,
        "no sideways scrolling at 320 px: {width}"
    );
    save(&client, "status-estimate.png").await;

    // Yes to the brakes, send.
    let brakes = ro["jobs"][0]["id"].as_str().unwrap();
    client
        .find(Locator::Css(&format!(
            "input[name='job-{brakes}'][value='approved']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("form[action$='/approve'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let flash = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".flash"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(flash.contains("Ana"), "{flash}");
    let got = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.advisor.token)
        .await;
    assert_eq!(got.body["jobs"][0]["approval"], "approved");
    assert_eq!(got.body["jobs"][0]["decided_via"], "status_page");

    // A message to the advisor.
    client
        .find(Locator::Id("body"))
        .await
        .unwrap()
        .send_keys("Can you also look at the wipers?")
        .await
        .unwrap();
    client
        .find(Locator::Css("form[action$='/messages'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..200 {
        if client
            .source()
            .await
            .unwrap()
            .contains("Mensaje enviado a Ana")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let timeline = app
        .get(
            &format!("/api/v1/repair-orders/{id}/timeline"),
            &shop.advisor.token,
        )
        .await;
    let kinds: Vec<&str> = timeline.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"staff_decision") && kinds.contains(&"staff_customer_message"),
        "the advisor heard of both: {kinds:?}"
    );

    // Once ready, the page names who hands the car over.
    let id2 = id.clone();
    app.set_status(&shop.technician.token, &id2, "in_progress")
        .await
        .ok(200);
    app.set_status(&shop.technician.token, &id2, "work_complete")
        .await
        .ok(200);
    app.clock_in(&shop.advisor).await.ok(200);
    app.post(
        &format!("/api/v1/repair-orders/{id2}/ready"),
        &shop.advisor.token,
        &json!({}),
    )
    .await
    .ok(200);
    client.goto(&url).await.unwrap();
    let ready = client
        .find(Locator::Css(".ready"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ready.contains("Ana le entregará su auto"), "{ready}");
    save(&client, "status-ready.png").await;
    client.close().await.unwrap();
}

/// The page at each point of a visit, in English and in Spanish, at a
/// phone's width: target/screenshots/status-{en,es}-{1-fresh,2-awaiting,
/// 3-answered,4-ready,5-picked-up}.png. Each must fit 320 px without
/// sideways scrolling and name its state in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_at_every_step_in_both_languages() {
    let Some(d) = driver() else { return };
    let app = spawn_app().await;
    let shop = app.shop().await;
    let hours: Vec<serde_json::Value> = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|d| json!({"day": d, "open": "07:30", "close": "18:00"}))
        .collect();
    app.patch(
        &format!("/api/v1/dealerships/{}", shop.dealership_id),
        &shop.manager.token,
        &json!({
            "address": "1200 Lake Shore Dr, Chicago, IL 60610",
            "taxable_kinds": ["part", "fee"],
            "tax_rate_bp": 1025,
            "shop_supplies_bp": 500,
            "shop_supplies_cap_cents": 3500,
            "opening_hours": hours,
        }),
    )
    .await
    .ok(200);
    let client = browser(&d).await;
    client.set_window_size(320, 1400).await.unwrap();
    for (lang, words) in [
        (
            "en",
            [
                "We have your car",
                "Waiting for your answers",
                "We have your answers",
                "Ready for pickup",
                "Picked up",
            ],
        ),
        (
            "es",
            [
                "Tenemos su auto",
                "Esperamos sus respuestas",
                "Tenemos sus respuestas",
                "Listo para recoger",
                "Recogido",
            ],
        ),
    ] {
        let mut body = app.check_in_body();
        body["customer"]["language"] = json!(lang);
        let ro = app
            .post("/api/v1/repair-orders", &shop.advisor.token, &body)
            .await
            .ok(201)
            .clone();
        let id = ro["id"].as_str().unwrap().to_owned();
        let path = ro["customer_url"]
            .as_str()
            .unwrap()
            .splitn(4, '/')
            .nth(3)
            .unwrap()
            .to_owned();
        let url = format!("{}/{path}", app.address);
        let shot = |step: &str| format!("status-{lang}-{step}.png");
        let check = |expected: &'static str| {
            let client = client.clone();
            async move {
                let status = client
                    .find(Locator::Css(".status"))
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                assert!(status.contains(expected), "{status} / {expected}");
                let width: serde_json::Value = client
                    .execute("return document.documentElement.scrollWidth", vec![])
                    .await
                    .unwrap();
                assert!(
                    width.as_i64().unwrap() <= 320,
                    "no sideways scrolling: {width}"
                );
            }
        };
        client.goto(&url).await.unwrap();
        check(words[0]).await;
        save(&client, &shot("1-fresh")).await;

        let ro = app
            .post(
                &format!("/api/v1/repair-orders/{id}/estimate"),
                &shop.advisor.token,
                &json!({"jobs": [
                    {"title": "Replace the front brake pads", "concern_id": ro["concerns"][0]["id"], "pay_type": "customer", "lines": [
                        {"kind": "labor", "description": "Front brake pad replacement", "quantity": 1.5, "unit_price_cents": 18000},
                        {"kind": "part", "description": "Brake pads (set)", "quantity": 1, "unit_price_cents": 15950}]},
                    {"title": "Replace the cabin air filter", "pay_type": "customer", "lines": [
                        {"kind": "part", "description": "Cabin air filter", "quantity": 1, "unit_price_cents": 3999}]},
                    {"title": "Replace the oxygen sensor", "concern_id": ro["concerns"][1]["id"], "pay_type": "warranty", "lines": [
                        {"kind": "labor", "description": "Oxygen sensor replacement", "quantity": 1, "unit_price_cents": 22000}]}
                ]}),
            )
            .await
            .ok(200)
            .clone();
        client.goto(&url).await.unwrap();
        check(words[1]).await;
        save(&client, &shot("2-awaiting")).await;

        for (job, answer) in [(0, "approved"), (1, "declined")] {
            let job_id = ro["jobs"][job]["id"].as_str().unwrap();
            client
                .find(Locator::Css(&format!(
                    "input[name='job-{job_id}'][value='{answer}']"
                )))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        client
            .find(Locator::Css("form[action$='/approve'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(".flash"))
            .await
            .unwrap();
        check(words[2]).await;
        save(&client, &shot("3-answered")).await;

        app.set_status(&shop.technician.token, &id, "in_progress")
            .await
            .ok(200);
        app.set_status(&shop.technician.token, &id, "work_complete")
            .await
            .ok(200);
        app.clock_in(&shop.advisor).await;
        let ready = app
            .post(
                &format!("/api/v1/repair-orders/{id}/ready"),
                &shop.advisor.token,
                &json!({}),
            )
            .await
            .ok(200)
            .clone();
        client.goto(&url).await.unwrap();
        check(words[3]).await;
        save(&client, &shot("4-ready")).await;

        app.hand_over(&shop, &ready).await;
        let due = ready["balance_due_cents"].as_i64().unwrap();
        app.post(
            &format!("/api/v1/repair-orders/{id}/payments"),
            &shop.cashier.token,
            &json!({"amount_cents": due, "method": "card_present", "reference": "4242"}),
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
        client.goto(&url).await.unwrap();
        check(words[4]).await;
        save(&client, &shot("5-picked-up")).await;
    }
    client.close().await.unwrap();
}
