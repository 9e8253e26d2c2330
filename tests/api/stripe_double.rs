//! A Stripe-shaped fake for Checkout Sessions and refunds. It checks each request as
//! Stripe's API reference describes it — bearer secret key, an
//! Idempotency-Key, form encoding, the fields a one-line payment session
//! needs — answers as Stripe does (the session object, or an error body),
//! and keeps every request for the test to read.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const SECRET_KEY: &str = "sk_test_handover_0123456789";
pub const WEBHOOK_SECRET: &str = "whsec_handover_test";

#[derive(Clone, Debug)]
pub struct Call {
    pub path: String,
    pub idempotency_key: String,
    pub form: HashMap<String, String>,
}

pub struct StripeMock {
    pub server: MockServer,
    calls: Arc<Mutex<Vec<Call>>>,
    down: Arc<Mutex<bool>>,
    refunds: Arc<Mutex<Vec<Value>>>,
}

struct Responder {
    counter: AtomicU64,
    calls: Arc<Mutex<Vec<Call>>>,
    down: Arc<Mutex<bool>>,
    /// Idempotency-Key → the answer first given for it.
    answered: Mutex<HashMap<String, Value>>,
    refunds: Arc<Mutex<Vec<Value>>>,
}

fn error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": {"type": "invalid_request_error", "message": message}}))
}

const REQUIRED: [&str; 10] = [
    "mode",
    "line_items[0][price_data][currency]",
    "line_items[0][price_data][unit_amount]",
    "line_items[0][price_data][product_data][name]",
    "line_items[0][quantity]",
    "client_reference_id",
    "metadata[ro_id]",
    "success_url",
    "cancel_url",
    "expires_at",
];

impl Responder {
    /// `POST /v1/refunds`: a payment intent and an amount; the refund
    /// object, kept under its Idempotency-Key as Stripe keeps it.
    fn refund(&self, key: &str, form: &HashMap<String, String>) -> ResponseTemplate {
        for field in ["payment_intent", "amount"] {
            if !form.contains_key(field) {
                return error(400, &format!("Missing required param: {field}."));
            }
        }
        if !form["payment_intent"].starts_with("pi_") {
            return error(400, "No such payment_intent");
        }
        let Ok(amount) = form["amount"].parse::<i64>() else {
            return error(400, "Invalid integer: amount");
        };
        if amount <= 0 {
            return error(400, "This value must be greater than or equal to 1.");
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let body = json!({
            "id": format!("re_test_{n}"), "object": "refund", "amount": amount, "currency": "usd",
            "payment_intent": form["payment_intent"], "status": "succeeded",
            "metadata": {"ro_id": form.get("metadata[ro_id]"), "refund_id": form.get("metadata[refund_id]")},
        });
        self.answered
            .lock()
            .unwrap()
            .insert(key.to_owned(), body.clone());
        self.refunds.lock().unwrap().push(body.clone());
        ResponseTemplate::new(200).set_body_json(body)
    }
}

impl Respond for Responder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let header = |n: &str| {
            req.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        if header("authorization") != format!("Bearer {SECRET_KEY}") {
            return error(401, "Invalid API Key provided");
        }
        let key = header("idempotency-key");
        if key.is_empty() {
            return error(400, "this fake wants an Idempotency-Key on every POST");
        }
        if !header("content-type").starts_with("application/x-www-form-urlencoded") {
            return error(400, "Stripe takes form-encoded bodies");
        }
        let form: HashMap<String, String> =
            form_urlencoded::parse(&req.body).into_owned().collect();
        let path = req.url.path().to_owned();
        self.calls.lock().unwrap().push(Call {
            path: path.clone(),
            idempotency_key: key.clone(),
            form: form.clone(),
        });
        if *self.down.lock().unwrap() {
            return error(500, "An unknown error occurred");
        }
        if let Some(id) = path
            .strip_prefix("/v1/checkout/sessions/")
            .and_then(|p| p.strip_suffix("/expire"))
        {
            return ResponseTemplate::new(200).set_body_json(json!({"id": id, "object": "checkout.session", "status": "expired", "url": null, "expires_at": 0}));
        }
        if let Some(first) = self.answered.lock().unwrap().get(&key) {
            return ResponseTemplate::new(200).set_body_json(first.clone());
        }
        if path == "/v1/refunds" {
            return self.refund(&key, &form);
        }
        if let Some(missing) = REQUIRED.iter().find(|f| !form.contains_key(**f)) {
            return error(400, &format!("Missing required param: {missing}."));
        }
        let expires: i64 = form["expires_at"].parse().unwrap_or(0);
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let id = format!("cs_test_{n}");
        let body = json!({
            "id": id, "object": "checkout.session", "mode": "payment", "status": "open",
            "payment_status": "unpaid", "url": format!("https://checkout.stripe.com/c/pay/{id}"),
            "expires_at": expires,
            "amount_total": form["line_items[0][price_data][unit_amount]"].parse::<i64>().unwrap_or(0),
            "currency": form["line_items[0][price_data][currency]"],
            "client_reference_id": form["client_reference_id"],
        });
        self.answered.lock().unwrap().insert(key, body.clone());
        ResponseTemplate::new(200).set_body_json(body)
    }
}

impl StripeMock {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let calls = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(Mutex::new(false));
        let refunds = Arc::new(Mutex::new(Vec::new()));
        Mock::given(method("POST"))
            .and(path_regex(
                r"^/v1/(refunds|checkout/sessions(/cs_[A-Za-z0-9_]+/expire)?)$",
            ))
            .respond_with(Responder {
                counter: AtomicU64::new(1),
                calls: calls.clone(),
                down: down.clone(),
                answered: Mutex::new(HashMap::new()),
                refunds: refunds.clone(),
            })
            .mount(&server)
            .await;
        Self {
            server,
            calls,
            down,
            refunds,
        }
    }

    /// Refunds Stripe made (a replayed Idempotency-Key makes none).
    pub fn refunds(&self) -> Vec<Value> {
        self.refunds.lock().unwrap().clone()
    }

    /// Stripe answers again.
    pub fn come_back(&self) {
        *self.down.lock().unwrap() = false;
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Stripe answers 500 to everything from now on.
    pub fn go_down(&self) {
        *self.down.lock().unwrap() = true;
    }
}

/// A signed webhook delivery as Stripe makes it.
pub fn signed(event: &Value, at: i64) -> (String, String) {
    let body = event.to_string();
    let header = handover::payments::signature::header(WEBHOOK_SECRET, at, body.as_bytes());
    (body, header)
}
