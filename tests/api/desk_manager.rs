//! The manager's desk pages: staff (invite, week, delegates, time off,
//! deactivation) and the rest of today (who hands each ready car over until
//! when, and who next; customers waiting too long for an answer).

use crate::desk::{Browser, field, invitation_link, invited_with_token, signed_up};
use crate::fixtures::Person;
use crate::helpers::*;
use crate::status_page::{get_page, link_from_text, path_of, post_form};
use chrono::Duration;
use serde_json::json;

async fn manager_at_desk(app: &TestApp, shop: &crate::fixtures::Shop) -> Browser {
    app.post(
        &format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
        ADMIN_TOKEN,
        &json!({"name": "Maria Chen", "role": "manager", "email": "chen@lakeside.example"}),
    )
    .await
    .ok(201);
    let path = invitation_link(app, "chen@lakeside.example").await;
    signed_up(app, &path).await
}

async fn post(
    b: &mut Browser,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> crate::desk::Page {
    let page = b.get(app, "/desk/staff").await;
    let csrf = field(&page.html, "csrf");
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    b.post(app, path, &all).await
}

#[tokio::test]
async fn a_manager_invites_someone_and_bad_fields_are_named_next_to_them() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let mut b = manager_at_desk(&app, &shop).await;
    let page = b.get(&app, "/desk/staff").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html.contains("Ana Lopez") && page.html.contains("invited, no password yet")
            || page.html.contains("signs in")
    );
    let before = app.fingerprint().await;
    let r = post(
        &mut b,
        &app,
        "/desk/staff",
        &[
            ("name", "Rosa Vega"),
            ("role", "cashier"),
            ("email", "rosa@"),
        ],
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("id=\"invite-email-error\""), "{}", r.html);
    assert!(
        r.html.contains("value=\"Rosa Vega\""),
        "what was typed stays"
    );
    assert_eq!(app.fingerprint().await, before, "nothing written");
    let r = post(
        &mut b,
        &app,
        "/desk/staff",
        &[
            ("name", "Rosa Vega"),
            ("role", "cashier"),
            ("email", "rosa@lakeside.example"),
        ],
    )
    .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/desk/staff?done=invited"),
        "{}",
        r.html
    );
    invitation_link(&app, "rosa@lakeside.example").await;
    let page = b.get(&app, "/desk/staff?done=invited").await;
    assert!(page.html.contains("Rosa Vega") && page.html.contains("Invited: they get a link"));
}

