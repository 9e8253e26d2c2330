//! Putting the service together: open and migrate the store, load and check
//! the message templates, bind the port, build the server and the delivery
//! worker. Used by `main` and by the integration tests, which bind port 0
//! with a fresh database and a manual clock.

use crate::app::App;
use crate::app::public::links::Links;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::notify::outbox::Outbox;
use crate::notify::templates::Templates;
use crate::notify::transport::Transports;
use crate::worker::WorkerHandle;
use actix_web::dev::Server;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;

/// The use cases over an opened, migrated store with checked templates.
pub async fn build_app(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
    let url = settings.database.url.clone();
    let options = settings.db_options();
    let templates_dir = settings.notify.templates_dir.clone();
    let configured_secret = settings.status_page.link_secret.clone();
    let now = clock.now().naive_utc();
    let (db, templates, secret) = tokio::task::spawn_blocking(
        move || -> anyhow::Result<(Db, Templates, secrecy::SecretSlice<u8>)> {
            let db = Db::open(url.expose_secret(), options)?;
            let applied = db.migrate()?;
            if !applied.is_empty() {
                tracing::info!(migrations = ?applied, "database migrated");
            }
            let secret = db
                .get()?
                .write(|tx| Links::secret(tx, configured_secret.expose_secret(), now))
                .map_err(|e| anyhow::anyhow!("status-link secret: {e}"))?;
            let templates = Templates::configured(&templates_dir)?;
            crate::app::status_page_check(&templates)?;
            Ok((db, templates, secret))
        },
    )
    .await??;
    db.start_announcing(std::time::Duration::from_millis(
        settings.worker.listen_poll_ms.max(1),
    ));
    let links = Arc::new(Links::new(&secret, &settings.public_base_url)?);
    let stripe = crate::payments::Stripe::from_settings(&settings.payments.stripe)?;
    Ok(App::new(
        db,
        clock,
        Arc::new(settings),
        Arc::new(Outbox::new(templates)),
        links,
        stripe,
    ))
}

pub struct Application {
    port: u16,
    server: Server,
    app: App,
    worker: Option<WorkerHandle>,
}

impl Application {
    /// Opens the database (stopping with the backend's own error if it
    /// cannot), applies migrations, checks templates, binds `server.bind`,
    /// and starts the worker unless `worker.enabled` is false.
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let bind = settings.server.bind.clone();
        let app = build_app(settings, clock).await?;
        let transports = Arc::new(Transports::from_settings(&app.settings)?);
        let listener = TcpListener::bind(&bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
        let port = listener.local_addr()?.port();
        tracing::info!(backend = app.db.backend().name(), address = %listener.local_addr()?, "listening");
        if transports.all_local() {
            tracing::info!(
                "no SMS or email provider configured: messages stay on this machine (see /dev/outbox)"
            );
        }
        let server = crate::http::server(app.clone(), listener)?;
        let worker = app
            .settings
            .worker
            .enabled
            .then(|| crate::worker::spawn(app.clone(), transports));
        Ok(Self {
            port,
            server,
            app,
            worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    /// A handle that stops the server gracefully (in-flight requests finish).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM, lets in-flight requests finish (up to
    /// `server.shutdown_timeout_seconds`), then lets in-flight sends finish
    /// (up to `worker.shutdown_grace_seconds`).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(worker) = self.worker {
            worker.shutdown().await;
        }
        served
    }
}
