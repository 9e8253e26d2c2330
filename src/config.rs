//! Settings, layered: the defaults compiled in from config/default.toml, then
//! config/$HANDOVER_ENV.toml if present, then `HANDOVER__SECTION__KEY`
//! environment variables. Unknown keys are errors, so a typo in a setting
//! stops start-up instead of being silently ignored.

use crate::db::{DbOptions, SqliteSynchronous};
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::time::Duration;

/// The defaults, documented key by key. Compiled in so the binary runs from
/// any directory; the file on disk is the same text.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub admin_token: Secret,
    pub public_base_url: String,
    pub log: LogSettings,
    pub demo: DemoSettings,
    pub sms: SmsSettings,
    pub email: EmailSettings,
    pub worker: WorkerSettings,
    pub notify: NotifySettings,
    pub status_page: StatusPageSettings,
    pub jobs: JobSettings,
    pub retention: RetentionSettings,
    pub desk: DeskSettings,
    pub payments: PaymentSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskSettings {
    pub session_idle_hours: i64,
    pub invitation_hours: i64,
    pub max_failed_sign_ins: i64,
    pub failed_sign_in_window_minutes: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    pub max_attempts: u32,
    pub retry_base_seconds: i64,
    pub retry_max_seconds: i64,
    pub retry_jitter: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    pub purge_interval_minutes: i64,
    pub finished_jobs_days: i64,
    pub provider_callbacks_days: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusPageSettings {
    pub link_secret: Secret,
    pub days_after_pickup: i64,
    pub requests_per_minute_per_link: u32,
    pub requests_per_minute_per_address: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsTransport {
    Log,
    Twilio,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    pub transport: SmsTransport,
    pub twilio: TwilioSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwilioSettings {
    pub account_sid: String,
    pub auth_token: Secret,
    pub api_base: String,
    pub from: String,
    pub messaging_service_sid: String,
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailTransport {
    Log,
    Smtp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub transport: EmailTransport,
    pub from: String,
    pub smtp: SmtpSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub password: Secret,
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSettings {
    pub enabled: bool,
    pub concurrency: usize,
    pub batch_size: i64,
    pub lease_seconds: i64,
    pub poll_interval_seconds: u64,
    pub retry_schedule_seconds: Vec<i64>,
    pub retry_jitter: f64,
    pub shutdown_grace_seconds: u64,
    pub listen_poll_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySettings {
    pub templates_dir: String,
    pub progress_update_time: crate::domain::dealership::LocalTime,
    pub dev_outbox: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSettings {
    pub seed_on_start: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub max_body_bytes: usize,
    pub workers: usize,
    pub shutdown_timeout_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub pool_size: u32,
    pub connect_timeout_seconds: u64,
    pub sqlite_synchronous: SqliteSynchronous,
    pub sqlite_busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

pub use crate::payments::settings::{PaymentSettings, StripeSettings};
/// A value that must never reach a log (secrecy's `Debug` prints it
/// redacted); read it with `ExposeSecret::expose_secret`.
pub use secrecy::SecretString as Secret;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads the layers described above. `HANDOVER_ENV` picks the overlay
    /// file (`config/production.toml` for `HANDOVER_ENV=production`).
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_from(std::env::vars().collect())
    }

    /// [`Settings::load`] with the environment given explicitly (for tests).
    pub fn load_from(vars: std::collections::HashMap<String, String>) -> Result<Self, ConfigError> {
        let mut builder = config::Config::builder().add_source(config::File::from_str(
            DEFAULT_TOML,
            config::FileFormat::Toml,
        ));
        if let Some(env) = vars.get("HANDOVER_ENV") {
            let env = env.trim().to_owned();
            if env.is_empty()
                || !env
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(ConfigError::Invalid(format!(
                    "HANDOVER_ENV={env:?} must be a plain name such as production"
                )));
            }
            let path = format!("config/{env}.toml");
            if !std::path::Path::new(&path).exists() {
                return Err(ConfigError::Invalid(format!(
                    "HANDOVER_ENV={env} but {path} does not exist"
                )));
            }
            builder = builder.add_source(config::File::with_name(&path));
        }
        let settings: Settings = builder
            .add_source(
                config::Environment::with_prefix("HANDOVER")
                    .prefix_separator("__")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("worker.retry_schedule_seconds")
                    // No `try_parsing`: it would turn an all-digit secret into
                    // a float. Strings are converted where a field needs a
                    // number or a bool.
                    .source(Some(vars.into_iter().collect())),
            )
            .build()?
            .try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Defaults only, for tests that then adjust fields.
    pub fn defaults() -> Result<Self, ConfigError> {
        let settings: Settings = config::Config::builder()
            .add_source(config::File::from_str(
                DEFAULT_TOML,
                config::FileFormat::Toml,
            ))
            .build()?
            .try_deserialize()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let token = self.admin_token.expose_secret();
        if !token.is_empty() && token.len() < 32 {
            return Err(ConfigError::Invalid(
                "admin_token must be at least 32 characters (or empty to disable the admin API)"
                    .into(),
            ));
        }
        if self.server.max_body_bytes < 1024 {
            return Err(ConfigError::Invalid(
                "server.max_body_bytes must be at least 1024".into(),
            ));
        }
        if !(self.public_base_url.starts_with("http://")
            || self.public_base_url.starts_with("https://"))
        {
            return Err(ConfigError::Invalid(format!(
                "public_base_url {:?} must start with http:// or https://",
                self.public_base_url
            )));
        }
        crate::db::DatabaseTarget::parse(self.database.url.expose_secret())
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        self.payments.stripe.validate()?;
        self.validate_notifications()
    }

    fn validate_notifications(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_owned()));
        if self.sms.transport == SmsTransport::Twilio {
            let t = &self.sms.twilio;
            let sid_ok = t.account_sid.len() == 34
                && t.account_sid.starts_with("AC")
                && t.account_sid[2..].chars().all(|c| c.is_ascii_hexdigit());
            if !sid_ok {
                return bad("sms.twilio.account_sid must be AC followed by 32 hex digits");
            }
            if t.auth_token.expose_secret().is_empty() {
                return bad("sms.twilio.auth_token is required with sms.transport = \"twilio\"");
            }
            let mg_ok = t.messaging_service_sid.is_empty()
                || (t.messaging_service_sid.len() == 34
                    && t.messaging_service_sid.starts_with("MG"));
            if !mg_ok {
                return bad(
                    "sms.twilio.messaging_service_sid must be MG followed by 32 hex digits",
                );
            }
            if !(t.api_base.starts_with("https://") || t.api_base.starts_with("http://")) {
                return bad("sms.twilio.api_base must be an http(s) URL");
            }
        }
        if self.email.transport == EmailTransport::Smtp && self.email.smtp.host.is_empty() {
            return bad("email.smtp.host is required with email.transport = \"smtp\"");
        }
        if self.email.from.parse::<lettre::message::Mailbox>().is_err() {
            return bad("email.from must be an address such as \"Service <service@example.com>\"");
        }
        let w = &self.worker;
        if w.concurrency == 0
            || w.batch_size < 1
            || w.lease_seconds < 5
            || w.retry_schedule_seconds.is_empty()
        {
            return bad(
                "worker: concurrency and batch_size must be at least 1, lease_seconds at least 5, and retry_schedule_seconds not empty",
            );
        }
        if !(0.0..1.0).contains(&w.retry_jitter) {
            return bad("worker.retry_jitter must be between 0 and 1");
        }
        let j = &self.jobs;
        if j.max_attempts == 0
            || j.retry_base_seconds < 1
            || j.retry_max_seconds < j.retry_base_seconds
        {
            return bad(
                "jobs: max_attempts and retry_base_seconds must be at least 1, and retry_max_seconds at least retry_base_seconds",
            );
        }
        if !(0.0..1.0).contains(&j.retry_jitter) {
            return bad("jobs.retry_jitter must be between 0 and 1");
        }
        let r = &self.retention;
        if r.purge_interval_minutes < 1 || r.finished_jobs_days < 1 || r.provider_callbacks_days < 1
        {
            return bad("retention: every setting must be at least 1");
        }
        let d = &self.desk;
        if d.session_idle_hours < 1
            || d.invitation_hours < 1
            || d.max_failed_sign_ins < 1
            || d.failed_sign_in_window_minutes < 1
        {
            return bad("desk: every setting must be at least 1");
        }
        Ok(())
    }

    pub fn db_options(&self) -> DbOptions {
        DbOptions {
            pool_size: self.database.pool_size,
            connect_timeout: Duration::from_secs(self.database.connect_timeout_seconds.max(1)),
            sqlite_synchronous: self.database.sqlite_synchronous,
            sqlite_busy_timeout: Duration::from_millis(self.database.sqlite_busy_timeout_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_validate() {
        let s = Settings::defaults().unwrap();
        s.validate().unwrap();
        assert_eq!(s.server.bind, "127.0.0.1:8080");
        assert!(s.database.url.expose_secret().starts_with("sqlite://"));
        assert_eq!(s.database.sqlite_synchronous, SqliteSynchronous::Full);
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let s = Secret::from("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        let mut settings = Settings::defaults().unwrap();
        settings.admin_token = Secret::from("x".repeat(40));
        assert!(!format!("{settings:?}").contains("xxxx"));
    }

    fn env(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_the_defaults() {
        let s = Settings::load_from(env(&[
            ("HANDOVER__DATABASE__URL", "postgres://app:pw@db/handover"),
            ("HANDOVER__SERVER__BIND", "0.0.0.0:9000"),
            ("HANDOVER__DEMO__SEED_ON_START", "false"),
            (
                "HANDOVER__ADMIN_TOKEN",
                "12345678901234567890123456789012345",
            ),
            ("HANDOVER__DATABASE__POOL_SIZE", "3"),
            ("UNRELATED", "ignored"),
        ]))
        .unwrap();
        assert_eq!(
            s.database.url.expose_secret(),
            "postgres://app:pw@db/handover"
        );
        assert_eq!(s.server.bind, "0.0.0.0:9000");
        assert!(!s.demo.seed_on_start);
        assert_eq!(
            s.admin_token.expose_secret(),
            "12345678901234567890123456789012345"
        );
        assert_eq!(s.database.pool_size, 3);
    }

    #[test]
    fn typos_and_bad_values_stop_start_up() {
        assert!(Settings::load_from(env(&[("HANDOVER__SERVER__BINDD", "x")])).is_err());
        assert!(Settings::load_from(env(&[("HANDOVER__DATABASE__URL", "mysql://x")])).is_err());
        assert!(
            Settings::load_from(env(&[(
                "HANDOVER__DATABASE__SQLITE_SYNCHRONOUS",
                "sometimes"
            )]))
            .is_err()
        );
        assert!(Settings::load_from(env(&[("HANDOVER_ENV", "nonexistent")])).is_err());
        assert!(Settings::load_from(env(&[("HANDOVER_ENV", "../etc")])).is_err());
    }

    #[test]
    fn short_admin_token_refused() {
        let mut s = Settings::defaults().unwrap();
        s.admin_token = Secret::from("short");
        assert!(s.validate().is_err());
    }
}
