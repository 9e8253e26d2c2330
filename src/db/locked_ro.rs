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

use super::DbConn;
use super::children::{self, Children, JSON_OF_LOCKED};
use super::models::{CustomerRow, DealershipRow, RoRow};
use super::prepared::LockRoOnly;
use super::schema::repair_orders::dsl as r;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{DealershipId, RoId};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

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

/// The version of the locked RO as the statement's snapshot saw it.
const SNAPSHOT_VERSION: &str =
    "(SELECT seen.version FROM repair_orders seen WHERE seen.id = repair_orders.id)";

/// Locks the RO and reads it with its dealership, customer (and whether
/// their number opted out of texts), advisor's name and email, and children.
/// PostgreSQL locks only the RO row (see `LockRoOnly`); SQLite needs no row
/// lock (writes run under BEGIN IMMEDIATE, one at a time) and reads the
/// children with a second statement, in process.
pub fn lock(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    id: RoId,
) -> QueryResult<Option<LockedRo>> {
    use super::schema::customers::dsl as c;
    use super::schema::dealerships::dsl as d;
    use super::schema::sms_opt_outs::dsl as o;
    use super::schema::staff::dsl as s;
    // Written once, built per backend: `as_select()` is typed by its backend.
    macro_rules! query {
        ($($more:expr),*) => {
            r::repair_orders
                .inner_join(d::dealerships.on(d::id.eq(r::dealership_id)))
                .inner_join(c::customers.on(c::id.eq(r::customer_id)))
                .inner_join(s::staff.on(s::id.eq(r::advisor_id)))
                .filter(r::dealership_id.eq(dealership_id).and(r::id.eq(id)))
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
        };
    }
    match conn {
        DbConn::Postgres(pg) => {
            let found: Option<(Parties, Option<i64>, Option<String>)> = LockRoOnly(query!(
                sql::<Nullable<BigInt>>(SNAPSHOT_VERSION),
                sql::<Nullable<Text>>(&JSON_OF_LOCKED)
            ))
            .get_result(pg)
            .optional()?
            .map(
                |(row, dealership, customer, name, email, opted_out, seen, kids)| {
                    (
                        (row, dealership, customer, name, email, opted_out),
                        seen,
                        kids,
                    )
                },
            );
            let Some((parties, seen, json)) = found else {
                return Ok(None);
            };
            let children = if seen == Some(parties.0.version) {
                children::from_json(parties.0.id, json.as_deref())?
            } else {
                children::of(conn, parties.0.id)?
            };
            Ok(Some(assemble(parties, children)))
        }
        DbConn::Sqlite(lite) => {
            let found: Option<Parties> = query!().get_result(lite).optional()?;
            let Some(parties) = found else {
                return Ok(None);
            };
            let children = children::of(conn, parties.0.id)?;
            Ok(Some(assemble(parties, children)))
        }
    }
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
