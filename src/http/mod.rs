//! HTTP: routes, extractors, problem+json errors, the OpenAPI document.
//! Handlers are thin: extract, call one use case, answer.

mod dealerships;
pub mod extract;
pub mod openapi;
mod ops;
mod outbox;
pub mod problem;
mod repair_orders;
mod respond;
mod staff;
pub mod status_page;
mod webhooks;
mod work;

use crate::app::App;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next, from_fn};
use actix_web::{HttpResponse, web};
use extract::BodyLimit;
use problem::ApiError;
use std::net::TcpListener;
use std::time::{Duration, Instant};
use utoipa::OpenApi;

/// Registers every route. Each resource answers other methods with 405.
pub fn routes(cfg: &mut web::ServiceConfig) {
    fn resource(path: &str) -> actix_web::Resource {
        web::resource(path).default_service(web::to(|| async {
            Err::<HttpResponse, _>(ApiError::MethodNotAllowed)
        }))
    }
    cfg.service(resource("/healthz").route(web::get().to(ops::healthz)))
        .service(resource("/readyz").route(web::get().to(ops::readyz)))
        .service(resource("/api/v1/dealerships").route(web::post().to(dealerships::create)))
        .service(resource("/api/v1/dealerships/{id}").route(web::get().to(dealerships::get)))
        .service(
            resource("/api/v1/dealerships/{id}/staff")
                .route(web::post().to(dealerships::create_staff)),
        )
        .service(resource("/api/v1/me").route(web::get().to(staff::me)))
        .service(resource("/api/v1/staff").route(web::get().to(staff::list)))
        .service(resource("/api/v1/staff/{id}/clock-in").route(web::post().to(staff::clock_in)))
        .service(resource("/api/v1/staff/{id}/clock-out").route(web::post().to(staff::clock_out)))
        .service(
            resource("/api/v1/repair-orders")
                .route(web::post().to(repair_orders::check_in))
                .route(web::get().to(repair_orders::list)),
        )
        .service(resource("/api/v1/repair-orders/{id}").route(web::get().to(repair_orders::get)))
        .service(
            resource("/api/v1/repair-orders/{id}/estimate")
                .route(web::post().to(repair_orders::estimate)),
        )
        .service(
            resource("/api/v1/repair-orders/{id}/approvals")
                .route(web::post().to(repair_orders::approvals)),
        )
        .service(
            resource("/api/v1/repair-orders/{id}/timeline")
                .route(web::get().to(repair_orders::timeline)),
        )
        .service(
            resource("/api/v1/repair-orders/{id}/messages")
                .route(web::post().to(repair_orders::message)),
        )
        .service(resource("/api/v1/staff/{id}/schedule").route(web::put().to(staff::schedule)))
        .service(resource("/api/v1/staff/{id}/time-off").route(web::post().to(staff::time_off)))
        .service(resource("/api/v1/staff/{id}/break").route(web::post().to(staff::take_break)))
        .service(resource("/api/v1/staff/{id}/delegates").route(web::put().to(staff::delegates)))
        .service(
            resource("/api/v1/staff/{id}/availability").route(web::get().to(staff::availability)),
        )
        .service(
            resource("/api/v1/repair-orders/{id}/delegates").route(web::put().to(work::delegates)),
        )
        .service(
            resource("/api/v1/repair-orders/{id}/arrived").route(web::post().to(work::arrived)),
        )
        .service(resource("/s/{token}").route(web::get().to(status_page::show)))
        .service(resource("/s/{token}/approve").route(web::post().to(status_page::approve)))
        .service(resource("/s/{token}/messages").route(web::post().to(status_page::message)))
        .service(resource("/api/v1/public/{token}").route(web::get().to(status_page::json)))
        .service(resource("/webhooks/twilio/inbound").route(web::post().to(webhooks::inbound)))
        .service(resource("/webhooks/twilio/status").route(web::post().to(webhooks::status)))
        .service(resource("/dev/outbox").route(web::get().to(outbox::dev_outbox)))
        .service(resource("/metrics").route(web::get().to(outbox::metrics)))
        .service(resource("/api/v1/repair-orders/{id}/status").route(web::post().to(work::status)))
        .service(
            resource("/api/v1/repair-orders/{id}/promised-at")
                .route(web::put().to(work::promised_at)),
        )
        .service(resource("/api/v1/repair-orders/{id}/ready").route(web::post().to(work::ready)))
        .service(
            resource("/api/v1/repair-orders/{id}/handover").route(web::post().to(work::handover)),
        )
        .service(resource("/api/v1/repair-orders/{id}/cancel").route(web::post().to(work::cancel)))
        .service(
            resource("/api/v1/repair-orders/{id}/payments").route(web::post().to(work::payment)),
        )
        .service(resource("/api/v1/repair-orders/{id}/pickup").route(web::post().to(work::pickup)))
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                .url("/openapi.json", openapi::ApiDoc::openapi()),
        )
        .service(resource("/docs").route(web::get().to(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header(("Location", "/docs/"))
                .finish()
        })));
}

/// One log line per request, naming the route pattern rather than the path,
/// so identifiers and tokens in URLs never reach the logs.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".into());
    let status = res.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(%method, %route, status, ms, "request");
    } else {
        tracing::info!(%method, %route, status, ms, "request");
    }
    Ok(res)
}

/// The HTTP server on `listener`, not yet running.
pub fn server(app: App, listener: TcpListener) -> std::io::Result<Server> {
    let limit = BodyLimit(app.settings.server.max_body_bytes);
    let workers = match app.settings.server.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let shutdown = Duration::from_secs(app.settings.server.shutdown_timeout_seconds);
    let limits = web::Data::new(status_page::PublicLimits::new(
        app.settings.status_page.requests_per_minute_per_link,
        app.settings.status_page.requests_per_minute_per_address,
    ));
    let data = web::Data::new(app);
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .app_data(limits.clone())
            .app_data(limit)
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NoRoute.into()))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|err, _| ApiError::BadQuery(err.to_string()).into()),
            )
            .wrap(
                DefaultHeaders::new()
                    .add(("Cache-Control", "no-store"))
                    .add(("X-Content-Type-Options", "nosniff")),
            )
            .wrap(from_fn(log_request))
            .configure(routes)
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(ApiError::NoRoute)
            }))
    })
    .workers(workers)
    .shutdown_timeout(shutdown.as_secs())
    .listen(listener)?
    .run();
    Ok(server)
}
