//! The desk's pages over HTTP: the board, a repair order's forms, search.

use crate::desk::{field, invitation_link, invited_with_token, signed_up, urlencode};
use crate::helpers::*;
use chrono::Duration;
use serde_json::{Value, json};

#[tokio::test]
async fn the_board_shows_each_car_its_promise_and_what_leaving_would_do() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let r = app
        .post(
            &format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
            ADMIN_TOKEN,
            &json!({"name": "Luis Ortega", "role": "advisor", "email": "luis@lakeside.example"}),
        )
        .await;
    let luis_token = r.ok(201)["token"].as_str().unwrap().to_owned();
    let path = invitation_link(&app, "luis@lakeside.example").await;
    let mut b = signed_up(&app, &path).await;
    // Luis checks a car in and gets it ready; Ana is his delegate but off.
    let mut body = app.check_in_body();
    body["customer"]["name"] = json!("Sam Patel");
    let ro = app
        .post("/api/v1/repair-orders", &luis_token, &body)
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
    let board = b.get(&app, "/desk/").await;
    let csrf = field(&board.html, "csrf");
    b.post(&app, "/desk/presence/clock-in", &[("csrf", &csrf)])
        .await;
    app.post(
        &format!("/api/v1/repair-orders/{id}/ready"),
        &luis_token,
        &json!({}),
    )
    .await
    .ok(200);
    let board = b.get(&app, "/desk/").await;
    assert!(board.html.contains("Ready for pickup"));
    assert!(
        board.html.contains("Sam Patel") && board.html.contains("Handed over by Luis Ortega"),
        "{}",
        board.html
    );
    assert!(
        board.html.contains("has nobody to hand it over"),
        "leaving would strand the car"
    );
    // Leaving is refused in words, and nothing changes.
    let r = b
        .post(&app, "/desk/presence/clock-out", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 409);
    assert!(
        r.html.contains("role=\"alert\"") && r.html.contains("strand"),
        "{}",
        r.html
    );
    // A car promised an hour ago and still in the shop is late.
    let mut late = app.check_in_body();
    late["promised_at"] = json!((app.now() + Duration::minutes(30)).to_rfc3339());
    let late_ro = app
        .post("/api/v1/repair-orders", &shop.advisor.token, &late)
        .await
        .ok(201)
        .clone();
    app.clock.advance(Duration::minutes(45));
    let board = b.get(&app, "/desk/").await;
    let number = late_ro["number"].as_i64().unwrap().to_string();
    let card = &board.html[board
        .html
        .find(&format!("<span class=\"num\">{number}</span>"))
        .unwrap()..];
    assert!(card[..600].contains("Late"), "{}", &card[..600]);
}

#[tokio::test]
async fn search_finds_an_order_by_number_name_phone_vin_or_plate() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let mut body = app.check_in_body();
    body["customer"]["name"] = json!("Sam Patel");
    body["customer"]["phone"] = json!("(312) 555-0188");
    body["vehicle"]["plate"] = json!("IL 4GK 221");
    let ro = app
        .post("/api/v1/repair-orders", &shop.advisor.token, &body)
        .await
        .ok(201)
        .clone();
    app.check_in(&shop).await;
    let number = ro["number"].as_i64().unwrap().to_string();
    for q in [
        number.as_str(),
        "patel",
        "SAM",
        "555-0188",
        "0188",
        "4gk",
        "CM82633",
    ] {
        let r = app
            .get(
                &format!("/api/v1/repair-orders?q={}", urlencode(q)),
                &shop.advisor.token,
            )
            .await;
        let items = r.ok(200)["items"].as_array().unwrap().clone();
        assert!(items.iter().any(|i| i["id"] == ro["id"]), "{q}");
        if q != "CM82633" {
            assert_eq!(items.len(), 1, "{q}: {items:?}");
        }
    }
    let r = app
        .get("/api/v1/repair-orders?q=%25", &shop.advisor.token)
        .await;
    assert_eq!(
        r.ok(200)["items"],
        Value::Array(vec![]),
        "a % is a percent sign"
    );
}

