//! What a write reads under the RO's lock: the row with its dealership,
//! customer, advisor and children, in one round trip on PostgreSQL.
//!
//! Under READ COMMITTED a statement reads the snapshot taken when it began,
//! but `FOR NO KEY UPDATE` hands back the newest version of the locked row
//! once another writer's lock is released. So children read in the same
//! statement may predate that writer. Every change to a child is made by a
//! write that holds the RO's lock and bumps the RO's `version` before it
//! commits (`RepairOrder::save`), so the statement also reads the version
//! its snapshot saw: when that equals the locked row's, no writer came in
//! between and the children are current; otherwise they are read again,
//! now under the lock (a second round trip only for writes that queued).
//!
//! The same statement confirms the request's remembered token when one is
//! due (`token_check`): the token's staff row is read in the statement's
//! snapshot, as a read of its own just before would have.

use super::DbConn;
use super::children::{self, Children};
use super::children_json::{self, JSON_OF_LOCKED};
use super::models::{CustomerRow, DealershipRow, RoRow};
use super::prepared::{LockRoOnly, fixed_shape, fixed_sql};
use super::schema::repair_orders::dsl as r;
use super::token_check::{self, PendingToken};
use crate::domain::email::EmailAddress;
use crate::domain::ids::{DealershipId, RoId};
use diesel::expression::{AppearsOnTable, SelectableExpression, ValidGrouping, is_aggregate};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

/// What a write reads under the RO's lock.
pub struct LockedRo {
    pub row: RoRow,
    pub dealership: DealershipRow,
    pub customer: CustomerRow,
    pub advisor_name: String,
    pub advisor_email: Option<EmailAddress>,
    /// Whether the customer's number said STOP to this dealership.
    pub customer_opted_out: bool,
    /// Concerns, jobs with lines and payments, as of the lock.
    pub children: Children,
}

type Parties = (
    RoRow,
    DealershipRow,
    CustomerRow,
    String,
    Option<EmailAddress>,
    bool,
);

/// PostgreSQL's row: the parties, the RO's version in the statement's
/// snapshot, the children as JSON, and whether the due token still holds.
type PgLocked = (Parties, Option<i64>, Option<String>, Option<bool>);

/// The version of the locked RO as the statement's snapshot saw it.
const SNAPSHOT_VERSION: &str =
    "(SELECT seen.version FROM repair_orders seen WHERE seen.id = repair_orders.id)";

/// PostgreSQL: whether the active staff row with the due token's digest is
/// still its holder (NULL: no such row). Empty values when no token is due:
/// one statement text either way, so one prepared statement.
#[derive(Default)]
struct HolderCheck {
    id: String,
    dealership: String,
    role: String,
    name: String,
    hash: String,
}

impl HolderCheck {
    fn of(token: Option<&PendingToken>) -> Self {
        token.map_or_else(Self::default, |t| Self {
            id: t.holder.staff_id.to_string(),
            dealership: t.holder.dealership_id.to_string(),
            role: t.holder.role.to_string(),
            name: t.holder.name.clone(),
            hash: t.hash.clone(),
        })
    }
}

impl Expression for HolderCheck {
    type SqlType = Nullable<Bool>;
}

impl<GB> ValidGrouping<GB> for HolderCheck {
    type IsAggregate = is_aggregate::Never;
}

impl<QS> AppearsOnTable<QS> for HolderCheck {}

impl<QS> SelectableExpression<QS> for HolderCheck {}

impl QueryId for HolderCheck {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Pg> for HolderCheck {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("(SELECT holder.id = ");
        out.push_bind_param::<Text, _>(&self.id)?;
        out.push_sql(" AND holder.dealership_id = ");
        out.push_bind_param::<Text, _>(&self.dealership)?;
        out.push_sql(" AND holder.role = ");
        out.push_bind_param::<Text, _>(&self.role)?;
        out.push_sql(" AND holder.name = ");
        out.push_bind_param::<Text, _>(&self.name)?;
        out.push_sql(" FROM staff holder WHERE holder.active AND holder.token_hash = ");
        out.push_bind_param::<Text, _>(&self.hash)?;
        out.push_sql(")");
        Ok(())
    }
}

