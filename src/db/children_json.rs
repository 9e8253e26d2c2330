//! PostgreSQL: the RO's children as one column of the statement that locks
//! the RO (see `locked_ro`): a JSON array of three arrays (concerns, jobs
//! with lines, payments), each row an array of its kind's own columns.
//!
//! Each kind has its own `json_agg`, not one UNION padded to a common row:
//! PostgreSQL compiles every column of a statement each time it runs one,
//! and the padded UNION (34 columns in each of three branches, each row
//! made into a 34-key object) was most of the lock statement's start-up.

use super::children::{Children, need};
use super::models::{ConcernRow, LineRow, PaymentRow, RepairJobRow};
use crate::domain::concern::ConcernOutcome;
use crate::domain::estimate::{Approval, DecisionChannel, LineKind, PayType};
use crate::domain::ids::{ConcernId, LineId, PaymentId, RepairJobId, RoId, StaffId};
use crate::domain::payment::PaymentMethod;
use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde::{Deserialize, Deserializer};

/// The children of the row `repair_orders` names in the enclosing
/// statement. Scalar subqueries read the statement's snapshot, which a lock
/// wait leaves behind: see `locked_ro` for when it is current. Orders as
/// `children::of` does.
pub(super) const JSON_OF_LOCKED: &str = "CAST(json_build_array(\
    (SELECT json_agg(json_build_array(c.id, c.position, c.description, c.outcome, c.note) \
        ORDER BY c.position) FROM concerns c WHERE c.ro_id = repair_orders.id), \
    (SELECT json_agg(json_build_array(j.id, j.position, j.estimate_version, j.title, \
        j.concern_id, j.pay_type, j.approval, j.discount_cents, j.decided_at, j.decided_via, \
        j.decided_ip, j.decided_user_agent, j.created_at, l.id, l.position, \
        l.estimate_version, l.description, l.kind, l.quantity_hundredths, \
        l.unit_price_cents, l.created_at) ORDER BY j.position, l.position) \
        FROM repair_jobs j LEFT JOIN estimate_lines l ON l.job_id = j.id \
        WHERE j.ro_id = repair_orders.id), \
    (SELECT json_agg(json_build_array(p.id, p.amount_cents, p.method, p.reference, \
        p.recorded_by, p.recorded_at) ORDER BY p.recorded_at, p.id) \
        FROM payments p WHERE p.ro_id = repair_orders.id)) AS TEXT)";

/// A stored value, read back through its `FromStr` as a column's `FromSql`
/// does: a value that does not parse fails the read.
struct Stored<T>(T);

impl<'de, T> Deserialize<'de> for Stored<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse()
            .map(Stored)
            .map_err(|e| serde::de::Error::custom(format!("stored {raw:?}: {e}")))
    }
}

fn inner<T>(value: Option<Stored<T>>) -> Option<T> {
    value.map(|Stored(v)| v)
}

/// One concern, as the array `JSON_OF_LOCKED` builds it.
#[derive(Deserialize)]
struct ConcernJson {
    id: Stored<ConcernId>,
    position: i32,
    description: String,
    outcome: Option<Stored<ConcernOutcome>>,
    note: Option<String>,
}

/// One (job, line) pair; the line's columns are NULL for a job without one.
#[derive(Deserialize)]
struct JobLineJson {
    id: Stored<RepairJobId>,
    position: i32,
    estimate_version: i32,
    title: String,
    concern_id: Option<Stored<ConcernId>>,
    pay_type: Stored<PayType>,
    approval: Stored<Approval>,
    discount_cents: i64,
    decided_at: Option<NaiveDateTime>,
    decided_via: Option<Stored<DecisionChannel>>,
    decided_ip: Option<String>,
    decided_user_agent: Option<String>,
    created_at: NaiveDateTime,
    line_id: Option<Stored<LineId>>,
    line_position: Option<i32>,
    line_estimate_version: Option<i32>,
    line_description: Option<String>,
    line_kind: Option<Stored<LineKind>>,
    line_quantity_hundredths: Option<i64>,
    line_unit_price_cents: Option<i64>,
    line_created_at: Option<NaiveDateTime>,
}

