//! What hangs off one RO (concerns, jobs with their lines, payments), read
//! in one statement for a write: the rows differ in shape, so each kind
//! fills its own columns of one wide row and leaves the others NULL.
//! Three reads under the RO's lock were three round trips. On PostgreSQL the
//! same rows usually ride in the lock's own statement as JSON
//! (`children_json`, see `locked_ro`); [`of`] reads them when they cannot.

use super::DbConn;
use super::models::{ConcernRow, LineRow, PaymentRow, RepairJobRow};
use crate::domain::concern::ConcernOutcome;
use crate::domain::estimate::{Approval, DecisionChannel, LineKind, PayType};
use crate::domain::ids::{ConcernId, LineId, PaymentId, RepairJobId, RoId, StaffId};
use crate::domain::payment::PaymentMethod;
use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType, Integer, Nullable, Text, Timestamp, Untyped};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

// The first branch names every column and gives its type: PostgreSQL
// types a UNION's columns pairwise, and a NULL it cannot type is text.
const CONCERNS: &str = "SELECT 'concern' AS kind, \
    id AS c_id, position AS c_position, description AS c_description, outcome AS c_outcome, \
    note AS c_note, \
    CAST(NULL AS TEXT) AS j_id, CAST(NULL AS INTEGER) AS j_position, \
    CAST(NULL AS INTEGER) AS j_estimate_version, CAST(NULL AS TEXT) AS j_title, \
    CAST(NULL AS TEXT) AS j_concern_id, CAST(NULL AS TEXT) AS j_pay_type, \
    CAST(NULL AS TEXT) AS j_approval, CAST(NULL AS BIGINT) AS j_discount_cents, \
    CAST(NULL AS TIMESTAMP) AS j_decided_at, CAST(NULL AS TEXT) AS j_decided_via, \
    CAST(NULL AS TEXT) AS j_decided_ip, CAST(NULL AS TEXT) AS j_decided_user_agent, \
    CAST(NULL AS TIMESTAMP) AS j_created_at, CAST(NULL AS TEXT) AS l_id, \
    CAST(NULL AS INTEGER) AS l_position, CAST(NULL AS INTEGER) AS l_estimate_version, \
    CAST(NULL AS TEXT) AS l_description, CAST(NULL AS TEXT) AS l_kind, \
    CAST(NULL AS BIGINT) AS l_quantity_hundredths, CAST(NULL AS BIGINT) AS l_unit_price_cents, \
    CAST(NULL AS TIMESTAMP) AS l_created_at, CAST(NULL AS TEXT) AS p_id, \
    CAST(NULL AS BIGINT) AS p_amount_cents, CAST(NULL AS TEXT) AS p_method, \
    CAST(NULL AS TEXT) AS p_reference, CAST(NULL AS TEXT) AS p_recorded_by, \
    CAST(NULL AS TIMESTAMP) AS p_recorded_at \
    FROM concerns WHERE ro_id = ";

const JOBS: &str = " UNION ALL SELECT 'job', \
    NULL, NULL, NULL, NULL, NULL, \
    j.id, j.position, j.estimate_version, j.title, j.concern_id, j.pay_type, j.approval, \
    j.discount_cents, j.decided_at, j.decided_via, j.decided_ip, j.decided_user_agent, \
    j.created_at, \
    l.id, l.position, l.estimate_version, l.description, l.kind, l.quantity_hundredths, \
    l.unit_price_cents, l.created_at, \
    NULL, NULL, NULL, NULL, NULL, NULL \
    FROM repair_jobs j LEFT JOIN estimate_lines l ON l.job_id = j.id WHERE j.ro_id = ";

const PAYMENTS: &str = " UNION ALL SELECT 'payment', \
    NULL, NULL, NULL, NULL, NULL, \
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
    id, amount_cents, method, reference, recorded_by, recorded_at \
    FROM payments WHERE ro_id = ";

// Within a kind the other kinds' columns are all NULL, so each kind comes
// out in its own order on both stores, whichever end they sort NULLs to.
const ORDER_KEYS: &str = "kind, c_position, j_position, l_position, p_recorded_at, p_id";

/// The statement: a fixed text with the RO bound once per branch, so it is
/// prepared once per connection (keyed by its text).
struct ChildrenOf {
    ro: RoId,
}

impl<DB> QueryFragment<DB> for ChildrenOf
where
    DB: Backend + HasSqlType<Text>,
    RoId: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(CONCERNS);
        out.push_bind_param::<Text, _>(&self.ro)?;
        out.push_sql(JOBS);
        out.push_bind_param::<Text, _>(&self.ro)?;
        out.push_sql(PAYMENTS);
        out.push_bind_param::<Text, _>(&self.ro)?;
        out.push_sql(" ORDER BY ");
        out.push_sql(ORDER_KEYS);
        Ok(())
    }
}

