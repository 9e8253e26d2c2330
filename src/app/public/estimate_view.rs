//! The estimate as the customer's page shows it: their jobs to answer, what
//! is covered for them apart, and the bill for what they approved.

use super::view::{PublicBill, PublicJob, PublicLine};
use crate::app::repair_order::RepairOrder;
use crate::app::repair_order::aggregate::{EstimateJob, line_amount};
use crate::domain::bill::Scope;
use crate::domain::estimate::{Approval, PayType};

pub(super) fn bill(s: &Scope) -> PublicBill {
    PublicBill {
        jobs: (s.subtotal - s.shop_supplies + s.ro_discount).display_usd(),
        subtotal: s.subtotal.display_usd(),
        shop_supplies: s.shop_supplies.display_usd_unless_zero(),
        discount: s.ro_discount.display_usd_unless_zero(),
        tax: s.tax.display_usd(),
        total: s.total.display_usd(),
        total_cents: s.total.0,
    }
}

/// The customer's jobs and the covered ones, in estimate order. A job can
/// be answered only while it is pending and the estimate open: once every
/// job is answered the page stops asking.
pub(super) fn jobs(ro: &RepairOrder, open: bool) -> (Vec<PublicJob>, Vec<PublicJob>) {
    let (mine, covered): (Vec<&EstimateJob>, Vec<&EstimateJob>) = ro
        .jobs
        .iter()
        .partition(|j| j.row.pay_type == PayType::Customer);
    let show = |j: &&EstimateJob| public_job(ro, j, open);
    (
        mine.iter().map(show).collect(),
        covered.iter().map(show).collect(),
    )
}

fn public_job(ro: &RepairOrder, job: &EstimateJob, open: bool) -> PublicJob {
    let r = &job.row;
    let priced = job.priced();
    PublicJob {
        id: r.id.to_string(),
        title: r.title.clone(),
        concern: r.concern_id.and_then(|id| {
            ro.concerns
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.description.clone())
        }),
        lines: job
            .lines
            .iter()
            .map(|l| PublicLine {
                kind: l.kind.as_str().to_owned(),
                description: l.description.clone(),
                amount: line_amount(l).display_usd(),
            })
            .collect(),
        discount: priced.discount_applied().display_usd_unless_zero(),
        subtotal: priced.subtotal().display_usd(),
        payer: r.pay_type.as_str().to_owned(),
        approval: r.approval.as_str().to_owned(),
        decidable: open && r.pay_type == PayType::Customer && r.approval == Approval::Pending,
    }
}
