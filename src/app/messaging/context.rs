//! What a message can say about a repair order: the one `MessageContext`
//! every template is rendered from, with times in the reader's words.

use crate::app::AppError;
use crate::app::public::links::Links;
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::aggregate::{EstimateJob, line_amount};
use crate::app::time::utc;
use crate::domain::dealership::{LocalTime, QuietHours};
use crate::domain::estimate::{Approval, PayType};
use crate::domain::language::Language;
use crate::domain::local_time::{describe, describe_until};
use crate::notify::context::*;
use chrono::{DateTime, Duration, Utc};

pub(crate) fn tz(ro: &RepairOrder) -> chrono_tz::Tz {
    ro.dealership.timezone.0
}

/// The dealership's quiet hours, as stored.
pub(crate) fn quiet_hours(ro: &RepairOrder) -> QuietHours {
    QuietHours {
        start: ro.dealership.quiet_start,
        end: ro.dealership.quiet_end,
    }
}

/// Everything a template can say about `ro`, with times described as the
/// reader will see them at `send_at`.
pub(crate) fn context(
    ro: &RepairOrder,
    links: &Links,
    language: Language,
    send_at: DateTime<Utc>,
) -> Result<MessageContext, AppError> {
    let tz = tz(ro);
    let totals = ro.totals()?;
    let row = &ro.row;
    let handover = match row.handover_staff_id {
        Some(id) => {
            let name = ro.staff_name(id)?;
            Some(HandoverCtx {
                first_name: PersonCtx::new(name, None).first_name,
                until: row
                    .handover_until
                    .map(|u| describe_until(utc(u), send_at, tz, language))
                    .unwrap_or_default(),
                name: name.to_owned(),
            })
        }
        None => None,
    };
    Ok(MessageContext {
        dealership: DealershipCtx {
            name: ro.dealership.name.clone(),
            phone: ro.dealership.phone.to_string(),
        },
        customer: PersonCtx::new(
            &ro.customer.name,
            ro.customer.phone.as_ref().map(|p| p.as_str()),
        ),
        advisor: PersonCtx::new(ro.staff_name(row.advisor_id)?, None),
        ro: RoCtx {
            number: row.number,
            vehicle: vehicle_words(ro, language),
            status: row.status.as_str().to_owned(),
            promised: describe(ro.promised_at(), send_at, tz, language),
            status_url: Some(links.url(row.id, row.link_version)),
        },
        estimate: estimate_context(ro)?,
        money: MoneyCtx {
            total: totals.approved.total.display_usd(),
            paid: totals.paid.display_usd(),
            balance_due: totals.balance_due.display_usd(),
            balance_due_cents: totals.balance_due.0,
            pay_online: false,
        },
        handover,
        concerns: ro
            .concerns
            .iter()
            .map(|c| ConcernCtx {
                description: c.description.clone(),
                outcome: c.outcome.map(|o| o.as_str().to_owned()).unwrap_or_default(),
                note: c.note.clone().unwrap_or_default(),
            })
            .collect(),
        ..MessageContext::default()
    })
}

fn estimate_context(ro: &RepairOrder) -> Result<EstimateCtx, AppError> {
    let totals = ro.totals()?;
    let job = |j: &EstimateJob| JobCtx {
        title: j.row.title.clone(),
        amount: j.priced().subtotal().display_usd(),
        payer: j.row.pay_type.as_str().to_owned(),
        approval: j.row.approval.as_str().to_owned(),
        lines: j
            .lines
            .iter()
            .map(|l| LineCtx {
                description: l.description.clone(),
                amount: line_amount(l).display_usd(),
            })
            .collect(),
    };
    let p = &totals.proposed;
    Ok(EstimateCtx {
        jobs: ro
            .jobs
            .iter()
            .filter(|j| j.row.pay_type == PayType::Customer && j.row.approval != Approval::Declined)
            .map(job)
            .collect(),
        covered: ro
            .jobs
            .iter()
            .filter(|j| j.row.pay_type != PayType::Customer)
            .map(job)
            .collect(),
        subtotal: p.subtotal.display_usd(),
        shop_supplies: p.shop_supplies.display_usd_unless_zero(),
        discount: p.ro_discount.display_usd_unless_zero(),
        tax: p.tax.display_usd(),
        tax_rate: ro.tax_rules()?.rate.to_string(),
        total: p.total.display_usd(),
        approved_total: totals.approved.total.display_usd(),
        covered_total: (totals.warranty + totals.internal).display_usd_unless_zero(),
        pending: ro.pending_approvals(),
    })
}

/// "2019 Honda Accord", or "car"/"auto" when nothing is known.
pub(crate) fn vehicle_words(ro: &RepairOrder, language: Language) -> String {
    let row = &ro.row;
    let words = [
        row.vehicle_year.map(|y| y.to_string()),
        row.vehicle_make.clone(),
        row.vehicle_model.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    match (words.is_empty(), language) {
        (false, _) => words,
        (true, Language::En) => "car".into(),
        (true, Language::Es) => "auto".into(),
    }
}

/// The next daily progress time (local `at`) at least a day after `from`.
pub(crate) fn next_progress_time(
    from: DateTime<Utc>,
    at: LocalTime,
    tz: chrono_tz::Tz,
) -> DateTime<Utc> {
    let earliest = from + Duration::days(1);
    let mut day = earliest.with_timezone(&tz).date_naive();
    for _ in 0..3 {
        let local = day.and_time(at.0);
        if let Some(t) = chrono::TimeZone::from_local_datetime(&tz, &local).earliest() {
            let t = t.with_timezone(&Utc);
            if t >= earliest {
                return t;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    earliest
}