/// The RO joined to its dealership, customer (and whether their number
/// opted out of texts) and advisor's name and email, with `$more` columns.
/// A macro, not a function: `as_select()` is typed by its backend.
macro_rules! with_parties {
    ($dealership_id:expr, $id:expr $(, $more:expr)*) => {{
        use super::schema::customers::dsl as c;
        use super::schema::dealerships::dsl as d;
        use super::schema::sms_opt_outs::dsl as o;
        use super::schema::staff::dsl as s;
        r::repair_orders
            .inner_join(d::dealerships.on(d::id.eq(r::dealership_id)))
            .inner_join(c::customers.on(c::id.eq(r::customer_id)))
            .inner_join(s::staff.on(s::id.eq(r::advisor_id)))
            .filter(r::dealership_id.eq($dealership_id).and(r::id.eq($id)))
            .select((
                RoRow::as_select(),
                DealershipRow::as_select(),
                CustomerRow::as_select(),
                s::name,
                s::email,
                diesel::dsl::exists(
                    o::sms_opt_outs.filter(
                        o::dealership_id
                            .eq(r::dealership_id)
                            .and(o::phone.nullable().eq(c::phone)),
                    ),
                ),
                $($more),*
            ))
    }};
}

/// Locks the RO and reads it with its dealership, customer, advisor and
/// children. PostgreSQL locks only the RO row (see `LockRoOnly`) and
/// confirms a due token in the same statement; SQLite needs no row lock
/// (writes run under BEGIN IMMEDIATE, one at a time) and reads the children
/// with a second statement, in process.
pub fn lock(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    id: RoId,
) -> QueryResult<Option<LockedRo>> {
    match conn {
        DbConn::Postgres(pg) => {
            let token = token_check::due();
            let Some((parties, seen, json, holder)) =
                postgres_row(pg, dealership_id, id, token.as_ref())?
            else {
                return Ok(None);
            };
            // A refused token writes nothing: the transaction rolls back and
            // the request is told why (`Db::write`).
            if token.is_some() && token_check::answer(holder).is_err() {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            let children = if seen == Some(parties.0.version) {
                children_json::from_json(parties.0.id, json.as_deref())?
            } else {
                children::of(conn, parties.0.id)?
            };
            Ok(Some(assemble(parties, children)))
        }
        DbConn::Sqlite(lite) => {
            let found: Option<Parties> = with_parties!(dealership_id, id)
                .get_result(lite)
                .optional()?;
            let Some(parties) = found else {
                return Ok(None);
            };
            let children = children::of(conn, parties.0.id)?;
            Ok(Some(assemble(parties, children)))
        }
    }
}

/// The shape of the lock statement.
struct LockStatement;

fn postgres_row(
    pg: &mut PgConnection,
    dealership_id: DealershipId,
    id: RoId,
    token: Option<&PendingToken>,
) -> QueryResult<Option<PgLocked>> {
    // One text whether or not a token is due (see `HolderCheck`).
    let found = fixed_shape::<LockStatement, _>(LockRoOnly(with_parties!(
        dealership_id,
        id,
        fixed_sql::<Nullable<BigInt>>(SNAPSHOT_VERSION),
        fixed_sql::<Nullable<Text>>(JSON_OF_LOCKED),
        HolderCheck::of(token)
    )))
    .get_result(pg)
    .optional()?;
    Ok(found.map(
        |(row, dealership, customer, name, email, opted_out, seen, kids, holder)| {
            let parties = (row, dealership, customer, name, email, opted_out);
            (parties, seen, kids, holder)
        },
    ))
}

fn assemble(parties: Parties, children: Children) -> LockedRo {
    let (row, dealership, customer, advisor_name, advisor_email, customer_opted_out) = parties;
    LockedRo {
        row,
        dealership,
        customer,
        advisor_name,
        advisor_email,
        customer_opted_out,
        children,
    }
}