impl QueryId for ChildrenOf {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for ChildrenOf {
    type SqlType = Untyped;
}

impl<C> RunQueryDsl<C> for ChildrenOf {}

/// One row of the statement: one concern, one (job, line) pair, or one
/// payment.
#[derive(QueryableByName)]
struct ChildRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    c_id: Option<ConcernId>,
    #[diesel(sql_type = Nullable<Integer>)]
    c_position: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    c_description: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c_outcome: Option<ConcernOutcome>,
    #[diesel(sql_type = Nullable<Text>)]
    c_note: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    j_id: Option<RepairJobId>,
    #[diesel(sql_type = Nullable<Integer>)]
    j_position: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    j_estimate_version: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    j_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    j_concern_id: Option<ConcernId>,
    #[diesel(sql_type = Nullable<Text>)]
    j_pay_type: Option<PayType>,
    #[diesel(sql_type = Nullable<Text>)]
    j_approval: Option<Approval>,
    #[diesel(sql_type = Nullable<BigInt>)]
    j_discount_cents: Option<i64>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    j_decided_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    j_decided_via: Option<DecisionChannel>,
    #[diesel(sql_type = Nullable<Text>)]
    j_decided_ip: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    j_decided_user_agent: Option<String>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    j_created_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    l_id: Option<LineId>,
    #[diesel(sql_type = Nullable<Integer>)]
    l_position: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    l_estimate_version: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    l_description: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    l_kind: Option<LineKind>,
    #[diesel(sql_type = Nullable<BigInt>)]
    l_quantity_hundredths: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    l_unit_price_cents: Option<i64>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    l_created_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    p_id: Option<PaymentId>,
    #[diesel(sql_type = Nullable<BigInt>)]
    p_amount_cents: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    p_method: Option<PaymentMethod>,
    #[diesel(sql_type = Nullable<Text>)]
    p_reference: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    p_recorded_by: Option<StaffId>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    p_recorded_at: Option<NaiveDateTime>,
}

/// The RO's children, each kind in its order.
#[derive(Debug, Default)]
pub struct Children {
    pub concerns: Vec<ConcernRow>,
    /// (job, line) pairs by job and line position; `(job, None)` for a job
    /// without lines.
    pub jobs: Vec<(RepairJobRow, Option<LineRow>)>,
    pub payments: Vec<PaymentRow>,
}

pub fn of(conn: &mut DbConn, ro: RoId) -> QueryResult<Children> {
    collect(ro, ChildrenOf { ro }.load(conn)?)
}

fn collect(ro: RoId, rows: Vec<ChildRow>) -> QueryResult<Children> {
    let mut children = Children::default();
    for row in rows {
        match row.kind.as_str() {
            "concern" => children.concerns.push(row.concern(ro)?),
            "job" => {
                let line = row.line(ro)?;
                children.jobs.push((row.job(ro)?, line));
            }
            "payment" => children.payments.push(row.payment(ro)?),
            other => return Err(corrupt("kind", other)),
        }
    }
    Ok(children)
}

fn corrupt(column: &str, value: &str) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(
        format!("the RO's children: {column} {value:?} is missing or unknown").into(),
    )
}

/// A column its kind always fills.
pub(super) fn need<T>(value: Option<T>, column: &str) -> QueryResult<T> {
    value.ok_or_else(|| corrupt(column, "NULL"))
}

impl ChildRow {
    fn concern(self, ro: RoId) -> QueryResult<ConcernRow> {
        Ok(ConcernRow {
            id: need(self.c_id, "c_id")?,
            ro_id: ro,
            position: need(self.c_position, "c_position")?,
            description: need(self.c_description, "c_description")?,
            outcome: self.c_outcome,
            note: self.c_note,
        })
    }

    /// The line of a (job, line) row; `None` when the job has none.
    fn line(&self, ro: RoId) -> QueryResult<Option<LineRow>> {
        let Some(id) = self.l_id else {
            return Ok(None);
        };
        Ok(Some(LineRow {
            id,
            ro_id: ro,
            job_id: need(self.j_id, "j_id")?,
            position: need(self.l_position, "l_position")?,
            estimate_version: need(self.l_estimate_version, "l_estimate_version")?,
            description: need(self.l_description.clone(), "l_description")?,
            kind: need(self.l_kind, "l_kind")?,
            quantity_hundredths: need(self.l_quantity_hundredths, "l_quantity_hundredths")?,
            unit_price_cents: need(self.l_unit_price_cents, "l_unit_price_cents")?,
            created_at: need(self.l_created_at, "l_created_at")?,
        }))
    }

    fn job(self, ro: RoId) -> QueryResult<RepairJobRow> {
        Ok(RepairJobRow {
            id: need(self.j_id, "j_id")?,
            ro_id: ro,
            position: need(self.j_position, "j_position")?,
            estimate_version: need(self.j_estimate_version, "j_estimate_version")?,
            title: need(self.j_title, "j_title")?,
            concern_id: self.j_concern_id,
            pay_type: need(self.j_pay_type, "j_pay_type")?,
            approval: need(self.j_approval, "j_approval")?,
            discount_cents: need(self.j_discount_cents, "j_discount_cents")?,
            decided_at: self.j_decided_at,
            decided_via: self.j_decided_via,
            decided_ip: self.j_decided_ip,
            decided_user_agent: self.j_decided_user_agent,
            created_at: need(self.j_created_at, "j_created_at")?,
        })
    }

    fn payment(self, ro: RoId) -> QueryResult<PaymentRow> {
        Ok(PaymentRow {
            id: need(self.p_id, "p_id")?,
            ro_id: ro,
            amount_cents: need(self.p_amount_cents, "p_amount_cents")?,
            method: need(self.p_method, "p_method")?,
            reference: self.p_reference,
            recorded_by: self.p_recorded_by,
            recorded_at: need(self.p_recorded_at, "p_recorded_at")?,
        })
    }
}
