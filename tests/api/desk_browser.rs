//! The desk in headless Chromium: a day at a tablet (1024×768) and a phone
//! (390 wide), every page checked with axe-core (no serious or critical
//! violations), screenshots of each in target/screenshots/.

use crate::browser::{browser, driver, save};
use crate::helpers::*;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::Duration;

/// axe-core's script, if installed (CI installs it; see .ci/run).
pub(crate) fn axe() -> Option<String> {
    let path = std::env::var("HANDOVER_AXE").unwrap_or_else(|_| {
        format!(
            "{}/target/ci-node/node_modules/axe-core/axe.min.js",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) if std::env::var("HANDOVER_BROWSER_TESTS").as_deref() == Ok("require") => {
            panic!("HANDOVER_BROWSER_TESTS=require but axe-core is not at {path}")
        }
        Err(_) => {
            eprintln!(
                "SKIPPED: accessibility checks need axe-core (npm install --prefix target/ci-node axe-core)"
            );
            None
        }
    }
}

/// Runs axe on the page; fails on any serious or critical violation.
pub(crate) async fn accessible(client: &Client, axe: &Option<String>, page: &str) {
    let Some(source) = axe else { return };
    client.execute(source, vec![]).await.unwrap();
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']}).then(r => done(
               r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(found, json!([]), "accessibility problems on {page}");
}

pub(crate) async fn no_sideways_scrolling(client: &Client, width: i64) {
    let scroll: serde_json::Value = client
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(
        scroll.as_i64().unwrap() <= width,
        "sideways scrolling at {width}: {scroll}"
    );
}

pub(crate) async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

pub(crate) async fn fill(client: &Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_at_the_desk_on_a_tablet_and_a_phone() {
    let Some(d) = driver() else { return };
    let axe = axe();
    let app = spawn_app().await;
    let shop = app.shop().await;
    let r = app
        .post(
            &format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
            ADMIN_TOKEN,
            &json!({"name": "Luis Ortega", "role": "advisor", "email": "luis@lakeside.example"}),
        )
        .await;
    let token = r.ok(201)["token"].as_str().unwrap().to_owned();
    app.settle().await;
    let outbox = app.get("/dev/outbox?format=json", ADMIN_TOKEN).await;
    let body = outbox.ok(200)["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "staff_invitation")
        .unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = body.find("/desk/invite/").unwrap();
    let invite = body[start..].split_whitespace().next().unwrap().to_owned();

    let client = browser(&d).await;
    client.set_window_size(1024, 768).await.unwrap();
    client
        .goto(&format!("{}{invite}", app.address))
        .await
        .unwrap();
    accessible(&client, &axe, "the invitation").await;
    fill(&client, "#password", "brake pads and coffee").await;
    fill(&client, "#confirm", "brake pads and coffee").await;
    click(&client, "form button[type=submit]").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".stages"))
        .await
        .unwrap();
    click(&client, "form[action$='clock-in'] button").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("form[action$='clock-out']"))
        .await
        .unwrap();

    // A car to work on: checked in, estimated, approved, done.
    let mut body = app.check_in_body();
    body["customer"]["name"] = json!("Sam Patel");
    let ro = app
        .post("/api/v1/repair-orders", &token, &body)
        .await
        .ok(201)
        .clone();
    let id = ro["id"].as_str().unwrap().to_owned();
    let ro = app.estimate(&shop, &ro).await;
    app.approve_all(&shop, &ro).await;
    app.set_status(&shop.technician.token, &id, "in_progress")
        .await
        .ok(200);
    app.set_status(&shop.technician.token, &id, "work_complete")
        .await
        .ok(200);
    let mut late = app.check_in_body();
    late["customer"]["name"] = json!("Dana Wu");
    late["promised_at"] = json!((app.now() + chrono::Duration::minutes(40)).to_rfc3339());
    app.post("/api/v1/repair-orders", &token, &late)
        .await
        .ok(201);

    client
        .goto(&format!("{}/desk/", app.address))
        .await
        .unwrap();
    accessible(&client, &axe, "the board").await;
    save(&client, "desk-board-tablet.png").await;
    client
        .goto(&format!("{}/desk/repair-orders/{id}", app.address))
        .await
        .unwrap();
    accessible(&client, &axe, "a repair order").await;
    click(&client, "form[action$='/ready'] button").await;
    let flash = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".flash"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(flash.contains("Ready"), "{flash}");
    accessible(&client, &axe, "a ready repair order").await;
    save(&client, "desk-ro-tablet.png").await;

    client.set_window_size(390, 844).await.unwrap();
    client
        .goto(&format!("{}/desk/", app.address))
        .await
        .unwrap();
    no_sideways_scrolling(&client, 390).await;
    save(&client, "desk-board-phone.png").await;
    client
        .goto(&format!("{}/desk/repair-orders/{id}", app.address))
        .await
        .unwrap();
    no_sideways_scrolling(&client, 390).await;
    save(&client, "desk-ro-phone.png").await;
    client
        .goto(&format!("{}/desk/search?q=Patel", app.address))
        .await
        .unwrap();
    accessible(&client, &axe, "search").await;

    // Signed out, the sign-in page.
    client
        .goto(&format!("{}/desk/", app.address))
        .await
        .unwrap();
    click(&client, "header form button").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#email"))
        .await
        .unwrap();
    accessible(&client, &axe, "sign-in").await;
    client.close().await.unwrap();
}
