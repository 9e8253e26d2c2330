//! Stand-ins for the outside world: Twilio as wiremock checking the request
//! exactly as Twilio documents it, and a real SMTP server over TCP.

use crate::fixtures::Person;
use crate::helpers::*;
use base64::Engine;
use chrono::Utc;
use handover::config::{EmailTransport, Secret, SmsTransport, SmtpTls};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const TOKEN: &str = "twilio-test-auth-token";
pub const FROM: &str = "+13125550199";

/// The notifications of one kind on one channel (sms, email).
pub fn of<'a>(ns: &'a [Value], kind: &str, channel: &str) -> Vec<&'a Value> {
    ns.iter()
        .filter(|n| n["kind"] == kind && n["channel"] == channel)
        .collect()
}

pub fn messages_path() -> String {
    format!("/2010-04-01/Accounts/{SID}/Messages.json")
}

/// A request Twilio would accept: Basic auth with the account, form-encoded
/// To, Body, From or MessagingServiceSid, and StatusCallback.
pub fn form_of(req: &Request) -> HashMap<String, String> {
    form_urlencoded::parse(&req.body).into_owned().collect()
}

pub fn assert_twilio_shape(req: &Request, public_base_url: &str) {
    let auth = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
    );
    assert_eq!(auth, expected, "Basic auth with AccountSid:AuthToken");
    let ct = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        ct.starts_with("application/x-www-form-urlencoded"),
        "form-encoded, got {ct}"
    );
    let form = form_of(req);
    let to = form.get("To").expect("To");
    assert!(
        to.starts_with('+') && to[1..].chars().all(|c| c.is_ascii_digit()),
        "To is E.164: {to}"
    );
    assert!(
        form.contains_key("From") ^ form.contains_key("MessagingServiceSid"),
        "From or MessagingServiceSid: {form:?}"
    );
    let body = form.get("Body").expect("Body");
    assert!(
        !body.is_empty() && body.chars().count() <= 1600,
        "Body 1..1600 characters"
    );
    assert_eq!(
        form.get("StatusCallback").map(String::as_str),
        Some(format!("{public_base_url}/webhooks/twilio/status").as_str())
    );
    for key in form.keys() {
        assert!(
            [
                "To",
                "From",
                "MessagingServiceSid",
                "Body",
                "StatusCallback"
            ]
            .contains(&key.as_str()),
            "unexpected parameter {key}"
        );
    }
}

/// What the mock answers, per call (in order; the last repeats).
#[derive(Clone)]
pub enum Answer {
    Created,
    Status(u16, Value),
    /// 429 Too Many Requests with Retry-After in seconds.
    TooMany(u64),
    Delay(Duration),
}

pub struct TwilioMock {
    pub server: MockServer,
    pub sent: Arc<Mutex<Vec<HashMap<String, String>>>>,
    answers: Arc<Mutex<Vec<Answer>>>,
    /// What the Messages list endpoint reports as already sent.
    pub listed: Arc<Mutex<Vec<Value>>>,
}

struct SendResponder {
    counter: AtomicU64,
    sent: Arc<Mutex<Vec<HashMap<String, String>>>>,
    answers: Arc<Mutex<Vec<Answer>>>,
    listed: Arc<Mutex<Vec<Value>>>,
}

impl SendResponder {
    /// As on Twilio, a message it created shows in the Messages list, which
    /// is what a worker taking over an expired lease asks before resending.
    fn list(&self, sid: &str, req: &Request) {
        let form = form_of(req);
        self.listed.lock().unwrap().push(json!({
            "sid": sid, "to": form.get("To"), "body": form.get("Body"), "status": "queued",
            "date_created": Utc::now().to_rfc2822(),
        }));
    }
}

