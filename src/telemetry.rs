//! Logging. `RUST_LOG` wins over `log.level`. Never log a secret: settings
//! that hold one are `Secret`s, and request logs name routes, not paths.

use crate::config::{LogFormat, LogSettings};
use tracing_subscriber::EnvFilter;

pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests build many apps in one process) is harmless.
    let _ = match settings.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
