//! The rest of the desk in headless Chromium: check-in with a returning
//! customer, the manager's pages and the cashier's counter, at tablet and
//! phone sizes, each checked with axe-core.

use crate::browser::{browser, driver, save};
use crate::desk::invitation_link;
use crate::desk_browser::{accessible, axe, click, fill, no_sideways_scrolling};
use crate::helpers::*;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::Duration;

/// Takes up an invitation in the browser: signed in, on the board.
async fn sign_up(client: &Client, app: &TestApp, path: &str) {
    client
        .goto(&format!("{}{path}", app.address))
        .await
        .unwrap();
    fill(client, "#password", "brake pads and coffee").await;
    fill(client, "#confirm", "brake pads and coffee").await;
    click(client, "form button[type=submit]").await;
    wait_for(client, ".stages").await;
}

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap()
}

async fn visit(client: &Client, app: &TestApp, path: &str) {
    client
        .goto(&format!("{}{path}", app.address))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_the_managers_pages_and_the_counter_in_a_browser() {
    let Some(d) = driver() else { return };
    let axe = axe();
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ready = app.ready(&shop).await;
    app.post(
        &format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
        ADMIN_TOKEN,
        &json!({"name": "Maria Chen", "role": "manager", "email": "chen@lakeside.example"}),
    )
    .await
    .ok(201);
    let manager = invitation_link(&app, "chen@lakeside.example").await;
    let client = browser(&d).await;
    client.set_window_size(1024, 768).await.unwrap();
    sign_up(&client, &app, &manager).await;

    // Maria Garcia is back: found by her phone, her car filled in.
    visit(&client, &app, "/desk/check-in").await;
    accessible(&client, &axe, "check-in").await;
    fill(&client, "#f-lookup_phone", "312 555 0142").await;
    click(
        &client,
        "form[action='/desk/check-in'][method='get'] button",
    )
    .await;
    wait_for(&client, "p[role=status]").await;
    let name = client
        .find(Locator::Css("#f-customer-name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some("Maria Garcia"));
    accessible(&client, &axe, "check-in, prefilled").await;
    fill(&client, "#f-concerns", "Rattle from the back seat").await;
    click(
        &client,
        "form[action='/desk/check-in'][method='post'] button[type=submit]",
    )
    .await;
    let flash = wait_for(&client, ".flash").await.text().await.unwrap();
    assert!(flash.contains("Checked in"), "{flash}");

    visit(&client, &app, "/desk/today").await;
    accessible(&client, &axe, "today").await;
    visit(&client, &app, "/desk/staff").await;
    accessible(&client, &axe, "staff").await;
    visit(&client, &app, &format!("/desk/staff/{}", shop.advisor.id)).await;
    accessible(&client, &axe, "a person").await;
    client.set_window_size(390, 844).await.unwrap();
    for page in ["/desk/check-in", "/desk/today", "/desk/staff"] {
        visit(&client, &app, page).await;
        no_sideways_scrolling(&client, 390).await;
    }
    click(&client, "header form button").await;
    wait_for(&client, "#email").await;

    // The cashier's counter: Maria's first car is ready.
    let cashier = {
        app.post(
            &format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
            ADMIN_TOKEN,
            &json!({"name": "Rosa Vega", "role": "cashier", "email": "rosa@lakeside.example"}),
        )
        .await
        .ok(201);
        invitation_link(&app, "rosa@lakeside.example").await
    };
    client.set_window_size(1024, 768).await.unwrap();
    sign_up(&client, &app, &cashier).await;
    visit(&client, &app, "/desk/counter").await;
    accessible(&client, &axe, "the counter").await;
    click(
        &client,
        &format!(
            "form[action$='{}/arrived'] button",
            ready["id"].as_str().unwrap()
        ),
    )
    .await;
    let flash = wait_for(&client, ".flash").await.text().await.unwrap();
    assert!(flash.contains("paged"), "{flash}");
    accessible(&client, &axe, "the counter with a customer here").await;
    save(&client, "desk-counter-tablet.png").await;
    client.set_window_size(390, 844).await.unwrap();
    no_sideways_scrolling(&client, 390).await;
    save(&client, "desk-counter-phone.png").await;
    client.close().await.unwrap();
}