/// One payment.
#[derive(Deserialize)]
struct PaymentJson {
    id: Stored<PaymentId>,
    amount_cents: i64,
    method: Stored<PaymentMethod>,
    reference: Option<String>,
    recorded_by: Option<Stored<StaffId>>,
    recorded_at: NaiveDateTime,
}

type AllKinds = (
    Option<Vec<ConcernJson>>,
    Option<Vec<JobLineJson>>,
    Option<Vec<PaymentJson>>,
);

/// The children from [`JSON_OF_LOCKED`]'s column (`None`: there are none).
pub(super) fn from_json(ro: RoId, json: Option<&str>) -> QueryResult<Children> {
    let Some(json) = json else {
        return Ok(Children::default());
    };
    let (concerns, jobs, payments): AllKinds = serde_json::from_str(json).map_err(|e| {
        diesel::result::Error::DeserializationError(format!("the RO's children: {e}").into())
    })?;
    Ok(Children {
        concerns: concerns
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.row(ro))
            .collect(),
        jobs: jobs
            .unwrap_or_default()
            .into_iter()
            .map(|j| j.rows(ro))
            .collect::<QueryResult<_>>()?,
        payments: payments
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.row(ro))
            .collect(),
    })
}

impl ConcernJson {
    fn row(self, ro: RoId) -> ConcernRow {
        ConcernRow {
            id: self.id.0,
            ro_id: ro,
            position: self.position,
            description: self.description,
            outcome: inner(self.outcome),
            note: self.note,
        }
    }
}

impl JobLineJson {
    fn rows(self, ro: RoId) -> QueryResult<(RepairJobRow, Option<LineRow>)> {
        let line = match inner(self.line_id) {
            None => None,
            Some(id) => Some(LineRow {
                id,
                ro_id: ro,
                job_id: self.id.0,
                position: need(self.line_position, "line position")?,
                estimate_version: need(self.line_estimate_version, "line estimate_version")?,
                description: need(self.line_description, "line description")?,
                kind: need(inner(self.line_kind), "line kind")?,
                quantity_hundredths: need(self.line_quantity_hundredths, "line quantity")?,
                unit_price_cents: need(self.line_unit_price_cents, "line unit price")?,
                created_at: need(self.line_created_at, "line created_at")?,
            }),
        };
        let job = RepairJobRow {
            id: self.id.0,
            ro_id: ro,
            position: self.position,
            estimate_version: self.estimate_version,
            title: self.title,
            concern_id: inner(self.concern_id),
            pay_type: self.pay_type.0,
            approval: self.approval.0,
            discount_cents: self.discount_cents,
            decided_at: self.decided_at,
            decided_via: inner(self.decided_via),
            decided_ip: self.decided_ip,
            decided_user_agent: self.decided_user_agent,
            created_at: self.created_at,
        };
        Ok((job, line))
    }
}

impl PaymentJson {
    fn row(self, ro: RoId) -> PaymentRow {
        PaymentRow {
            id: self.id.0,
            ro_id: ro,
            amount_cents: self.amount_cents,
            method: self.method.0,
            reference: self.reference,
            recorded_by: inner(self.recorded_by),
            recorded_at: self.recorded_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_children_at_all_reads_as_none_of_each() {
        let ro = RoId::generate();
        let kids = from_json(ro, Some("[null, null, null]")).unwrap();
        assert!(kids.concerns.is_empty() && kids.jobs.is_empty() && kids.payments.is_empty());
    }

    #[test]
    fn a_stored_value_that_does_not_parse_fails_the_read() {
        let ro = RoId::generate();
        let id = ConcernId::generate();
        let bad = format!(r#"[[["{id}", 1, "Brakes squeal", "fixed-ish", null]], null, null]"#);
        let err = from_json(ro, Some(&bad)).unwrap_err().to_string();
        assert!(err.contains("fixed-ish"), "{err}");
    }

    #[test]
    fn a_line_without_its_columns_is_corrupt() {
        let ro = RoId::generate();
        let (job, line) = (RepairJobId::generate(), LineId::generate());
        let bad = format!(
            r#"[null, [["{job}", 1, 1, "Brakes", null, "customer", "pending", 0, null, null,
               null, null, "2026-03-02T15:00:00", "{line}", null, null, null, null, null,
               null, null]], null]"#
        );
        let err = from_json(ro, Some(&bad)).unwrap_err().to_string();
        assert!(err.contains("line position"), "{err}");
    }
}
