//! PostgreSQL's one-statement outbox write: the message, the retirement of
//! the pending ones it replaces, and the history rows of both, in a single
//! data-modifying CTE. Three round trips were a fifth of a status change's
//! statements, each taken while the change holds its RO's lock.

use super::models::NotificationRow;
use crate::domain::delivery::DeliveryState;
use crate::domain::ids::EventId;
use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};

/// The history note on a message a newer one replaced.
pub const REPLACED: &str = "a newer message replaced it";

/// How many replaced messages get an id made here (ordered after the new
/// message's own history row). More than one is rare (a fallback email
/// copy written beside a pending email); any beyond these get an id made by
/// PostgreSQL, still a UUIDv7 but ordered only to the millisecond.
const IDS_FROM_RUST: usize = 4;

/// `INSERT … ON CONFLICT (dedupe_key) DO NOTHING`, then, if it wrote: every
/// other pending message with its RO, address, channel and supersede key
/// becomes `superseded`, and each row gets its history. The UPDATE cannot
/// see the row the INSERT adds (one snapshot), so it never retires it; NULL
/// RO or key matches nothing.
pub struct InsertSuperseding<'a, I> {
    row: &'a NotificationRow,
    /// The message's own INSERT, as diesel builds it.
    insert: I,
    event_id: EventId,
    detail: Option<&'a str>,
    replaced_ids: Vec<EventId>,
    now: NaiveDateTime,
}

/// The message `row`, whose first history row gets `event_id` and `detail`.
pub fn insert_superseding<'a>(
    row: &'a NotificationRow,
    event_id: EventId,
    detail: Option<&'a str>,
    now: NaiveDateTime,
) -> InsertSuperseding<'a, impl QueryFragment<Pg> + 'a> {
    use super::schema::notifications::dsl as n;
    InsertSuperseding {
        row,
        insert: diesel::insert_into(n::notifications)
            .values(row)
            .on_conflict(n::dedupe_key)
            .do_nothing(),
        event_id,
        detail,
        replaced_ids: (0..IDS_FROM_RUST).map(|_| EventId::generate()).collect(),
        now,
    }
}

impl<I: QueryFragment<Pg>> InsertSuperseding<'_, I> {
    /// Whether the message was written (`false`: this change already told).
    pub fn run(self, pg: &mut PgConnection) -> QueryResult<bool> {
        let written: i64 = self.get_result(pg)?;
        Ok(written == 1)
    }
}

/// Per replaced row: its number, and what a UUIDv7 made by PostgreSQL 15
/// (which has no function for one) needs: the millisecond clock as 12 hex
/// digits, and a random v4 whose version digit gets replaced by 7. In the
/// select list, so each row gets its own (a scalar subquery runs once).
const NUMBERED: &str = "numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n, \
        lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') AS ms, \
        gen_random_uuid()::text AS random FROM replaced)";

/// The UUIDv7 of a `numbered` row.
const SQL_UUID_V7: &str =
    "substr(ms, 1, 8) || '-' || substr(ms, 9, 4) || '-7' || substr(random, 16)";

impl<I: QueryFragment<Pg>> QueryFragment<Pg> for InsertSuperseding<'_, I> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH written AS (");
        self.insert.walk_ast(out.reborrow())?;
        // The replaced rows are found by the message's own values, bound
        // (not joined from `written`, and the state not a literal): a
        // literal 'pending' lets the planner pick the pending-messages index,
        // and its row estimate can be badly stale; by RO it is a few rows.
        out.push_sql(
            " RETURNING id, state), \
             replaced AS (UPDATE notifications SET state = 'superseded', updated_at = ",
        );
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(" WHERE ro_id = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.row.ro_id)?;
        out.push_sql(" AND to_address = ");
        out.push_bind_param::<Text, _>(&self.row.to_address)?;
        out.push_sql(" AND channel = ");
        out.push_bind_param::<Text, _>(&self.row.channel)?;
        out.push_sql(" AND supersede_key = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.row.supersede_key)?;
        out.push_sql(" AND state = ");
        out.push_bind_param::<Text, _>(&DeliveryState::Pending)?;
        out.push_sql(" AND EXISTS (SELECT 1 FROM written WHERE state = ");
        out.push_bind_param::<Text, _>(&DeliveryState::Pending)?;
        out.push_sql(") RETURNING id), ");
        out.push_sql(NUMBERED);
        out.push_sql(
            ", history AS (INSERT INTO notification_events \
                 (id, notification_id, at, state, provider_status, detail) \
               SELECT ",
        );
        out.push_bind_param::<Text, _>(&self.event_id)?;
        out.push_sql(", id, ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(", state, NULL, ");
        out.push_bind_param::<Nullable<Text>, _>(&self.detail)?;
        out.push_sql(" FROM written UNION ALL SELECT COALESCE((");
        out.push_bind_param::<Array<Text>, _>(&self.replaced_ids)?;
        out.push_sql(")[n], ");
        out.push_sql(SQL_UUID_V7);
        out.push_sql("), id, ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(", 'superseded', NULL, ");
        out.push_bind_param::<Text, _>(&REPLACED)?;
        out.push_sql(" FROM numbered) SELECT count(*) FROM written");
        Ok(())
    }
}

/// The statement's one shape (see `prepared::FixedShape`).
pub struct OutboxWrite;

impl<I> QueryId for InsertSuperseding<'_, I> {
    // The text is the same on every call (no DEFAULTs: see
    // `NotificationRow`; the replaced rows' ids are always
    // `IDS_FROM_RUST`), so it is cached by type, not rebuilt to find it.
    type QueryId = OutboxWrite;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<I> Query for InsertSuperseding<'_, I> {
    type SqlType = BigInt;
}

impl<I, C> RunQueryDsl<C> for InsertSuperseding<'_, I> {}
