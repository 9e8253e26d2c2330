//! The repair order's forms: each read into the input its use case takes
//! (the same as the API's), and what a refusal means on the page.

use super::repair_order::Trouble;
use crate::app::desk::DeskSession;
use crate::app::{
    App, AppError, ApprovalInput, CancelInput, ConcernOutcomeInput, DecisionInput, EstimateInput,
    HandoverInput, JobInput, LineInput, NewMessage, NewPayment, PromisedAtInput, ReadyInput,
    RefundConfirmation, StatusInput,
};
use crate::domain::ids::RoId;
use crate::domain::validation::FieldError;
use crate::http::problem::ApiError;
use actix_web::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use std::collections::HashMap;

type Fields = [(String, String)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Status,
    PromisedAt,
    Ready,
    Arrived,
    Message,
    Decisions,
    Handover,
    Payment,
    Pickup,
    Cancel,
    Job,
    Refund,
}

impl Action {
    const ALL: [(Action, &'static str); 12] = [
        (Action::Status, "status"),
        (Action::PromisedAt, "promised-at"),
        (Action::Ready, "ready"),
        (Action::Arrived, "arrived"),
        (Action::Message, "message"),
        (Action::Decisions, "decisions"),
        (Action::Handover, "handover"),
        (Action::Payment, "payment"),
        (Action::Pickup, "pickup"),
        (Action::Cancel, "cancel"),
        (Action::Job, "job"),
        (Action::Refund, "refund"),
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == raw).map(|(a, _)| *a)
    }

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(a, _)| *a == self)
            .map_or("", |(_, n)| n)
    }
}

/// What the page says after an action went through.
pub(crate) fn flash(done: &str) -> Option<&'static str> {
    if done == "check-in" {
        return Some("Checked in: the customer is sent their link to follow the work.");
    }
    Some(match Action::parse(done)? {
        Action::Status => "Status changed; the customer is told if it matters to them.",
        Action::PromisedAt => "New time saved; the customer is told, with your reason.",
        Action::Ready => "Ready: the customer is told who hands the car over.",
        Action::Arrived => "The handover person has been paged.",
        Action::Message => "Message sent to the customer.",
        Action::Decisions => "The customer's answers are recorded.",
        Action::Handover => "The handover is recorded.",
        Action::Payment => "Payment recorded.",
        Action::Pickup => "Picked up: the order is closed.",
        Action::Cancel => "The order is cancelled.",
        Action::Job => "The job is added to the estimate; the customer is asked.",
        Action::Refund => "Refund recorded as handed back.",
    })
}

fn get<'a>(fields: &'a Fields, name: &str) -> &'a str {
    super::field(fields, name).trim()
}

fn optional(fields: &Fields, name: &str) -> Option<String> {
    Some(get(fields, name))
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// "$1,234.56", "1234.5", "12" → cents.
fn cents(raw: &str, field: &str) -> Result<i64, AppError> {
    let bad = || AppError::field(field, "is not an amount such as 123.45");
    let clean: String = raw.chars().filter(|c| *c != '$' && *c != ',').collect();
    let (whole, frac) = clean.split_once('.').unwrap_or((clean.as_str(), ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)
}

fn version(fields: &Fields) -> Option<i64> {
    get(fields, "version").parse().ok()
}

/// The promised time as the form shows it (the dealership's local time).
pub(crate) fn local_time(zone: &str, at: DateTime<Utc>) -> String {
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string(),
        Err(_) => at.format("%Y-%m-%dT%H:%M").to_string(),
    }
}

pub(crate) async fn promised_at(
    app: &App,
    s: &DeskSession,
    raw: &str,
) -> Result<DateTime<Utc>, AppError> {
    local_moment(app, s, raw, "promised_at").await
}

/// A date and time typed in the dealership's zone (`datetime-local`).
pub(crate) async fn local_moment(
    app: &App,
    s: &DeskSession,
    raw: &str,
    field: &str,
) -> Result<DateTime<Utc>, AppError> {
    let d = super::my_dealership(app, s).await?;
    let tz: chrono_tz::Tz = d
        .timezone
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("stored time zone {}", d.timezone)))?;
    let local = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .map_err(|_| AppError::field(field, "is not a date and time"))?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::field(field, "does not exist in the dealership's time zone"))
}

