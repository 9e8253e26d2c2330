//! Sending online refunds to Stripe, from the worker. A refund is claimed
//! under a lease and sent with its own id as the Idempotency-Key: if this
//! process dies after Stripe refunded but before that was written, the
//! next worker sends it again and Stripe answers with the same refund, so
//! a crash neither loses nor doubles one. Stripe busy or down: tried again
//! with backoff (`jobs.*`). Stripe refusing, or attempts spent: the
//! cashier is asked to pay it back, so no refund is ever dropped.

use crate::app::messaging::money_notices::refund_to_counter;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::timeline::{By, record};
use crate::app::time::stored;
use crate::app::{App, AppError, Ctx};
use crate::db::models::RefundRow;
use crate::db::{self, DbConn};
use crate::domain::event::{Refunded, RoEvent};
use crate::domain::job::JobRetry;
use crate::domain::money::Cents;
use crate::domain::payment::PaymentMethod;
use crate::payments::Stripe;
use crate::payments::stripe::{RefundRequest, StripeError};
use chrono::{Duration, NaiveDateTime};

/// What became of one attempt.
enum Outcome {
    Refunded(String),
    Retry(NaiveDateTime, String),
    ToCashier(String),
}

impl App {
    /// Sends the online refunds that are due (at most `limit`); returns how
    /// many were tried. Nothing to do while Stripe is not configured: such
    /// refunds were given to the cashier when the credit was made.
    pub async fn send_due_refunds(&self, limit: i64) -> Result<usize, AppError> {
        let Some(stripe) = self.stripe.clone() else {
            return Ok(0);
        };
        let claimed = self.claim_refund_rows(limit).await?;
        for refund in &claimed {
            self.send_refund(&stripe, refund).await?;
        }
        Ok(claimed.len())
    }

    /// Takes up to `limit` due refunds under a lease and returns how many,
    /// sending none: a worker that dies at once (for tests of the lease).
    pub async fn claim_refunds(&self, limit: i64) -> Result<usize, AppError> {
        Ok(self.claim_refund_rows(limit).await?.len())
    }

    async fn claim_refund_rows(&self, limit: i64) -> Result<Vec<RefundRow>, AppError> {
        let now = self.clock.now();
        let lease = stored(now + Duration::seconds(self.settings.worker.lease_seconds));
        self.db
            .write(move |tx| Ok::<_, AppError>(db::credits::claim(tx, stored(now), lease, limit)?))
            .await
    }

    async fn send_refund(&self, stripe: &Stripe, refund: &RefundRow) -> Result<(), AppError> {
        let payment_id = refund.payment_id;
        let payment = self
            .db
            .run(move |c| Ok::<_, AppError>(db::payments::find(c, payment_id)?))
            .await?;
        let intent = payment.and_then(|p| p.reference);
        let outcome = match intent {
            None => Outcome::ToCashier("the payment has no Stripe payment intent".into()),
            Some(payment_intent) => {
                let request = RefundRequest {
                    payment_intent,
                    amount_cents: refund.amount_cents,
                    ro_id: refund.ro_id.to_string(),
                    refund_id: refund.id.to_string(),
                    idempotency_key: format!("refund-{}", refund.id),
                };
                match stripe.create_refund(&request).await {
                    Ok(made) if made.taken() => Outcome::Refunded(made.id),
                    Ok(made) => {
                        Outcome::ToCashier(format!("Stripe's refund {} {}", made.id, made.status))
                    }
                    Err(e) => self.after_error(refund, &e),
                }
            }
        };
        let cx = self.ctx();
        let refund = refund.clone();
        self.db
            .write(move |tx| settle(tx, &cx, &refund, outcome))
            .await
    }

    fn after_error(&self, refund: &RefundRow, e: &StripeError) -> Outcome {
        let j = &self.settings.jobs;
        let retry = JobRetry {
            base: Duration::seconds(j.retry_base_seconds),
            max: Duration::seconds(j.retry_max_seconds),
            jitter: j.retry_jitter,
            max_attempts: j.max_attempts,
        };
        let attempts = u32::try_from(refund.attempts).unwrap_or(u32::MAX);
        if !e.is_transient() {
            return Outcome::ToCashier(e.to_string());
        }
        match retry.next_delay(attempts, fastrand::f64()) {
            Some(delay) => {
                tracing::warn!(refund = %refund.id, attempts, error = %e, "a refund could not be sent; it will be tried again");
                Outcome::Retry(stored(self.clock.now() + delay), e.to_string())
            }
            None => Outcome::ToCashier(format!("no answer after {attempts} attempt(s): {e}")),
        }
    }
}

/// Writes the outcome, the RO locked first (the fixed order), if this
/// worker still holds the refund's lease.
fn settle(tx: &mut DbConn, cx: &Ctx, refund: &RefundRow, outcome: Outcome) -> Result<(), AppError> {
    let lease = refund.lease_until.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "refund {} claimed without a lease",
            refund.id
        ))
    })?;
    let row =
        db::repair_orders::find_any(tx, refund.ro_id)?.ok_or(AppError::NotFound("repair order"))?;
    let ro = RepairOrder::lock(tx, row.dealership_id, row.id)?
        .ok_or(AppError::NotFound("repair order"))?;
    let held = match outcome {
        Outcome::Retry(due, error) => db::credits::retry(tx, refund.id, lease, due, &error)?,
        Outcome::Refunded(reference) => {
            let now = stored(cx.now);
            let held = db::credits::sent(tx, refund.id, lease, &reference, now)?;
            if held {
                let event = RoEvent::Refunded(Refunded {
                    refund_id: refund.id,
                    credit_id: refund.credit_id,
                    amount_cents: refund.amount_cents,
                    method: PaymentMethod::Online,
                    reference: Some(reference),
                });
                record(tx, cx, &ro, By::System, event, None)?;
            }
            held
        }
        Outcome::ToCashier(error) => {
            tracing::warn!(refund = %refund.id, %error, "Stripe did not refund; the cashier is asked to");
            let held = db::credits::to_cashier(tx, refund.id, lease, &error)?;
            if held {
                let reason = db::credits::for_ro(tx, ro.row.id)?
                    .into_iter()
                    .find(|c| c.id == refund.credit_id)
                    .map(|c| c.reason)
                    .unwrap_or_default();
                let cause = format!("refund-{}", refund.id);
                let amount = Cents(refund.amount_cents);
                refund_to_counter(tx, cx, &ro, &cause, amount, &reason, &error)?;
            }
            held
        }
    };
    if !held {
        tracing::warn!(refund = %refund.id, "a refund's lease ran out during its send; its newer claim settles it");
    }
    Ok(())
}