#[tokio::test]
async fn an_advisor_runs_a_repair_order_from_its_page() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let (_, token, path) =
        invited_with_token(&app, &shop, "Luis Ortega", "luis@lakeside.example").await;
    let mut b = signed_up(&app, &path).await;
    let ro = app
        .post("/api/v1/repair-orders", &token, &app.check_in_body())
        .await
        .ok(201)
        .clone();
    let id = ro["id"].as_str().unwrap();
    let page_path = format!("/desk/repair-orders/{id}");
    let page = b.get(&app, &page_path).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains(&format!("Order {}", ro["number"])));
    let csrf = field(&page.html, "csrf");
    let version = field(&page.html, "version");
    let act = |a: &str| format!("{page_path}/{a}");
    // A job with no title: the page again, the error next to the field.
    let r = b
        .post(
            &app,
            &act("job"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("title", ""),
                ("pay_type", "customer"),
                ("kind-0", "labor"),
                ("description-0", "Brake pad replacement"),
                ("quantity-0", "1.5"),
                ("price-0", "180"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.html
            .contains("id=\"job-title-error\">The title must not be empty."),
        "{}",
        r.html
    );
    assert!(r.html.contains("aria-describedby=\"job-title-error\""));
    let r = b
        .post(
            &app,
            &act("job"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("title", "Replace the front brake pads"),
                ("pay_type", "customer"),
                ("kind-0", "labor"),
                ("description-0", "Brake pad replacement"),
                ("quantity-0", "1.5"),
                ("price-0", "$180.00"),
                ("kind-1", "part"),
                ("description-1", "Brake pads (set)"),
                ("quantity-1", "1"),
                ("price-1", "159.50"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = b.get(&app, r.location.as_deref().unwrap()).await;
    assert!(page.html.contains("The job is added to the estimate"));
    assert!(page.html.contains("Replace the front brake pads") && page.html.contains("$429.50"));
    let got = app
        .get(&format!("/api/v1/repair-orders/{id}"), &token)
        .await;
    let job_id = got.ok(200)["jobs"][0]["id"].as_str().unwrap().to_owned();
    // The customer says yes on the phone.
    let version = field(&page.html, "version");
    let r = b
        .post(
            &app,
            &act("decisions"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                (&format!("job-{job_id}"), "approved"),
                ("channel", "phone"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    // A page opened before that answer is stale now: shown fresh, saying so.
    let r = b
        .post(
            &app,
            &act("status"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("status", "in_progress"),
            ],
        )
        .await;
    assert_eq!(r.status, 412);
    assert!(
        r.html
            .contains("Someone changed this order while you had it open")
    );
    for status in ["in_progress", "work_complete"] {
        let page = b.get(&app, &page_path).await;
        let version = field(&page.html, "version");
        let r = b
            .post(
                &app,
                &act("status"),
                &[("csrf", &csrf), ("version", &version), ("status", status)],
            )
            .await;
        assert_eq!(r.status, 303, "{status}: {}", r.html);
    }
    // Luis is not clocked in: "ready" is refused in words, naming why.
    let page = b.get(&app, &page_path).await;
    let version = field(&page.html, "version");
    let r = b
        .post(
            &app,
            &act("ready"),
            &[("csrf", &csrf), ("version", &version)],
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(
        r.html
            .contains("Not ready: nobody who can hand the car over is here"),
        "{}",
        r.html
    );
    assert!(r.html.contains("Luis Ortega: not clocked in"), "{}", r.html);
    assert!(r.html.contains("Make it ready as soon as someone is here"));
    // Clocked in, it goes.
    let board = b.get(&app, "/desk/").await;
    b.post(
        &app,
        "/desk/presence/clock-in",
        &[("csrf", &field(&board.html, "csrf"))],
    )
    .await;
    let page = b.get(&app, &page_path).await;
    let version = field(&page.html, "version");
    let r = b
        .post(
            &app,
            &act("ready"),
            &[("csrf", &csrf), ("version", &version)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = b.get(&app, r.location.as_deref().unwrap()).await;
    assert!(
        page.html
            .contains("Luis Ortega</strong> hands the car over"),
        "{}",
        page.html
    );
    // A technician's role has no "ready" button, and the server agrees.
    let r = b
        .post(
            &app,
            &act("payment"),
            &[
                ("csrf", &csrf),
                ("version", &field(&page.html, "version")),
                ("amount", "10"),
                ("method", "cash"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "an advisor takes no payments");
}