fn job(fields: &Fields) -> Result<EstimateInput, AppError> {
    let mut lines = Vec::new();
    for i in 0..3 {
        let description = get(fields, &format!("description-{i}"));
        if description.is_empty() {
            continue;
        }
        let quantity = get(fields, &format!("quantity-{i}"));
        lines.push(LineInput {
            kind: get(fields, &format!("kind-{i}")).to_owned(),
            description: description.to_owned(),
            quantity: quantity.parse().map_err(|_| {
                AppError::field(
                    &format!("jobs[0].lines[{}].quantity", lines.len()),
                    "is not a number such as 1.5",
                )
            })?,
            unit_price_cents: cents(
                get(fields, &format!("price-{i}")),
                &format!("jobs[0].lines[{}].unit_price_cents", lines.len()),
            )?,
        });
    }
    Ok(EstimateInput {
        jobs: vec![JobInput {
            title: get(fields, "title").to_owned(),
            concern_id: optional(fields, "concern_id").and_then(|c| c.parse().ok()),
            pay_type: get(fields, "pay_type").to_owned(),
            discount_cents: None,
            lines,
        }],
        discount_cents: None,
    })
}

fn decisions(fields: &Fields) -> ApprovalInput {
    let decisions = fields
        .iter()
        .filter_map(|(k, d)| Some((k.strip_prefix("job-")?.parse().ok()?, d)))
        .filter(|(_, d)| !d.is_empty())
        .map(|(job_id, d)| DecisionInput {
            job_id,
            decision: d.clone(),
        })
        .collect();
    ApprovalInput {
        decisions,
        channel: get(fields, "channel").to_owned(),
    }
}

