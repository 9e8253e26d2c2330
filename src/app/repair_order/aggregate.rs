//! The repair order as use cases see it: the row and everything hanging off
//! it, loaded in a fixed number of queries however many ROs are asked for.

use crate::app::time::utc;
use crate::app::{Actor, AppError};
use crate::db::events::StoredEvent;
use crate::db::models::{
    ConcernRow, CustomerRow, DealershipRow, LineRow, PaymentRow, RepairJobRow, RoRow,
};
use crate::db::{self, DbConn};
use crate::domain::bill::{PricedJob, PricedLine, ShopSupplies, TaxRules, Totals, totals};
use crate::domain::email::EmailAddress;
use crate::domain::estimate::Approval;
use crate::domain::ids::{CustomerId, DealershipId, RoId, StaffId};
use crate::domain::lifecycle::{RoFacts, RoStatus};
use crate::domain::money::{Cents, Quantity, TaxRate};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A job of the estimate with its lines.
#[derive(Debug, Clone)]
pub(crate) struct EstimateJob {
    pub row: RepairJobRow,
    pub lines: Vec<LineRow>,
}

impl EstimateJob {
    pub fn priced(&self) -> PricedJob {
        PricedJob {
            pay_type: self.row.pay_type,
            approval: self.row.approval,
            discount: Cents(self.row.discount_cents),
            lines: self
                .lines
                .iter()
                .map(|l| PricedLine {
                    kind: l.kind,
                    amount: line_amount(l),
                })
                .collect(),
        }
    }
}

/// quantity × unit price, rounded once.
pub(crate) fn line_amount(l: &LineRow) -> Cents {
    crate::domain::money::line_amount(
        Quantity::from_hundredths(l.quantity_hundredths),
        Cents(l.unit_price_cents),
    )
}

pub(crate) struct RepairOrder {
    pub row: RoRow,
    pub dealership: DealershipRow,
    pub customer: CustomerRow,
    /// Whether the customer's number opted out of texts, when read with the
    /// row under a write's lock (nothing that loads an RO this way changes
    /// opt-outs afterwards); `None`: ask the database when it matters.
    pub customer_opted_out: Option<bool>,
    pub concerns: Vec<ConcernRow>,
    /// The estimate's jobs in order, each with its lines.
    pub jobs: Vec<EstimateJob>,
    pub payments: Vec<PaymentRow>,
    /// Names of the staff the view mentions (advisor, handover person).
    pub staff_names: HashMap<StaffId, String>,
    /// Where customers' emails about this RO reply to, if the advisor has one.
    pub advisor_email: Option<EmailAddress>,
}

impl RepairOrder {
    /// Loads the RO for a write: locks it first (see `db::repair_orders::lock`),
    /// then checks the caller's `If-Match` version.
    pub fn load_for_write(
        tx: &mut DbConn,
        actor: &Actor,
        id: RoId,
        if_match: Option<i64>,
    ) -> Result<Self, AppError> {
        let ro =
            Self::lock(tx, actor.dealership_id, id)?.ok_or(AppError::NotFound("repair order"))?;
        if let Some(expected) = if_match
            && expected != ro.row.version
        {
            return Err(AppError::StaleVersion {
                current: ro.row.version,
            });
        }
        Ok(ro)
    }

    /// Locks the RO and reads it whole for a write: the row with its
    /// dealership, customer, advisor, concerns, jobs with lines and payments
    /// (in one statement on PostgreSQL, see `db::locked_ro`).
    pub fn lock(
        tx: &mut DbConn,
        dealership_id: DealershipId,
        id: RoId,
    ) -> Result<Option<Self>, AppError> {
        let Some(locked) = db::locked_ro::lock(tx, dealership_id, id)? else {
            return Ok(None);
        };
        let row = locked.row;
        let mut staff_names = HashMap::from([(row.advisor_id, locked.advisor_name)]);
        if let Some(other) = row.handover_staff_id.filter(|h| *h != row.advisor_id) {
            staff_names.extend(db::staff::names(tx, &[other])?);
        }
        let children = locked.children;
        Ok(Some(Self {
            dealership: locked.dealership,
            customer: locked.customer,
            customer_opted_out: Some(locked.customer_opted_out),
            concerns: children.concerns,
            jobs: group_jobs(children.jobs)
                .remove(&row.id)
                .unwrap_or_default(),
            payments: children.payments,
            staff_names,
            advisor_email: locked.advisor_email,
            row,
        }))
    }

