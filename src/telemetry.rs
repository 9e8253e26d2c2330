//! Logging. `RUST_LOG` wins over `log.level`. Never log a secret: settings
//! that hold one are `Secret`s, and request logs name routes, not paths.
//! Colour only at a terminal. Complaints of the HTTP library about what a
//! client sent (a broken request, a body cut off) are logged at warn: anyone
//! can send garbage, and the error log is for what an operator must act on.

use crate::config::{LogFormat, LogSettings};
use std::fmt::Write as _;
use std::io::IsTerminal;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Where the HTTP library reports what clients sent.
fn is_protocol_complaint(level: &Level, target: &str) -> bool {
    *level == Level::ERROR && target.starts_with("actix_http")
}

pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let fmt = match settings.format {
        LogFormat::Json => fmt.json().boxed(),
        LogFormat::Pretty => fmt.boxed(),
    }
    .with_filter(filter_fn(|m| !is_protocol_complaint(m.level(), m.target())));
    // A second init (tests build many apps in one process) is harmless.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(DemoteProtocolComplaints)
        .try_init();
}

/// Says again, at warn, what the HTTP library said at error about a client.
struct DemoteProtocolComplaints;

impl<S: Subscriber> Layer<S> for DemoteProtocolComplaints {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        if !is_protocol_complaint(meta.level(), meta.target()) {
            return;
        }
        let mut text = Text(String::new());
        event.record(&mut text);
        tracing::warn!(target: "handover::http", from = meta.target(), problem = %text.0, "a client sent a malformed request");
    }
}

/// The fields of an event, as one line.
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        let _ = match field.name() {
            "message" => write!(self.0, "{value:?}"),
            name => write!(self.0, "{name}={value:?}"),
        };
    }
}
