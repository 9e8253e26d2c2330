//! A local stand-in for Twilio's Messages endpoint: it answers a send the
//! way Twilio does (201 with a `sid`), lists what it has for the
//! "did my send go through?" lookup, and logs every arrival with its time so
//! the harness can count each notification and time it.
//!
//! Control routes: GET /_stats (counts), GET /_log (every arrival), POST /_reset.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Clone, Serialize, Deserialize)]
pub struct Arrival {
    pub to: String,
    pub body: String,
    /// Microseconds since the Unix epoch when the request was read.
    pub at_us: i64,
}

#[derive(Default)]
struct Log {
    arrivals: Vec<Arrival>,
    sids: HashMap<String, Vec<(String, String, String)>>, // to → (sid, body, date)
}

struct Mock {
    log: Mutex<Log>,
    delay: Duration,
}

pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

fn sid() -> String {
    format!("SM{}", uuid::Uuid::new_v4().simple())
}

async fn send(req: HttpRequest, mock: web::Data<Mock>, body: web::Bytes) -> HttpResponse {
    let at_us = now_us();
    // Twilio's shape: Basic auth, form fields To, Body and From or a Messaging Service.
    if req.headers().get("authorization").is_none() {
        return HttpResponse::Unauthorized()
            .json(serde_json::json!({"code": 20003, "message": "Authenticate"}));
    }
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let (Some(to), Some(text)) = (form.get("To"), form.get("Body")) else {
        return HttpResponse::BadRequest()
            .json(serde_json::json!({"code": 21604, "message": "A 'To' and 'Body' are required"}));
    };
    if !form.contains_key("From") && !form.contains_key("MessagingServiceSid") {
        return HttpResponse::BadRequest().json(
            serde_json::json!({"code": 21603, "message": "A 'From' phone number is required"}),
        );
    }
    let sid = sid();
    let date = chrono::Utc::now().to_rfc2822();
    if let Ok(mut log) = mock.log.lock() {
        log.arrivals.push(Arrival {
            to: to.clone(),
            body: text.clone(),
            at_us,
        });
        log.sids
            .entry(to.clone())
            .or_default()
            .push((sid.clone(), text.clone(), date.clone()));
    }
    if !mock.delay.is_zero() {
        tokio::time::sleep(mock.delay).await;
    }
    HttpResponse::Created().json(serde_json::json!({
        "sid": sid, "status": "queued", "to": to, "body": text, "date_created": date,
    }))
}

/// GET Messages.json?To=…: what the service asks after a crash.
async fn list(req: HttpRequest, mock: web::Data<Mock>) -> HttpResponse {
    let query: HashMap<String, String> = form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let to = query.get("To").cloned().unwrap_or_default();
    let messages: Vec<serde_json::Value> = mock
        .log
        .lock()
        .map(|log| {
            log.sids
                .get(&to)
                .map(|v| {
                    v.iter()
                        .map(|(sid, body, date)| {
                            serde_json::json!({"sid": sid, "to": to, "body": body, "status": "sent", "date_created": date})
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .unwrap_or_default();
    HttpResponse::Ok().json(serde_json::json!({ "messages": messages }))
}

async fn stats(mock: web::Data<Mock>) -> HttpResponse {
    let Ok(log) = mock.log.lock() else {
        return HttpResponse::InternalServerError().finish();
    };
    let mut seen: HashMap<(&str, &str), u32> = HashMap::new();
    for a in &log.arrivals {
        *seen.entry((&a.to, &a.body)).or_default() += 1;
    }
    HttpResponse::Ok().json(serde_json::json!({
        "received": log.arrivals.len(),
        "distinct": seen.len(),
        "first_us": log.arrivals.iter().map(|a| a.at_us).min(),
        "last_us": log.arrivals.iter().map(|a| a.at_us).max(),
    }))
}

async fn dump(mock: web::Data<Mock>) -> HttpResponse {
    match mock.log.lock() {
        Ok(log) => HttpResponse::Ok().json(&log.arrivals),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

async fn reset(mock: web::Data<Mock>) -> HttpResponse {
    if let Ok(mut log) = mock.log.lock() {
        *log = Log::default();
    }
    HttpResponse::NoContent().finish()
}

/// Serves until the process is stopped.
pub fn serve(port: u16, delay_ms: u64) -> anyhow::Result<()> {
    let mock = web::Data::new(Mock {
        log: Mutex::new(Log::default()),
        delay: Duration::from_millis(delay_ms),
    });
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(mock.clone())
                .app_data(web::PayloadConfig::new(1 << 20))
                .route(
                    "/2010-04-01/Accounts/{sid}/Messages.json",
                    web::post().to(send),
                )
                .route(
                    "/2010-04-01/Accounts/{sid}/Messages.json",
                    web::get().to(list),
                )
                .route("/_stats", web::get().to(stats))
                .route("/_log", web::get().to(dump))
                .route("/_reset", web::post().to(reset))
        })
        .workers(1)
        .backlog(4096)
        .max_connections(50_000)
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })?;
    Ok(())
}