    pub fn load(
        tx: &mut DbConn,
        dealership_id: DealershipId,
        id: RoId,
    ) -> Result<Option<Self>, AppError> {
        let Some(row) = db::repair_orders::find(tx, dealership_id, id)? else {
            return Ok(None);
        };
        Self::from_row(tx, row).map(Some)
    }

    /// The aggregate around one row already read.
    pub fn from_row(tx: &mut DbConn, row: RoRow) -> Result<Self, AppError> {
        Self::load_many(tx, vec![row])?
            .pop()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("one RO row built no aggregate")))
    }

    /// Builds aggregates for rows of one dealership with one query per table.
    pub fn load_many(tx: &mut DbConn, rows: Vec<RoRow>) -> Result<Vec<Self>, AppError> {
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let dealership = db::dealerships::find(tx, first.dealership_id)?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("RO without dealership")))?;
        let ids: Vec<RoId> = rows.iter().map(|r| r.id).collect();
        let customer_ids: Vec<CustomerId> = rows.iter().map(|r| r.customer_id).collect();
        let mut customers: HashMap<CustomerId, CustomerRow> =
            db::customers::find_many(tx, &customer_ids)?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        let mut children = ChildrenByRo::load(tx, &ids)?;
        let staff_ids: Vec<StaffId> = rows
            .iter()
            .flat_map(|r| [Some(r.advisor_id), r.handover_staff_id])
            .flatten()
            .collect();
        let mut names = HashMap::new();
        let mut emails = HashMap::new();
        for (id, name, email) in db::staff::contacts(tx, &staff_ids)? {
            names.insert(id, name);
            emails.insert(id, email);
        }
        rows.into_iter()
            .map(|row| {
                let customer = customers
                    .remove(&row.customer_id)
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("RO without customer")))?;
                let staff_names = [Some(row.advisor_id), row.handover_staff_id]
                    .into_iter()
                    .flatten()
                    .filter_map(|id| names.get(&id).map(|n| (id, n.clone())))
                    .collect();
                let (concerns, jobs, payments) = children.take(row.id);
                Ok(Self {
                    advisor_email: emails.get(&row.advisor_id).cloned().flatten(),
                    concerns,
                    jobs,
                    payments,
                    dealership: dealership.clone(),
                    customer,
                    customer_opted_out: None,
                    staff_names,
                    row,
                })
            })
            .collect()
    }

    pub fn status(&self) -> RoStatus {
        self.row.status
    }

    /// The rules this RO's estimate is written under.
    pub fn tax_rules(&self) -> Result<TaxRules, AppError> {
        let r = &self.row;
        let shop_supplies =
            ShopSupplies::parse(i64::from(r.shop_supplies_bp), r.shop_supplies_cap_cents)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("RO {}: {e}", r.id)))?;
        Ok(TaxRules {
            rate: r.tax_rate,
            taxable: r.taxable_kinds,
            shop_supplies,
        })
    }

    pub fn totals(&self) -> Result<Totals, AppError> {
        let priced: Vec<PricedJob> = self.jobs.iter().map(EstimateJob::priced).collect();
        let paid = self.payments.iter().map(|p| Cents(p.amount_cents)).sum();
        let discount = Cents(self.row.discount_cents);
        Ok(totals(&priced, &self.tax_rules()?, discount, paid))
    }

    /// The bill as it would have been at another tax rate: what a tax
    /// correction credits is the difference, rounded the same way.
    pub fn totals_at_rate(&self, rate: TaxRate) -> Result<Totals, AppError> {
        let priced: Vec<PricedJob> = self.jobs.iter().map(EstimateJob::priced).collect();
        let paid = self.payments.iter().map(|p| Cents(p.amount_cents)).sum();
        let discount = Cents(self.row.discount_cents);
        let rules = TaxRules {
            rate,
            ..self.tax_rules()?
        };
        Ok(totals(&priced, &rules, discount, paid))
    }

    /// Jobs still waiting for the customer's yes or no.
    pub fn pending_approvals(&self) -> usize {
        self.jobs
            .iter()
            .filter(|j| j.row.approval == Approval::Pending)
            .count()
    }

    /// Adds a round's jobs and lines (already written) to the aggregate.
    pub fn add_jobs(&mut self, jobs: Vec<RepairJobRow>, lines: Vec<LineRow>) {
        let mut by_job = group_by(lines, |l| l.job_id);
        self.jobs.extend(jobs.into_iter().map(|row| EstimateJob {
            lines: by_job.remove(&row.id).unwrap_or_default(),
            row,
        }));
    }

    pub fn lines(&self) -> impl Iterator<Item = &LineRow> {
        self.jobs.iter().flat_map(|j| j.lines.iter())
    }

    pub fn facts(&self) -> Result<RoFacts, AppError> {
        Ok(RoFacts {
            pending_approvals: self.pending_approvals(),
            balance_due: self.totals()?.balance_due,
            handover_recorded: self.row.handover_recorded_at.is_some(),
        })
    }

    pub fn set_status(&mut self, status: RoStatus) {
        self.row.status = status;
    }

    /// Withdraws the handover promise (and any handover recorded under it):
    /// the car is no longer ready.
    pub fn clear_handover(&mut self) {
        self.row.handover_staff_id = None;
        self.row.handover_until = None;
        self.row.handover_recorded_at = None;
        self.row.handover_recorded_by = None;
    }

    /// Writes the row's changes, with the timeline event they make, if
    /// nobody else wrote since it was loaded (see `timeline::save_and_record`).
    pub(super) fn save(&mut self, tx: &mut DbConn, event: &StoredEvent) -> Result<(), AppError> {
        self.row.updated_at = event.at;
        let (id, version) = (self.row.id, self.row.version);
        if !db::repair_orders::save(tx, id, version, &self.row.changes(), event)? {
            return Err(AppError::ConcurrentUpdate);
        }
        self.row.version += 1;
        Ok(())
    }

    /// The name of a staff member the RO names (advisor, handover person).
    pub fn staff_name(&self, id: StaffId) -> Result<&str, AppError> {
        self.staff_names
            .get(&id)
            .map(String::as_str)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!(
                    "staff member {id} of RO {} not loaded",
                    self.row.id
                ))
            })
    }

    pub fn promised_at(&self) -> DateTime<Utc> {
        utc(self.row.promised_at)
    }
}

