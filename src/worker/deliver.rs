//! One message, from claim to outcome.

use crate::app::{App, AppError};
use crate::db::models::NotificationRow;
use crate::notify::transport::{SendOutcome, Transports};
use std::time::Instant;

pub async fn one(app: &App, transports: &Transports, n: NotificationRow) {
    let started = Instant::now();
    let id = n.id.clone();
    match attempt(app, transports, &n).await {
        Ok(outcome) => app.outbox.metrics().record(outcome, started.elapsed()),
        // The lease brings the message back to a worker, which checks with
        // the provider before sending again.
        Err(e) => tracing::error!(notification = %id, error = %e, "recording a delivery failed"),
    }
}

async fn attempt(
    app: &App,
    transports: &Transports,
    n: &NotificationRow,
) -> Result<&'static str, AppError> {
    if let Some(since) = n.recheck_since {
        match transports.find_sent(n, since.and_utc()).await {
            Ok(Some((sid, status))) => {
                tracing::info!(notification = %n.id, "a worker died after sending this; it was not sent again");
                app.delivery_accepted(n, sid, status, false).await?;
                return Ok("sent");
            }
            Ok(None) => {}
            Err(e) => {
                app.delivery_retry(
                    n,
                    format!("could not check whether it already went: {e}"),
                    None,
                )
                .await?;
                return Ok("retried");
            }
        }
    }
    if !app.may_text(n).await? {
        app.delivery_suppressed(n, "the customer opted out of texts".into())
            .await?;
        return Ok("suppressed");
    }
    Ok(match transports.send(n).await {
        SendOutcome::Accepted {
            provider_id,
            status,
            delivered,
        } => {
            app.delivery_accepted(n, provider_id, status, delivered)
                .await?;
            "sent"
        }
        SendOutcome::Transient { error, retry_after } => {
            tracing::warn!(notification = %n.id, %error, "send failed; will retry");
            app.delivery_retry(n, error, retry_after).await?;
            "retried"
        }
        SendOutcome::Permanent { error, opted_out } => {
            tracing::warn!(notification = %n.id, %error, "send refused");
            app.delivery_failed(n, error, opted_out).await?;
            "failed"
        }
    })
}