impl Respond for SendResponder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        assert_twilio_shape(req, "http://handover.test");
        let answer = {
            let mut answers = self.answers.lock().unwrap();
            if answers.len() > 1 {
                answers.remove(0)
            } else {
                answers.first().cloned().unwrap_or(Answer::Created)
            }
        };
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let sid = format!("SM{n:032x}");
        let created = || {
            self.sent.lock().unwrap().push(form_of(req));
            self.list(&sid, req);
            ResponseTemplate::new(201).set_body_json(json!({
                "sid": format!("SM{n:032x}"), "status": "queued", "error_code": null,
                "to": form_of(req).get("To"), "body": form_of(req).get("Body"),
            }))
        };
        match answer {
            Answer::Created => created(),
            Answer::Status(code, body) => ResponseTemplate::new(code)
                .set_body_json(body)
                .insert_header("Retry-After", "1"),
            Answer::TooMany(secs) => ResponseTemplate::new(429)
                .set_body_json(
                    json!({"code": 20429, "message": "Too Many Requests", "status": 429}),
                )
                .insert_header("Retry-After", secs.to_string().as_str()),
            Answer::Delay(d) => {
                self.list(&sid, req);
                ResponseTemplate::new(201)
                    .set_delay(d)
                    .set_body_json(json!({"sid": sid, "status": "queued"}))
            }
        }
    }
}

struct ListResponder(Arc<Mutex<Vec<Value>>>);

impl Respond for ListResponder {
    /// Filtered by `To` when the query names one, as Twilio does.
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let to = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "To")
            .map(|(_, v)| v.into_owned());
        let messages: Vec<Value> = self
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|m| to.as_deref().is_none_or(|to| m["to"] == to))
            .cloned()
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "messages": messages }))
    }
}

impl TwilioMock {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let sent = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(Mutex::new(vec![Answer::Created]));
        let listed = Arc::new(Mutex::new(Vec::new()));
        Mock::given(method("POST"))
            .and(path(messages_path()))
            .respond_with(SendResponder {
                counter: AtomicU64::new(1),
                sent: sent.clone(),
                answers: answers.clone(),
                listed: listed.clone(),
            })
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(messages_path()))
            .respond_with(ListResponder(listed.clone()))
            .mount(&server)
            .await;
        Self {
            server,
            sent,
            answers,
            listed,
        }
    }

    /// The next answers, in order (the last one repeats).
    pub fn answer(&self, answers: Vec<Answer>) {
        *self.answers.lock().unwrap() = answers;
    }

    pub fn texts(&self) -> Vec<HashMap<String, String>> {
        self.sent.lock().unwrap().clone()
    }

    /// How many times the Messages endpoint was called (accepted or not).
    pub async fn calls(&self) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.method == wiremock::http::Method::POST)
            .count()
    }
}

/// A real SMTP server on a random port, keeping what it receives.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<String>>>,
}

#[derive(Clone)]
struct Collect {
    mails: Arc<Mutex<Vec<String>>>,
    current: Vec<u8>,
}

impl mailin_embedded::Handler for Collect {
    fn data_start(&mut self, _: &str, _: &str, _: bool, _: &[String]) -> mailin_embedded::Response {
        self.current.clear();
        mailin_embedded::response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin_embedded::Response {
        self.mails
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(&self.current).into_owned());
        mailin_embedded::response::OK
    }
}

impl SmtpSink {
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let mut server = mailin_embedded::Server::new(Collect {
            mails: mails.clone(),
            current: Vec::new(),
        });
        server
            .with_name("smtp.test")
            .with_tcp_listener(listener)
            .with_num_threads(2);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, mails }
    }

    pub fn mails(&self) -> Vec<String> {
        self.mails.lock().unwrap().clone()
    }
}

/// The service with Twilio and SMTP pointed at the doubles.
pub async fn spawn_notifying_app(twilio: &TwilioMock, smtp: &SmtpSink) -> TestApp {
    spawn_notifying_app_with(twilio, smtp, |_| {}).await
}

