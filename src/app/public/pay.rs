//! Paying from the status page: a Stripe Checkout Session for exactly the
//! approved balance, reused while it is open and its amount still right;
//! when the balance changed, the old one is expired at Stripe first, so
//! nobody can pay a stale amount. Nothing is held locked while Stripe is
//! asked.

use super::status_page::{expired, find};
use crate::app::messaging::context::vehicle_words;
use crate::app::repair_order::RepairOrder;
use crate::app::time::{stored, utc};
use crate::app::{App, AppError};
use crate::db::models::CheckoutSessionRow;
use crate::db::{self, DbConn};
use crate::domain::ids::RoId;
use crate::domain::language::Language;
use crate::domain::money::Currency;
use crate::domain::payment::CheckoutState;
use crate::payments::{CheckoutRequest, StripeError};
use chrono::{DateTime, Duration, Utc};

/// A session this close to its end is not handed out again.
const MARGIN_MINUTES: i64 = 10;

/// What paying now means for the RO behind a link.
struct Plan {
    ro_id: RoId,
    amount: i64,
    currency: Currency,
    name: String,
    /// An open session for exactly this amount.
    reuse: Option<String>,
    /// Open sessions for another amount: to expire first.
    stale: Vec<String>,
    /// Sessions made so far (part of the next one's idempotency key).
    made: usize,
}

fn plan(
    tx: &mut DbConn,
    token: &str,
    days: i64,
    now: DateTime<Utc>,
) -> Result<Option<Plan>, AppError> {
    let row = find(tx, token)?;
    let ro = RepairOrder::from_row(tx, row)?;
    if expired(&ro, days, now) {
        return Err(AppError::NotFound("page"));
    }
    let amount = ro.totals()?.balance_due.0;
    if amount <= 0 || !ro.status().is_open() {
        return Ok(None);
    }
    let sessions = db::checkout::for_ro(tx, ro.row.id)?;
    let open = sessions.iter().filter(|s| s.state == CheckoutState::Open);
    let soon = now + Duration::minutes(MARGIN_MINUTES);
    let reuse = open
        .clone()
        .find(|s| s.amount_cents == amount && utc(s.expires_at) > soon)
        .map(|s| s.url.clone());
    let stale = open
        .filter(|s| s.amount_cents != amount)
        .map(|s| s.id.clone())
        .collect();
    let language = ro.customer.language;
    let order = match language {
        Language::En => "Order",
        Language::Es => "Orden",
    };
    Ok(Some(Plan {
        ro_id: ro.row.id,
        amount,
        currency: ro.dealership.currency,
        name: format!(
            "{order} {} — {}",
            ro.row.number,
            vehicle_words(&ro, language)
        ),
        reuse,
        stale,
        made: sessions.len(),
    }))
}

fn unavailable(e: &StripeError) -> AppError {
    tracing::warn!(error = %e, "Stripe did not make a checkout");
    AppError::Unavailable("online payment is not available right now; please try again in a few minutes, or pay at the counter".into())
}

impl App {
    /// Where the customer goes to pay what is due now, or None when there
    /// is nothing to pay online (online payment off, nothing approved due,
    /// the order closed).
    pub async fn checkout_url(&self, token: String) -> Result<Option<String>, AppError> {
        let Some(stripe) = self.stripe.clone() else {
            return Ok(None);
        };
        let now = self.clock.now();
        let days = self.settings.status_page.days_after_pickup;
        let link = format!(
            "{}/s/{token}",
            self.settings.public_base_url.trim_end_matches('/')
        );
        let Some(plan) = self
            .db
            .run(move |conn| plan(conn, &token, days, now))
            .await?
        else {
            return Ok(None);
        };
        if let Some(url) = plan.reuse {
            return Ok(Some(url));
        }
        for id in plan.stale {
            match stripe.expire_checkout(&id).await {
                // Refused: already expired or paid at Stripe; its event says which.
                Ok(_) | Err(StripeError::Refused { .. }) => {}
                Err(e) => return Err(unavailable(&e)),
            }
            self.db
                .write(move |tx| {
                    Ok::<_, AppError>(db::checkout::set_state(tx, &id, CheckoutState::Expired)?)
                })
                .await?;
        }
        let minutes = self.settings.payments.stripe.checkout_expires_minutes;
        let request = CheckoutRequest {
            amount_cents: plan.amount,
            currency: plan.currency.to_string(),
            name: plan.name,
            ro_id: plan.ro_id.to_string(),
            success_url: format!("{link}?paid=1"),
            cancel_url: link,
            expires_at: (now + Duration::minutes(minutes)).timestamp(),
            idempotency_key: format!("checkout-{}-{}-{}", plan.ro_id, plan.amount, plan.made),
        };
        let made = stripe
            .create_checkout(&request)
            .await
            .map_err(|e| unavailable(&e))?;
        let url = made.url.clone().ok_or_else(|| {
            unavailable(&StripeError::Refused {
                status: 200,
                message: "no url".into(),
            })
        })?;
        let row = CheckoutSessionRow {
            id: made.id,
            ro_id: plan.ro_id,
            amount_cents: plan.amount,
            currency: plan.currency,
            url: url.clone(),
            state: CheckoutState::Open,
            created_at: stored(now),
            expires_at: stored(
                DateTime::from_timestamp(made.expires_at, 0)
                    .unwrap_or(now + Duration::minutes(minutes)),
            ),
        };
        self.db
            .write(move |tx| Ok::<_, AppError>(db::checkout::insert(tx, &row)?))
            .await?;
        Ok(Some(url))
    }
}
