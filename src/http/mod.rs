//! HTTP: routes, extractors, problem+json errors, the OpenAPI document.
//! Handlers are thin: extract, call one use case, answer.

mod accounts;
mod confirm;
mod credits;
mod dealerships;
mod desk;
pub mod extract;
mod observe;
pub mod openapi;
mod ops;
mod outbox;
mod payments;
pub mod problem;
mod repair_orders;
mod requests;
mod respond;
mod routes;
mod staff;
pub mod status_page;
mod webhooks;
mod work;

use crate::app::App;
use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{HttpResponse, web};
use extract::BodyLimit;
use problem::ApiError;
use std::net::TcpListener;
use std::time::Duration;
use utoipa_actix_web::AppExt;

/// A permanent redirect.
fn to(location: &'static str) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", location))
        .finish()
}

/// Returns to the system what start-up allocated and freed (the API
/// description each worker builds while registering routes, and the one
/// built to serve): glibc keeps freed memory in the allocating thread's arena,
/// which left several MiB per worker resident for the life of the process.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of the allocator's own
    // arenas; it takes the arena locks like any malloc call.
    unsafe {
        libc::malloc_trim(0);
    }
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
    let metrics = web::Data::new(observe::HttpMetrics::default());
    let started = web::Data::new(outbox::Started::now());
    let (doc, api) = openapi::Document::build().map_err(std::io::Error::other)?;
    let table = web::Data::new(routes::RouteTable::from_openapi(&api));
    drop(api);
    give_back_freed_memory();
    let doc = web::Data::new(doc);
    let server = actix_web::HttpServer::new(move || {
        // Each worker registers the routes; the description they also make
        // is dropped here, the shared one is served.
        let (served, described) = actix_web::App::new()
            .into_utoipa_app()
            .configure(routes::routes)
            .split_for_parts();
        drop(described);
        give_back_freed_memory();
        served
            .app_data(data.clone())
            .app_data(metrics.clone())
            .app_data(started.clone())
            .app_data(limits.clone())
            .app_data(limit)
            .app_data(table.clone())
            .app_data(doc.clone())
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NoRoute.into()))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|err, _| ApiError::BadQuery(err.to_string()).into()),
            )
            .wrap(from_fn(confirm::confirm_tokens))
            .wrap(
                DefaultHeaders::new()
                    .add(("Cache-Control", "no-store"))
                    .add(("X-Content-Type-Options", "nosniff")),
            )
            .wrap(from_fn(desk::errors::as_pages))
            .wrap(from_fn(observe::observe))
            .service(web::resource("/openapi.json").route(web::get().to(openapi::serve)))
            .service(
                utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                    .config(utoipa_swagger_ui::Config::from("/openapi.json")),
            )
            .service(web::resource("/docs").route(web::get().to(|| async { to("/docs/") })))
            .service(web::resource("/").route(web::get().to(|| async { to("/docs/") })))
            .default_service(web::to(routes::fallback))
    })
    .workers(workers)
    .shutdown_timeout(shutdown.as_secs())
    .listen(listener)?
    .run();
    Ok(server)
}
