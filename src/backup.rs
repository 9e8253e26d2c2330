//! `handover backup PATH`: SQLite copies itself (consistent while the service
//! runs); PostgreSQL is copied by pg_dump when it is installed, the password
//! passed in the environment, never on the command line.

use handover::config::Settings;
use handover::store::{BackupPlan, Db};
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::process::Command;

pub async fn run(settings: Settings, path: PathBuf) -> anyhow::Result<()> {
    if path.exists() {
        anyhow::bail!("{} exists already; choose a new file", path.display());
    }
    let url = settings.database.url.clone();
    let options = settings.db_options();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let db = Db::open(url.expose_secret(), options)?;
        match db.backup_plan() {
            BackupPlan::Sqlite => db.sqlite_backup(&path)?,
            BackupPlan::PgDump { url } => pg_dump(url, &path)?,
        }
        println!("backed up to {}", path.display());
        Ok(())
    })
    .await?
}

fn pg_dump(url: &str, path: &std::path::Path) -> anyhow::Result<()> {
    let mut parsed = url::Url::parse(url)?;
    let password = parsed.password().map(str::to_owned);
    // The URL goes on the command line, where other users can see it.
    parsed
        .set_password(None)
        .map_err(|()| anyhow::anyhow!("the database URL cannot carry a password"))?;
    let mut command = Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--file")
        .arg(path)
        .arg("--dbname")
        .arg(parsed.as_str());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let status = command.status().map_err(|e| {
        anyhow::anyhow!(
            "pg_dump could not be started ({e}). Install PostgreSQL's client tools, or run: \
             pg_dump --format=custom --file {} <database URL>",
            path.display()
        )
    })?;
    if !status.success() {
        anyhow::bail!("pg_dump failed ({status})");
    }
    Ok(())
}
