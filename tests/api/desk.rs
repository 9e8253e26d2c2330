//! The staff desk over HTTP: invitations, sign-in, sessions, throttling,
//! CSRF, the board and search (the browser tests drive it in Chromium).

use crate::fixtures::Shop;
use crate::helpers::*;
use chrono::Duration;
use serde_json::json;

pub(crate) const PASSWORD: &str = "brake pads and coffee";

/// A browser of our own: the cookies it was given, sent back as given.
#[derive(Default, Clone)]
pub(crate) struct Browser {
    pub(crate) cookies: Vec<(String, String)>,
}

pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) html: String,
    pub(crate) location: Option<String>,
    pub(crate) headers: reqwest::header::HeaderMap,
}

impl Browser {
    pub(crate) fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn keep(&mut self, headers: &reqwest::header::HeaderMap) {
        for value in headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let pair = value.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            let removed = value.contains("Max-Age=0") || value.contains("max-age=0");
            if !removed {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
    }

    pub(crate) async fn get(&mut self, app: &TestApp, path: &str) -> Page {
        let r = app
            .client
            .get(format!("{}{path}", app.address))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.read(r).await
    }

    pub(crate) async fn post(
        &mut self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let r = app
            .client
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", self.cookie_header())
            .body(body)
            .send()
            .await
            .unwrap();
        self.read(r).await
    }

    async fn read(&mut self, r: reqwest::Response) -> Page {
        let headers = r.headers().clone();
        self.keep(&headers);
        Page {
            status: r.status().as_u16(),
            location: headers
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned),
            html: r.text().await.unwrap(),
            headers,
        }
    }
}

