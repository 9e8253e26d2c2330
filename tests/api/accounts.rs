//! Staff accounts: invitations, deactivation, reactivation, new tokens.

use crate::doubles::*;
use crate::fixtures::Person;
use crate::helpers::*;
use serde_json::json;

fn path(person: &Person, action: &str) -> String {
    format!("/api/v1/staff/{}/{action}", person.id)
}

#[tokio::test]
async fn a_departed_employees_token_stops_at_once_and_never_comes_back() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    app.get("/api/v1/me", &shop.advisor.token).await.ok(200);
    // Neither a colleague nor another dealership's manager can do it.
    let other = app.shop_named("Other").await;
    let before = app.fingerprint().await;
    app.post(
        &path(&shop.advisor, "deactivate"),
        &shop.technician.token,
        &json!({}),
    )
    .await
    .problem(403, "forbidden");
    app.post(
        &path(&shop.advisor, "deactivate"),
        &other.manager.token,
        &json!({}),
    )
    .await
    .problem(404, "not-found");
    assert_eq!(before, app.fingerprint().await);
    let r = app
        .post(
            &path(&shop.advisor, "deactivate"),
            &shop.manager.token,
            &json!({}),
        )
        .await;
    assert_eq!(r.ok(200)["active"], false);
    app.get("/api/v1/me", &shop.advisor.token)
        .await
        .problem(401, "unauthenticated");
    // Nobody can put them on the floor meanwhile.
    app.post(
        &path(&shop.advisor, "clock-in"),
        &shop.manager.token,
        &json!({}),
    )
    .await
    .problem(409, "staff-deactivated");
    app.post(
        &path(&shop.advisor, "token"),
        &shop.manager.token,
        &json!({}),
    )
    .await
    .problem(409, "staff-deactivated");
    // Back: the old token stays dead; a new one works, once given.
    let r = app
        .post(&path(&shop.advisor, "reactivate"), ADMIN_TOKEN, &json!({}))
        .await;
    assert_eq!(r.ok(200)["active"], true);
    app.get("/api/v1/me", &shop.advisor.token)
        .await
        .problem(401, "unauthenticated");
    let r = app
        .post(
            &path(&shop.advisor, "token"),
            &shop.manager.token,
            &json!({}),
        )
        .await;
    let fresh = r.ok(201)["token"].as_str().unwrap().to_owned();
    app.get("/api/v1/me", &fresh).await.ok(200);
}

#[tokio::test]
async fn a_new_token_kills_the_old_one() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let r = app
        .post(
            &path(&shop.technician, "token"),
            &shop.technician.token,
            &json!({}),
        )
        .await;
    let fresh = r.ok(201)["token"].as_str().unwrap().to_owned();
    assert!(fresh.starts_with("hov_"));
    app.get("/api/v1/me", &shop.technician.token)
        .await
        .problem(401, "unauthenticated");
    app.get("/api/v1/me", &fresh).await.ok(200);
    // Someone else's token is theirs or their manager's to change.
    app.post(&path(&shop.cashier, "token"), &fresh, &json!({}))
        .await
        .problem(403, "forbidden");
}

#[tokio::test]
async fn deactivating_the_handover_person_is_covered_like_a_clock_out() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let ro = app.ready(&shop).await;
    let id = ro["id"].as_str().unwrap();
    assert_eq!(ro["handover"]["staff_id"], shop.advisor.id.as_str());
    // Nobody else is there: refused, naming the car.
    let before = app.fingerprint().await;
    let r = app
        .post(
            &path(&shop.advisor, "deactivate"),
            &shop.manager.token,
            &json!({}),
        )
        .await;
    let p = r.problem(409, "handover-coverage");
    assert_eq!(p["repair_orders"][0]["id"], id);
    assert_eq!(before, app.fingerprint().await);
    // The manager comes on as delegate: the car passes to them.
    app.put(
        &path(&shop.advisor, "delegates"),
        &shop.manager.token,
        &json!({"delegate_ids": [shop.manager.id]}),
    )
    .await
    .ok(200);
    app.clock_in(&shop.manager).await.ok(200);
    app.post(
        &path(&shop.advisor, "deactivate"),
        &shop.manager.token,
        &json!({}),
    )
    .await
    .ok(200);
    let got = app
        .get(&format!("/api/v1/repair-orders/{id}"), &shop.manager.token)
        .await;
    assert_eq!(
        got.ok(200)["handover"]["staff_id"],
        shop.manager.id.as_str()
    );
}

#[tokio::test]
async fn a_new_account_is_invited_to_set_a_desk_password() {
    let twilio = TwilioMock::start().await;
    let smtp = SmtpSink::start();
    let app = spawn_notifying_app(&twilio, &smtp).await;
    let (d, _, _) = shop_with_number(&app).await;
    let r = app
        .post(
            &format!("/api/v1/dealerships/{d}/staff"),
            ADMIN_TOKEN,
            &json!({"name": "Luis Ortega", "role": "advisor", "email": "luis@lakeside.example", "phone": "+13125550111"}),
        )
        .await;
    let body = r.ok(201).clone();
    assert_eq!(body["invitation"]["sent_by"], "email");
    assert!(
        body["invitation"]["link"].is_null(),
        "the link goes to Luis only"
    );
    eventually("the invitation email", || async {
        !smtp.mails().is_empty()
    })
    .await;
    let mail = smtp.mails().remove(0);
    assert!(mail.contains("To: luis@lakeside.example"), "{mail}");
    assert!(mail.contains("/desk/invite/hov_"), "{mail}");
    assert!(
        twilio.texts().is_empty(),
        "email when there is one, not both"
    );
    // Without an email: by text.
    let r = app
        .post(
            &format!("/api/v1/dealerships/{d}/staff"),
            ADMIN_TOKEN,
            &json!({"name": "Tom Becker", "role": "technician", "phone": "+13125550112"}),
        )
        .await;
    assert_eq!(r.ok(201)["invitation"]["sent_by"], "sms");
    eventually("the invitation text", || async {
        twilio
            .texts()
            .iter()
            .any(|t| t["To"] == "+13125550112" && t["Body"].contains("/desk/invite/hov_"))
    })
    .await;
    // Without either: the link is handed over by the manager, shown once.
    let r = app
        .post(
            &format!("/api/v1/dealerships/{d}/staff"),
            ADMIN_TOKEN,
            &json!({"name": "Carla Diaz", "role": "cashier"}),
        )
        .await;
    let body = r.ok(201);
    assert!(body["invitation"]["sent_by"].is_null());
    assert!(
        body["invitation"]["link"]
            .as_str()
            .unwrap()
            .contains("/desk/invite/hov_")
    );
    // One account per email.
    let r = app
        .post(
            &format!("/api/v1/dealerships/{d}/staff"),
            ADMIN_TOKEN,
            &json!({"name": "Luis Two", "role": "advisor", "email": "LUIS@lakeside.example"}),
        )
        .await;
    assert_eq!(r.fields(), vec!["email"]);
}
