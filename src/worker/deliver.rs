//! One message, from claim to outcome.

use super::record::{Recorder, Sent};
use crate::app::{Accepted, App, AppError, Claimed};
use crate::notify::metrics::Attempt;
use crate::notify::transport::{SendOutcome, Transports};
use std::time::Instant;

/// How an attempt ended: settled here, or taken by the provider and handed
/// to the recorder, which writes such outcomes in batches.
enum Ended {
    Settled(Attempt),
    Accepted(Accepted),
}

pub async fn one(app: &App, transports: &Transports, n: Claimed, recorder: &Recorder) {
    let started = Instant::now();
    match attempt(app, transports, &n).await {
        Ok(Ended::Settled(outcome)) => app.outbox.metrics().record(outcome, started.elapsed()),
        Ok(Ended::Accepted(accepted)) => {
            let id = n.id();
            let sent = Sent {
                n,
                accepted,
                started,
            };
            if recorder.send(sent).await.is_err() {
                tracing::error!(notification = %id, "sent, but the recorder had stopped; the lease brings it back for a check with the provider");
            }
        }
        // The lease brings the message back to a worker, which checks with
        // the provider before sending again.
        Err(e) => {
            tracing::error!(notification = %n.id(), error = %e, "recording a delivery failed")
        }
    }
}

async fn attempt(app: &App, transports: &Transports, n: &Claimed) -> Result<Ended, AppError> {
    if let Some(since) = n.recheck_since {
        match transports.find_sent(&n.envelope, since).await {
            Ok(Some((provider_id, status))) => {
                tracing::info!(notification = %n.id(), "a worker died after sending this; it was not sent again");
                return Ok(Ended::Accepted(Accepted {
                    provider_id,
                    status,
                    delivered: false,
                }));
            }
            Ok(None) => {}
            Err(e) => {
                app.delivery_retry(
                    n,
                    format!("could not check whether it already went: {e}"),
                    None,
                )
                .await?;
                return Ok(Ended::Settled(Attempt::Retried));
            }
        }
    }
    if n.opted_out {
        app.delivery_suppressed(n, "the customer opted out of texts".into())
            .await?;
        return Ok(Ended::Settled(Attempt::Suppressed));
    }
    Ok(match transports.send(&n.envelope).await {
        SendOutcome::Accepted {
            provider_id,
            status,
            delivered,
        } => Ended::Accepted(Accepted {
            provider_id,
            status,
            delivered,
        }),
        SendOutcome::Transient { error, retry_after } => {
            tracing::warn!(notification = %n.id(), %error, "send failed; will retry");
            app.delivery_retry(n, error, retry_after).await?;
            Ended::Settled(Attempt::Retried)
        }
        SendOutcome::Permanent { error, opted_out } => {
            tracing::warn!(notification = %n.id(), %error, "send refused");
            app.delivery_failed(n, error, opted_out).await?;
            Ended::Settled(Attempt::Failed)
        }
    })
}
