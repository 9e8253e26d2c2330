//! Checking a car in at the desk: a returning customer found by phone, a
//! car known by its VIN, one order however often the form is sent, and
//! every bad field named next to itself.

use crate::desk::{Browser, field, invited_with_token, signed_up, urlencode};
use crate::helpers::*;
use serde_json::json;

async fn advisor_at_desk(app: &TestApp, shop: &crate::fixtures::Shop) -> (Browser, String) {
    let (_, token, path) =
        invited_with_token(app, shop, "Luis Ortega", "luis@lakeside.example").await;
    (signed_up(app, &path).await, token)
}

/// The form's fields as the page filled them, with `changes` on top.
fn form(html: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        "csrf",
        "form_key",
        "customer.name",
        "customer.phone",
        "customer.email",
        "vehicle.vin",
        "vehicle.year",
        "vehicle.make",
        "vehicle.model",
        "vehicle.mileage",
        "promised_at",
    ]
    .iter()
    .map(|n| ((*n).to_owned(), field(html, n)))
    .collect();
    out.push(("customer.language".into(), "es".into()));
    out.push(("customer.sms_consent".into(), "1".into()));
    out.push((
        "concerns".into(),
        "Brakes squeal again\nWipers streak".into(),
    ));
    for (k, v) in changes {
        out.retain(|(n, _)| n != k);
        out.push(((*k).to_owned(), (*v).to_owned()));
    }
    out
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn orders_of(app: &TestApp, token: &str, q: &str) -> Vec<serde_json::Value> {
    let r = app
        .get(&format!("/api/v1/repair-orders?q={}", urlencode(q)), token)
        .await;
    r.ok(200)["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_returning_customer_is_found_by_phone_and_checked_in_once() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let first = app.check_in(&shop).await;
    let (mut b, token) = advisor_at_desk(&app, &shop).await;
    let page = b.get(&app, "/desk/check-in?phone=312-555-0142").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html.contains(&format!(
            "Found <strong>Maria Garcia</strong> from order {}",
            first["number"]
        )),
        "{}",
        page.html
    );
    assert_eq!(field(&page.html, "customer.name"), "Maria Garcia");
    assert_eq!(field(&page.html, "customer.email"), "maria@example.com");
    assert_eq!(field(&page.html, "vehicle.vin"), "1HGCM82633A004352");
    assert_eq!(field(&page.html, "vehicle.make"), "Honda");
    assert!(page.html.contains("value=\"es\" selected"), "Spanish kept");
    let sent = form(&page.html, &[("vehicle.mileage", "51,020")]);
    let r = b.post(&app, "/desk/check-in", &pairs(&sent)).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let to = r.location.clone().unwrap();
    assert!(to.ends_with("?done=check-in"), "{to}");
    // A double click: the same order, not a second one.
    let again = b.post(&app, "/desk/check-in", &pairs(&sent)).await;
    assert_eq!(again.location.as_deref(), Some(to.as_str()));
    let orders = orders_of(&app, &token, "maria").await;
    assert_eq!(orders.len(), 2, "the first visit and this one");
    let new = orders.iter().find(|o| o["id"] != first["id"]).unwrap();
    assert_eq!(new["vehicle"]["mileage"], 51020);
    assert_eq!(new["customer"]["language"], "es");
    assert_eq!(new["advisor_name"], "Luis Ortega");
    assert_eq!(new["concerns"][1]["description"], "Wipers streak");
    let shown = b.get(&app, &to).await;
    assert!(
        shown
            .html
            .contains("Checked in: the customer is sent their link")
    );
    // The same form with other values is refused, not a third order.
    let changed = form(
        &page.html,
        &[
            ("form_key", &field(&page.html, "form_key")),
            ("vehicle.mileage", "9"),
        ],
    );
    let r = b.post(&app, "/desk/check-in", &pairs(&changed)).await;
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("was already sent with other values"));
    assert_eq!(orders_of(&app, &token, "maria").await.len(), 2);
}

#[tokio::test]
async fn a_car_is_known_by_its_vin_and_a_new_number_is_said_to_be_new() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    app.check_in(&shop).await;
    let (mut b, _) = advisor_at_desk(&app, &shop).await;
    let page = b
        .get(
            &app,
            "/desk/check-in?phone=(312)%20555-0199&vin=1hgcm82633a004352",
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html
            .contains("No earlier order with that phone number")
    );
    assert_eq!(field(&page.html, "vehicle.model"), "Accord");
    assert_eq!(field(&page.html, "customer.name"), "");
    let r = b.get(&app, "/desk/check-in?phone=312555O142").await;
    assert_eq!(r.status, 422);
    assert!(
        r.html.contains("id=\"f-lookup_phone-error\"") && r.html.contains("is a letter"),
        "{}",
        r.html
    );
}

#[tokio::test]
async fn bad_check_in_fields_are_each_named_next_to_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let (mut b, token) = advisor_at_desk(&app, &shop).await;
    let page = b.get(&app, "/desk/check-in").await;
    let before = app.fingerprint().await;
    let year = form(
        &page.html,
        &[
            ("customer.name", "Sam Patel"),
            ("customer.phone", "312 555 0101"),
            ("vehicle.vin", "1HGCM82633A004352"),
            ("vehicle.year", "19x9"),
        ],
    );
    let r = b.post(&app, "/desk/check-in", &pairs(&year)).await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(
        r.html
            .contains("id=\"f-vehicle-year-error\">Year is not a year such as 2019."),
        "{}",
        r.html
    );
    assert_eq!(
        field(&r.html, "customer.name"),
        "Sam Patel",
        "what was typed stays"
    );
    let bad = form(
        &page.html,
        &[
            ("customer.name", ""),
            ("customer.phone", "312 555 0101"),
            ("vehicle.vin", "1HGCM82633A00435X"),
            ("concerns", "  \n "),
        ],
    );
    let r = b.post(&app, "/desk/check-in", &pairs(&bad)).await;
    assert_eq!(r.status, 422, "{}", r.html);
    for id in [
        "f-customer-name-error",
        "f-vehicle-vin-error",
        "f-concerns-error",
    ] {
        assert!(r.html.contains(&format!("id=\"{id}\"")), "{id}: {}", r.html);
    }
    assert!(r.html.contains("aria-invalid=\"true\""));
    assert!(!r.html.contains("{\""), "never a JSON blob");
    assert_eq!(app.fingerprint().await, before, "nothing written");
    assert!(orders_of(&app, &token, "0101").await.is_empty());
}

#[tokio::test]
async fn a_technician_is_told_in_a_page_that_check_in_is_not_theirs() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let r = app
        .post(
            &format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
            ADMIN_TOKEN,
            &json!({"name": "Tom Reyes", "role": "technician", "email": "tom@lakeside.example"}),
        )
        .await;
    r.ok(201);
    let path = crate::desk::invitation_link(&app, "tom@lakeside.example").await;
    let mut b = signed_up(&app, &path).await;
    let r = b.get(&app, "/desk/check-in").await;
    assert_eq!(r.status, 403);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "a page, not a problem document"
    );
    assert!(
        r.html.contains("role=\"alert\"") && r.html.contains("Back to the board"),
        "{}",
        r.html
    );
}
