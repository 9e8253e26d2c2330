//! Telling people: message templates, the outbox written with each change,
//! and the worker that delivers it by SMS and email.

pub mod context;
pub mod metrics;
pub mod outbox;
pub mod templates;
pub mod transport;