pub(crate) fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The invitation link a new account's email carried (as /dev/outbox
/// shows it: nothing leaves the machine in tests).
pub(crate) async fn invitation_link(app: &TestApp, to: &str) -> String {
    app.settle().await;
    let r = app.get("/dev/outbox?format=json", ADMIN_TOKEN).await;
    let body = r.ok(200)["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "staff_invitation" && m["to"] == to)
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no invitation to {to}"));
    let start = body.find("/desk/invite/").unwrap();
    body[start..].split_whitespace().next().unwrap().to_owned()
}

/// An advisor with an email, invited; the path of their invitation.
pub(crate) async fn invited(
    app: &TestApp,
    shop: &Shop,
    name: &str,
    email: &str,
) -> (String, String) {
    let (id, _, path) = invited_with_token(app, shop, name, email).await;
    (id, path)
}

/// The same, with their API token.
pub(crate) async fn invited_with_token(
    app: &TestApp,
    shop: &Shop,
    name: &str,
    email: &str,
) -> (String, String, String) {
    let r = app
        .post(
            &format!("/api/v1/dealerships/{}/staff", shop.dealership_id),
            ADMIN_TOKEN,
            &json!({"name": name, "role": "advisor", "email": email}),
        )
        .await;
    let body = r.ok(201).clone();
    let id = body["id"].as_str().unwrap().to_owned();
    let token = body["token"].as_str().unwrap().to_owned();
    (id, token, invitation_link(app, email).await)
}

/// Takes up the invitation with `PASSWORD`: a signed-in browser.
pub(crate) async fn signed_up(app: &TestApp, path: &str) -> Browser {
    let mut b = Browser::default();
    let page = b.get(app, path).await;
    assert_eq!(page.status, 200, "{}", page.html);
    let csrf = field(&page.html, "csrf");
    let r = b
        .post(
            app,
            path,
            &[
                ("csrf", &csrf),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    b
}

pub(crate) async fn sign_in(app: &TestApp, b: &mut Browser, email: &str, password: &str) -> Page {
    let page = b.get(app, "/desk/login").await;
    let csrf = field(&page.html, "csrf");
    b.post(
        app,
        "/desk/login",
        &[("csrf", &csrf), ("email", email), ("password", password)],
    )
    .await
}

#[tokio::test]
async fn an_invitation_sets_the_password_once_and_signs_in() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let (_, path) = invited(&app, &shop, "Luis Ortega", "luis@lakeside.example").await;
    let mut b = Browser::default();
    let page = b.get(&app, &path).await;
    assert!(
        page.html.contains("Welcome, Luis Ortega") && page.html.contains("luis@lakeside.example")
    );
    let csrf = field(&page.html, "csrf");
    // Errors in words, next to their fields; nothing set.
    let r = b
        .post(
            &app,
            &path,
            &[
                ("csrf", &csrf),
                ("password", "ortega12"),
                ("confirm", "ortega12"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.html
            .contains("id=\"password-error\">Password must be at least 12 characters"),
        "{}",
        r.html
    );
    assert!(r.html.contains("aria-invalid=\"true\""));
    let r = b
        .post(
            &app,
            &path,
            &[
                ("csrf", &csrf),
                ("password", PASSWORD),
                ("confirm", "brake pads and tea"),
            ],
        )
        .await;
    assert!(
        r.html
            .contains("id=\"confirm-error\">It does not match the password"),
        "{}",
        r.html
    );
    let r = b
        .post(
            &app,
            &path,
            &[
                ("csrf", &csrf),
                ("password", "password1234"),
                ("confirm", "password1234"),
            ],
        )
        .await;
    assert!(
        r.html.contains("one of the passwords people choose most"),
        "{}",
        r.html
    );
    // A made-up form token is refused.
    let r = b
        .post(
            &app,
            &path,
            &[
                ("csrf", "made-up"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = b
        .post(
            &app,
            &path,
            &[
                ("csrf", &csrf),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location.as_deref(), Some("/desk/"));
    let set = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let session = set.iter().find(|c| c.starts_with("hov_desk=")).unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Path=/desk"),
        "{session}"
    );
    let board = b.get(&app, "/desk/").await;
    assert_eq!(board.status, 200);
    assert!(board.html.contains("Luis Ortega (advisor)"));
    // The link worked once.
    let again = Browser::default().get(&app, &path).await;
    assert_eq!(again.status, 410);
    assert!(again.html.contains("This link no longer works"));
    // And the password signs in.
    let mut other = Browser::default();
    let r = sign_in(&app, &mut other, "LUIS@lakeside.example", PASSWORD).await;
    assert_eq!(r.status, 303);
}

#[tokio::test]
async fn sign_in_gives_a_new_session_and_sign_out_ends_it() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let (_, path) = invited(&app, &shop, "Luis Ortega", "luis@lakeside.example").await;
    signed_up(&app, &path).await;
    // A session id planted before sign-in is not the one after it.
    let mut b = Browser {
        cookies: vec![("hov_desk".into(), "planted-by-someone-else".into())],
    };
    assert_eq!(
        b.get(&app, "/desk/").await.location.as_deref(),
        Some("/desk/login")
    );
    let r = sign_in(&app, &mut b, "luis@lakeside.example", PASSWORD).await;
    assert_eq!(r.status, 303);
    let session = b.cookie("hov_desk").unwrap();
    assert_ne!(session, "planted-by-someone-else");
    let board = b.get(&app, "/desk/").await;
    assert_eq!(board.status, 200);
    // Sign out needs the session's form token.
    let csrf = field(&board.html, "csrf");
    let mut thief = b.clone();
    assert_eq!(
        thief
            .post(&app, "/desk/logout", &[("csrf", "guess")])
            .await
            .status,
        403
    );
    let out = b.post(&app, "/desk/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.location.as_deref(), Some("/desk/login"));
    // The old cookie is dead on the server, not only in this browser.
    let mut replay = Browser {
        cookies: vec![("hov_desk".into(), session)],
    };
    assert_eq!(
        replay.get(&app, "/desk/").await.location.as_deref(),
        Some("/desk/login")
    );
}

#[tokio::test]
async fn ten_failed_sign_ins_close_the_door_for_fifteen_minutes() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let (_, path) = invited(&app, &shop, "Luis Ortega", "luis@lakeside.example").await;
    signed_up(&app, &path).await;
    let mut b = Browser::default();
    let r = sign_in(&app, &mut b, "luis@lakeside.example", "not the password").await;
    assert_eq!(r.status, 401);
    assert!(r.html.contains("do not match an account"));
    let r = sign_in(&app, &mut b, "nobody@lakeside.example", PASSWORD).await;
    assert_eq!(
        r.status, 401,
        "an unknown email reads the same as a wrong password"
    );
    for _ in 0..8 {
        assert_eq!(
            sign_in(&app, &mut b, "luis@lakeside.example", "wrong again")
                .await
                .status,
            401
        );
    }
    // Ten failures from this address: even the right password waits.
    let r = sign_in(&app, &mut b, "luis@lakeside.example", PASSWORD).await;
    assert_eq!(r.status, 429);
    let retry: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(r.html.contains("Too many failed attempts"));
    app.clock.advance(Duration::minutes(16));
    assert_eq!(
        sign_in(&app, &mut b, "luis@lakeside.example", PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn sessions_end_when_idle_or_when_the_account_is_deactivated() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let (id, path) = invited(&app, &shop, "Luis Ortega", "luis@lakeside.example").await;
    let mut b = signed_up(&app, &path).await;
    app.clock.advance(Duration::hours(11));
    assert_eq!(
        b.get(&app, "/desk/").await.status,
        200,
        "used within 12 hours"
    );
    app.clock.advance(Duration::hours(11));
    assert_eq!(
        b.get(&app, "/desk/").await.status,
        200,
        "each use extends it"
    );
    app.clock.advance(Duration::hours(13));
    assert_eq!(
        b.get(&app, "/desk/").await.location.as_deref(),
        Some("/desk/login")
    );
    let mut b = Browser::default();
    sign_in(&app, &mut b, "luis@lakeside.example", PASSWORD).await;
    assert_eq!(b.get(&app, "/desk/").await.status, 200);
    app.post(
        &format!("/api/v1/staff/{id}/deactivate"),
        &shop.manager.token,
        &json!({}),
    )
    .await
    .ok(200);
    assert_eq!(
        b.get(&app, "/desk/").await.location.as_deref(),
        Some("/desk/login")
    );
    assert_eq!(
        sign_in(&app, &mut b, "luis@lakeside.example", PASSWORD)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn forms_from_another_site_are_refused() {
    let app = spawn_app().await;
    let shop = app.shop().await;
    let (id, path) = invited(&app, &shop, "Luis Ortega", "luis@lakeside.example").await;
    let b = signed_up(&app, &path).await;
    let board = b.clone().get(&app, "/desk/").await;
    let csrf = field(&board.html, "csrf");
    let before = app.fingerprint().await;
    let r = app
        .client
        .post(format!("{}/desk/presence/clock-in", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", b.cookie_header())
        .header("origin", "https://evil.example")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(before, app.fingerprint().await);
    let mut b = b;
    let r = b
        .post(&app, "/desk/presence/clock-in", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303);
    let me = app.get("/api/v1/staff", &shop.manager.token).await;
    let luis = me
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(luis["presence"]["state"], "on_duty");
}

pub(crate) fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
