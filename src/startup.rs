//! Putting the service together: open and migrate the store, bind the port,
//! build the server. Used by `main` and by the integration tests, which bind
//! port 0 with a fresh database and a manual clock.

use crate::app::App;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use actix_web::dev::Server;
use std::net::TcpListener;
use std::sync::Arc;

pub struct Application {
    port: u16,
    server: Server,
    app: App,
}

impl Application {
    /// Opens the database (stopping with the backend's own error if it
    /// cannot), applies migrations, binds `server.bind`.
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let url = settings.database.url.expose().to_owned();
        let options = settings.db_options();
        let db = tokio::task::spawn_blocking(move || -> anyhow::Result<Db> {
            let db = Db::open(&url, options)?;
            let applied = db.migrate()?;
            if !applied.is_empty() {
                tracing::info!(migrations = ?applied, "database migrated");
            }
            Ok(db)
        })
        .await??;
        let listener = TcpListener::bind(&settings.server.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        tracing::info!(backend = db.backend().name(), address = %listener.local_addr()?, "listening");
        let app = App::new(db, clock, Arc::new(settings));
        let server = crate::http::server(app.clone(), listener)?;
        Ok(Self { port, server, app })
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

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish
    /// (up to `server.shutdown_timeout_seconds`).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
