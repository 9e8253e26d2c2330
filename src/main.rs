//! `handover [serve | worker | migrate | demo | backup PATH | healthcheck]` —
//! see README.md. Nothing runs on `--help` or `--version`.

mod backup;

use clap::{Parser, Subcommand};
use handover::app::admin::demo::{DEMO_DEALERSHIP, DemoTokens};
use handover::clock::SystemClock;
use handover::config::Settings;
use handover::startup::Application;
use handover::store::Db;
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Repair orders from check-in to pickup for dealership service departments.
///
/// Settings: config/default.toml (compiled in), then config/$HANDOVER_ENV.toml,
/// then HANDOVER__SECTION__KEY environment variables.
#[derive(Parser)]
#[command(name = "handover", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API and the delivery worker (the default). Migrations
    /// run at start.
    Serve,
    /// Deliver the outbox only (no HTTP); run beside `serve` instances.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Create the demo dealership (four staff, two repair orders) if it is
    /// missing and print shell exports of fresh tokens for its staff. Earlier
    /// demo tokens stop working.
    Demo,
    /// Copy the database to PATH. SQLite: a consistent copy, safe while the
    /// service runs. PostgreSQL: pg_dump's custom format, when pg_dump is
    /// installed. See README "Backups and upgrades" for restoring.
    Backup {
        /// Where to write the copy (must not exist yet).
        path: PathBuf,
    },
    /// Exit 0 if the running service answers /readyz (for containers).
    Healthcheck,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("handover: {e}");
            return ExitCode::from(2);
        }
    };
    handover::telemetry::init(&settings.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("handover: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(settings).await,
            Command::Worker => worker(settings).await,
            Command::Migrate => migrate(settings).await,
            Command::Demo => demo(settings).await,
            Command::Backup { path } => backup::run(settings, path).await,
            Command::Healthcheck => healthcheck(&settings),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("handover: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    if settings.admin_token.expose_secret().is_empty() {
        tracing::info!("admin_token is empty: the admin API is off");
    }
    let seed = settings.demo.seed_on_start;
    let application = Application::build(settings, Arc::new(SystemClock)).await?;
    if seed {
        let demo = application
            .app()
            .seed_demo(DemoTokens::Keep)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tracing::info!(
            dealership_id = %demo.dealership_id,
            "demo dealership ready; `handover demo` prints tokens for its staff"
        );
    }
    application.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn worker(settings: Settings) -> anyhow::Result<()> {
    let app = handover::startup::build_app(settings, Arc::new(SystemClock)).await?;
    let transports = Arc::new(handover::notify::transport::Transports::from_settings(
        &app.settings,
    )?);
    let worker = handover::worker::spawn(app, transports);
    tracing::info!("worker running; Ctrl-C or SIGTERM stops it after in-flight sends finish");
    shutdown_signal().await;
    worker.shutdown().await;
    tracing::info!("worker stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let url = settings.database.url.clone();
    let options = settings.db_options();
    let applied = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        Ok(Db::open(url.expose_secret(), options)?.migrate()?)
    })
    .await??;
    if applied.is_empty() {
        println!("database is up to date");
    } else {
        for name in applied {
            println!("applied {name}");
        }
    }
    Ok(())
}

/// Prints shell exports of the demo staff's fresh tokens; the tokens are
/// shown here only, never written to a file.
async fn demo(settings: Settings) -> anyhow::Result<()> {
    let base = settings.public_base_url.clone();
    let app = handover::startup::build_app(settings, Arc::new(SystemClock)).await?;
    let demo = app
        .seed_demo(DemoTokens::Fresh)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "{} the demo dealership \"{DEMO_DEALERSHIP}\"; tokens below are new (earlier ones stopped working).",
        if demo.created { "Created" } else { "Found" },
    );
    println!("export HANDOVER_URL={base}");
    println!("export DEALERSHIP_ID={}", demo.dealership_id);
    for login in &demo.logins {
        let var = login.role.as_str().to_uppercase();
        println!("export {var}_TOKEN={}", login.token);
        println!("export {var}_ID={}   # {}", login.staff_id, login.name);
    }
    Ok(())
}

/// Asks the local service's /readyz over plain TCP, so container images need
/// no curl.
fn healthcheck(settings: &Settings) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let bind = settings
        .server
        .bind
        .replace("0.0.0.0", "127.0.0.1")
        .replace("[::]", "[::1]");
    let mut stream = std::net::TcpStream::connect(&bind)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    stream.write_all(b"GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        anyhow::bail!(
            "not ready: {}",
            answer.lines().next().unwrap_or("no answer")
        )
    }
}