#[tokio::test]
async fn a_week_delegates_and_time_off_are_set_on_a_persons_page() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let mut b = manager_at_desk(&app, &shop).await;
    let (luis_id, luis_token, _) =
        invited_with_token(&app, &shop, "Luis Ortega", "luis@lakeside.example").await;
    let ana = format!("/desk/staff/{}", shop.advisor.id);
    let r = post(
        &mut b,
        &app,
        &format!("{ana}/schedule"),
        &[("weekly", "mon 08:00-17:00\nfriday")],
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(
        r.html.contains("line 2: &quot;friday&quot; is not a shift"),
        "{}",
        r.html
    );
    let r = post(
        &mut b,
        &app,
        &format!("{ana}/schedule"),
        &[("weekly", "tue 17:00-08:00")],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(
        r.html.contains("line 1: end must be after start"),
        "{}",
        r.html
    );
    let r = post(
        &mut b,
        &app,
        &format!("{ana}/schedule"),
        &[("weekly", "Mon 08:00-11:00\nwed 08:00 – 17:00")],
    )
    .await;
    assert_eq!(
        r.location,
        Some(format!("{ana}?done=schedule")),
        "{}",
        r.html
    );
    let r = post(
        &mut b,
        &app,
        &format!("{ana}/delegates"),
        &[("first", &luis_id)],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = b.get(&app, &ana).await;
    assert!(
        page.html.contains("mon 08:00-11:00\nwed 08:00-17:00"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains(&format!("<option value=\"{luis_id}\" selected>Luis Ortega")),
        "{}",
        page.html
    );
    let r = post(
        &mut b,
        &app,
        &format!("{ana}/time-off"),
        &[("starts_at", ""), ("ends_at", "soon")],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(
        r.html.contains("id=\"time-off-starts_at-error\"")
            && r.html.contains("id=\"time-off-ends_at-error\""),
        "{}",
        r.html
    );
    let r = post(
        &mut b,
        &app,
        &format!("{ana}/time-off"),
        &[
            ("starts_at", "2026-03-09T08:00"),
            ("ends_at", "2026-03-13T17:00"),
            ("reason", "Vacation"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = b.get(&app, &ana).await;
    assert!(
        page.html
            .contains("2026-03-09 08:00 to 2026-03-13 17:00: Vacation"),
        "{}",
        page.html
    );
    // Luis leaves the company: his token stops at once; he can come back.
    let r = post(
        &mut b,
        &app,
        &format!("/desk/staff/{luis_id}/deactivate"),
        &[],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.html);
    app.get("/api/v1/me", &luis_token)
        .await
        .problem(401, "unauthenticated");
    let r = post(
        &mut b,
        &app,
        &format!("/desk/staff/{luis_id}/reactivate"),
        &[],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.html);
}

#[tokio::test]
async fn today_shows_when_each_ready_car_loses_its_person_and_who_waits_too_long() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let mut b = manager_at_desk(&app, &shop).await;
    let (luis_id, luis_token, _) =
        invited_with_token(&app, &shop, "Luis Ortega", "luis@lakeside.example").await;
    let ana = format!("/desk/staff/{}", shop.advisor.id);
    // Monday 09:00 in Chicago: Ana is on until 11:00, Luis until 18:00.
    post(
        &mut b,
        &app,
        &format!("{ana}/schedule"),
        &[("weekly", "mon 08:00-11:00")],
    )
    .await;
    post(
        &mut b,
        &app,
        &format!("{ana}/delegates"),
        &[("first", &luis_id)],
    )
    .await;
    post(
        &mut b,
        &app,
        &format!("/desk/staff/{luis_id}/schedule"),
        &[("weekly", "mon 08:00-18:00")],
    )
    .await;
    app.clock_in(&Person {
        id: luis_id.clone(),
        token: luis_token,
    })
    .await
    .ok(200);
    let ro = app.ready(&shop).await;
    let page = b.get(&app, "/desk/today").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("<td>Ana Lopez</td>"), "{}", page.html);
    assert!(
        page.html.contains("today at 11:00 AM")
            && page
                .html
                .contains("passes to Luis Ortega (there until 6:00 PM)"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("Every customer message has been answered in time.")
    );
    // Maria asks from her page; nobody answers for five hours (the target is four).
    let id = ro["id"].as_str().unwrap();
    let path = path_of(&link_from_text(&app, &shop, id).await);
    let status = get_page(&app, &path).await;
    let csrf = crate::status_page::field(&status.html, "csrf");
    let r = post_form(
        &app,
        &format!("{path}/messages"),
        status.csrf_cookie.as_deref(),
        &[("csrf", &csrf), ("body", "Is it really ready?")],
    )
    .await;
    assert_eq!(r.status(), 303);
    app.clock.advance(Duration::hours(5));
    let page = b.get(&app, "/desk/today").await;
    assert!(
        page.html.contains("Maria Garcia asked") && page.html.contains("answer is 1 h late"),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn an_advisor_is_told_in_a_page_that_the_staff_pages_are_a_managers() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let (_, _, path) =
        invited_with_token(&app, &shop, "Luis Ortega", "luis@lakeside.example").await;
    let mut b = signed_up(&app, &path).await;
    for page in [
        "/desk/staff",
        "/desk/today",
        &format!("/desk/staff/{}", shop.advisor.id),
    ] {
        let r = b.get(&app, page).await;
        assert_eq!(r.status, 403, "{page}");
        assert!(r.html.contains("role=\"alert\""), "{page}: {}", r.html);
    }
}