pub async fn spawn_notifying_app_with(
    twilio: &TwilioMock,
    smtp: &SmtpSink,
    adjust: impl FnOnce(&mut handover::config::Settings),
) -> TestApp {
    let (uri, port) = (twilio.server.uri(), smtp.port);
    spawn_app_with(move |s| {
        s.public_base_url = "http://handover.test".into();
        s.sms.transport = SmsTransport::Twilio;
        s.sms.twilio.account_sid = SID.into();
        s.sms.twilio.auth_token = Secret::from(TOKEN);
        s.sms.twilio.api_base = uri;
        s.sms.twilio.from = FROM.into();
        s.sms.twilio.timeout_seconds = 2;
        s.email.transport = EmailTransport::Smtp;
        s.email.smtp.host = "127.0.0.1".into();
        s.email.smtp.port = port;
        s.email.smtp.tls = SmtpTls::None;
        s.worker.retry_schedule_seconds = vec![60, 120];
        s.worker.poll_interval_seconds = 1;
        adjust(s);
    })
    .await
}

/// A dealership that texts from `FROM`, with an advisor (no contact details)
/// and a manager who has a phone.
pub async fn shop_with_number(app: &TestApp) -> (String, Person, Person) {
    let mut body = crate::fixtures::dealership_body("Lakeside");
    body["sms_from"] = json!(FROM);
    let d = app
        .post("/api/v1/dealerships", ADMIN_TOKEN, &body)
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let advisor = app.create_staff(&d, "Ana Lopez", "advisor").await;
    let r = app
        .post(
            &format!("/api/v1/dealerships/{d}/staff"),
            ADMIN_TOKEN,
            &json!({"name": "Maria Chen", "role": "manager", "phone": "+13125550104", "invite": false}),
        )
        .await;
    let body = r.ok(201);
    let manager = Person {
        id: body["id"].as_str().unwrap().into(),
        token: body["token"].as_str().unwrap().into(),
    };
    (d, advisor, manager)
}

/// Waits (real time, bounded) for asynchronous delivery to reach a state.
pub async fn eventually<F, Fut>(what: &str, check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    eventually_within(what, std::time::Duration::from_secs(10), check).await
}

pub async fn eventually_within<F, Fut>(what: &str, limit: std::time::Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..(limit.as_millis() / 25) {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for: {what}");
}

impl TestApp {
    /// The RO's notifications as the timeline shows them.
    pub async fn notifications(&self, token: &str, ro_id: &str) -> Vec<Value> {
        let r = self
            .get(&format!("/api/v1/repair-orders/{ro_id}/timeline"), token)
            .await;
        r.ok(200)["notifications"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Moves the clock and lets the worker look again.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
        self.app.outbox.wake();
    }

    /// Returns once the worker has looked at the outbox after now and found
    /// nothing to do: what was due has been dealt with, and what is not due
    /// was left alone. (Two idle passes: the first may have begun before.)
    pub async fn settle(&self) {
        use std::sync::atomic::Ordering;
        let idle = || {
            self.app
                .outbox
                .metrics()
                .idle_passes
                .load(Ordering::Relaxed)
        };
        let start = idle();
        eventually("the worker to settle", || async {
            self.app.outbox.wake();
            idle() > start + 1
        })
        .await;
    }

    /// Twilio's signature for a webhook call to `path` with `params`.
    pub fn twilio_signed(&self, path: &str, params: &[(&str, &str)]) -> (String, String) {
        let owned: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let signature = handover::notify::transport::signature(
            TOKEN,
            &format!("http://handover.test{path}"),
            &owned,
        );
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        (signature, body)
    }

    pub async fn twilio_post(&self, path: &str, params: &[(&str, &str)]) -> Resp {
        let (signature, body) = self.twilio_signed(path, params);
        self.req(reqwest::Method::POST, path, None)
            .header("X-Twilio-Signature", &signature)
            .raw("application/x-www-form-urlencoded", body)
            .send()
            .await
    }
}