fn group<T>(items: Vec<T>, key: impl Fn(&T) -> RoId) -> HashMap<RoId, Vec<T>> {
    group_by(items, key)
}

fn group_by<T, K: std::hash::Hash + Eq>(
    items: Vec<T>,
    key: impl Fn(&T) -> K,
) -> HashMap<K, Vec<T>> {
    let mut map: HashMap<K, Vec<T>> = HashMap::new();
    for item in items {
        map.entry(key(&item)).or_default().push(item);
    }
    map
}

/// What hangs off ROs, read in three queries however many ROs.
struct ChildrenByRo {
    concerns: HashMap<RoId, Vec<ConcernRow>>,
    jobs: HashMap<RoId, Vec<EstimateJob>>,
    payments: HashMap<RoId, Vec<PaymentRow>>,
}

impl ChildrenByRo {
    fn load(tx: &mut DbConn, ids: &[RoId]) -> Result<Self, AppError> {
        Ok(Self {
            concerns: group(db::concerns::list_for(tx, ids)?, |c| c.ro_id),
            jobs: group_jobs(db::estimate::jobs_with_lines(tx, ids)?),
            payments: group(db::payments::list_for(tx, ids)?, |p| p.ro_id),
        })
    }

    fn take(&mut self, id: RoId) -> (Vec<ConcernRow>, Vec<EstimateJob>, Vec<PaymentRow>) {
        (
            self.concerns.remove(&id).unwrap_or_default(),
            self.jobs.remove(&id).unwrap_or_default(),
            self.payments.remove(&id).unwrap_or_default(),
        )
    }
}

/// Jobs by RO, each with its lines, from (job, line) pairs in order.
fn group_jobs(pairs: Vec<(RepairJobRow, Option<LineRow>)>) -> HashMap<RoId, Vec<EstimateJob>> {
    let mut by_ro: HashMap<RoId, Vec<EstimateJob>> = HashMap::new();
    for (job, line) in pairs {
        let jobs = by_ro.entry(job.ro_id).or_default();
        match jobs.last_mut() {
            Some(last) if last.row.id == job.id => last.lines.extend(line),
            _ => jobs.push(EstimateJob {
                row: job,
                lines: line.into_iter().collect(),
            }),
        }
    }
    by_ro
}
