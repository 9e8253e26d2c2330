//! `handover [serve | migrate | demo]` — see README.md.

use handover::app::App;
use handover::app::admin::demo::{DemoCredentials, DemoLogin};
use handover::clock::SystemClock;
use handover::config::Settings;
use handover::startup::Application;
use handover::store::Db;
use secrecy::ExposeSecret;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

const USAGE: &str = "\
handover — repair orders from check-in to pickup

USAGE:
    handover [COMMAND]

COMMANDS:
    serve     run the HTTP API (the default)
    migrate   apply database migrations and exit
    worker    deliver the outbox only (no HTTP); run beside `serve` instances
    demo      create a demo dealership with four staff and two repair orders
              (safe to run again) and print shell exports of their tokens
    healthcheck
              exit 0 if the running service answers /readyz (for containers)
    help      show this text

Settings: config/default.toml, config/$HANDOVER_ENV.toml, HANDOVER__SECTION__KEY.
";

/// Where `demo` keeps the tokens it printed, so a second run can print the
/// same ones (the database holds only their hashes).
const DEMO_TOKENS: &str = "data/demo-tokens.json";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if matches!(command.as_str(), "help" | "--help" | "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
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
        match command.as_str() {
            "serve" => serve(settings).await,
            "migrate" => migrate(settings).await,
            "demo" => demo(settings).await,
            "worker" => worker(settings).await,
            "healthcheck" => healthcheck(&settings),
            other => Err(anyhow::anyhow!("unknown command {other:?}\n\n{USAGE}")),
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
        let credentials = demo_credentials(application.app()).await?;
        tracing::info!(
            dealership_id = %credentials.dealership_id,
            "demo dealership ready; `handover demo` prints its staff tokens (also in {DEMO_TOKENS})"
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
    let url = settings.database.url.expose_secret().to_owned();
    let options = settings.db_options();
    let applied = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        Ok(Db::open(&url, options)?.migrate()?)
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

/// Seeds the demo if missing and returns its logins, keeping the tokens file
/// in step with the database.
async fn demo_credentials(app: &App) -> anyhow::Result<DemoCredentials> {
    let known: Option<Vec<DemoLogin>> = std::fs::read_to_string(DEMO_TOKENS)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let credentials = app
        .seed_demo(known.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if known.as_ref() != Some(&credentials.logins) {
        save_tokens(&credentials)?;
    }
    Ok(credentials)
}

async fn demo(settings: Settings) -> anyhow::Result<()> {
    let base = settings.public_base_url.clone();
    let app = handover::startup::build_app(settings, Arc::new(SystemClock)).await?;
    let credentials = demo_credentials(&app).await?;
    eprintln!(
        "{} the demo dealership \"{}\". Tokens are also in {DEMO_TOKENS}.",
        if credentials.created {
            "Created"
        } else {
            "Found"
        },
        handover::app::admin::demo::DEMO_DEALERSHIP
    );
    println!("export HANDOVER_URL={base}");
    println!("export DEALERSHIP_ID={}", credentials.dealership_id);
    for login in &credentials.logins {
        let var = login.role.as_str().to_uppercase();
        println!("export {var}_TOKEN={}", login.token);
        println!("export {var}_ID={}   # {}", login.staff_id, login.name);
    }
    Ok(())
}

fn save_tokens(credentials: &DemoCredentials) -> anyhow::Result<()> {
    let path = Path::new(DEMO_TOKENS);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(&credentials.logins)?)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
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
