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
struct Driver {
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

fn driver() -> Option<Driver> {
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

async fn browser(d: &Driver) -> fantoccini::Client {
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

async fn save(client: &fantoccini::Client, name: &str) {
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

    // Approve the labor, decline the part, send.
    let labor = ro["lines"][0]["id"].as_str().unwrap();
    let part = ro["lines"][1]["id"].as_str().unwrap();
    client
        .find(Locator::Css(&format!(
            "input[name='line-{labor}'][value='approved']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css(&format!(
            "input[name='line-{part}'][value='declined']"
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
    assert_eq!(got.body["lines"][0]["approval"], "approved");
    assert_eq!(got.body["lines"][1]["approval"], "declined");
    assert_eq!(got.body["lines"][0]["decided_via"], "status_page");

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