fn handover(fields: &Fields) -> Result<HandoverInput, AppError> {
    let concerns = fields
        .iter()
        .filter_map(|(k, o)| Some((k.strip_prefix("outcome-")?, o)))
        .map(|(cid, o)| {
            Ok(ConcernOutcomeInput {
                id: cid
                    .parse()
                    .map_err(|_| AppError::field("concerns", "the form is damaged"))?,
                outcome: o.clone(),
                note: get(fields, &format!("note-{cid}")).to_owned(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(HandoverInput { concerns })
}

/// Runs `action` with the form's fields, as the signed-in person.
pub(crate) async fn perform(
    app: &App,
    s: &DeskSession,
    id: RoId,
    action: Action,
    fields: &Fields,
) -> Result<(), AppError> {
    let who = &s.actor;
    let v = version(fields);
    match action {
        Action::Status => {
            let input = StatusInput {
                status: get(fields, "status").to_owned(),
                note: optional(fields, "note"),
            };
            app.change_status(who, id, v, input, None).await.map(drop)
        }
        Action::PromisedAt => {
            let at = promised_at(app, s, get(fields, "promised_at")).await?;
            let input = PromisedAtInput {
                promised_at: at,
                reason: get(fields, "reason").to_owned(),
            };
            app.change_promised_at(who, id, v, input).await.map(drop)
        }
        Action::Ready => {
            let input = ReadyInput {
                when_available: get(fields, "when_available") == "1",
            };
            app.mark_ready(who, id, v, input, None).await.map(drop)
        }
        Action::Arrived => app.customer_arrived(who, id, None).await.map(drop),
        Action::Message => {
            let input = NewMessage {
                body: get(fields, "body").to_owned(),
            };
            app.send_message(who, id, input, None).await.map(drop)
        }
        Action::Decisions => app
            .record_decisions(who, id, v, decisions(fields), None)
            .await
            .map(drop),
        Action::Handover => {
            let input = handover(fields)?;
            app.record_handover(who, id, v, input, None).await.map(drop)
        }
        Action::Payment => {
            let input = NewPayment {
                amount_cents: cents(get(fields, "amount"), "amount_cents")?,
                method: get(fields, "method").to_owned(),
                reference: optional(fields, "reference"),
            };
            app.record_payment(who, id, v, input, None).await.map(drop)
        }
        Action::Pickup => app.pickup(who, id, v, None).await.map(drop),
        Action::Cancel => {
            let input = CancelInput {
                reason: get(fields, "reason").to_owned(),
            };
            app.cancel(who, id, v, input, None).await.map(drop)
        }
        Action::Job => app
            .add_estimate(who, id, v, job(fields)?, None)
            .await
            .map(drop),
        Action::Refund => {
            let refund_id = get(fields, "refund_id")
                .parse()
                .map_err(|_| AppError::field("refund_id", "the form is damaged"))?;
            let input = RefundConfirmation {
                reference: optional(fields, "reference"),
            };
            app.confirm_refund(who, id, refund_id, input, None)
                .await
                .map(drop)
        }
    }
}

/// The form's own field name for an error the use case reported.
fn form_field(e: &FieldError) -> String {
    let f = e.field.as_str();
    if let Some(rest) = f.strip_prefix("jobs[0].lines[")
        && let Some((i, name)) = rest.split_once("].")
    {
        let short = match name {
            "unit_price_cents" => "price",
            other => other,
        };
        return format!("{short}-{i}");
    }
    if let Some(rest) = f.strip_prefix("jobs[0].") {
        return rest.to_owned();
    }
    match f {
        "amount_cents" => "amount".into(),
        other => other.to_owned(),
    }
}

/// What a refusal does to the page.
pub(crate) fn trouble(action: Action, e: AppError) -> Result<(StatusCode, Trouble), ApiError> {
    let form = Some(action.as_str());
    let words = |alert: String| Trouble {
        form,
        alert: Some(alert),
        ..Trouble::default()
    };
    Ok(match e {
        AppError::Validation(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Trouble {
                form,
                errors: errors.iter().map(|e| (form_field(e), e.message.clone())).collect(),
                alert: Some(format!(
                    "Please correct: {}.",
                    errors
                        .iter()
                        .map(|e| format!("{} {}", e.field.replace('_', " "), e.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                candidates: Vec::new(),
            },
        ),
        AppError::NobodyToHandOver(n) => (
            StatusCode::CONFLICT,
            Trouble {
                form,
                alert: Some(match n.next_available_at {
                    Some(at) => format!(
                        "Not ready: nobody who can hand the car over is here for long enough. The next one is expected at {}.",
                        at.format("%H:%M UTC")
                    ),
                    None => "Not ready: nobody who can hand the car over is here for long enough.".into(),
                }),
                candidates: n
                    .candidates
                    .iter()
                    .map(|c| serde_json::json!({"name": c.name, "reason": c.reason}))
                    .collect(),
                errors: HashMap::new(),
            },
        ),
        AppError::StaleVersion { .. } | AppError::ConcurrentUpdate => (
            StatusCode::PRECONDITION_FAILED,
            words("Someone changed this order while you had it open. Here it is as it is now; please check and try again.".into()),
        ),
        AppError::Conflict { detail, .. } => (StatusCode::CONFLICT, words(sentence(&detail))),
        AppError::IllegalTransition { from, to, .. } => (
            StatusCode::CONFLICT,
            words(format!("An order that is {} cannot become {}.", from.as_str().replace('_', " "), to.as_str().replace('_', " "))),
        ),
        AppError::NotYet { reason, .. } => (StatusCode::CONFLICT, words(sentence(&reason))),
        AppError::Forbidden(why) => (StatusCode::FORBIDDEN, words(sentence(&why))),
        other => return Err(other.into()),
    })
}

/// "the car is …" → "The car is ….".
fn sentence(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.trim().chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(cents("$1,234.56", "a").unwrap(), 123_456);
        assert_eq!(cents("12", "a").unwrap(), 1_200);
        assert_eq!(cents("12.5", "a").unwrap(), 1_250);
        assert_eq!(cents(".99", "a").unwrap(), 99);
        for bad in ["", "abc", "1.234", "12..3", "-"] {
            assert!(cents(bad, "a").is_err(), "{bad}");
        }
    }
}
