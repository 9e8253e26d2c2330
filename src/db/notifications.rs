//! The outbox. Rows are written in the transaction of the change that
//! caused them, claimed by workers with a lease, and moved forward by what
//! the provider says.

use super::DbConn;
use super::models::{ClaimedRow, NotificationEventRow, NotificationRow};
use super::outbox_insert::{REPLACED, insert_superseding};
use super::schema::notification_events::dsl as ev;
use super::schema::notifications::dsl as n;
use crate::domain::delivery::DeliveryState;
use crate::domain::ids::{DealershipId, EventId, NotificationId, RoId};
use crate::domain::message::Channel;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

/// Writes the message unless one with its dedupe key exists (the same
/// change, already told): `false` then, and nothing written.
pub fn insert_new(conn: &mut DbConn, row: &NotificationRow) -> QueryResult<bool> {
    let insert = diesel::insert_into(n::notifications)
        .values(row)
        .on_conflict(n::dedupe_key)
        .do_nothing();
    // ON CONFLICT names its backend: diesel's MultiConnection cannot build it.
    let written = match conn {
        DbConn::Postgres(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(written == 1)
}

pub fn find(conn: &mut DbConn, id: NotificationId) -> QueryResult<Option<NotificationRow>> {
    n::notifications
        .filter(n::id.eq(id))
        .select(NotificationRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_provider_id(
    conn: &mut DbConn,
    provider_id: &str,
) -> QueryResult<Option<NotificationRow>> {
    n::notifications
        .filter(n::provider_id.eq(provider_id))
        .select(NotificationRow::as_select())
        .first(conn)
        .optional()
}

/// Writes a message and its first history row, and retires the pending
/// messages it replaces (same RO, address, channel and supersede key) with
/// theirs; `false` when the message's dedupe key exists (this change already
/// told), and nothing written. The row's `created_at` is the moment.
pub fn write_message(
    conn: &mut DbConn,
    row: &NotificationRow,
    detail: Option<&str>,
) -> QueryResult<bool> {
    let lite = match conn {
        DbConn::Postgres(pg) => {
            let now = row.created_at;
            return insert_superseding(row, EventId::generate(), detail, now).run(pg);
        }
        DbConn::Sqlite(lite) => lite,
    };
    // In-process: no round trips to save, so plain statements.
    let insert = diesel::insert_into(n::notifications)
        .values(row)
        .on_conflict(n::dedupe_key)
        .do_nothing();
    if insert.execute(lite)? == 0 {
        return Ok(false);
    }
    let now = row.created_at;
    let mut events = vec![history(row.id, row.state, now, detail)];
    if let (Some(ro), Some(key), DeliveryState::Pending) =
        (row.ro_id, row.supersede_key.as_deref(), row.state)
    {
        let replaced = n::ro_id
            .eq(ro)
            .and(n::to_address.eq(&row.to_address))
            .and(n::channel.eq(row.channel))
            .and(n::supersede_key.eq(key))
            .and(n::state.eq(DeliveryState::Pending))
            .and(n::id.ne(row.id));
        let ids: Vec<NotificationId> = diesel::update(n::notifications.filter(replaced))
            .set((
                n::state.eq(DeliveryState::Superseded),
                n::updated_at.eq(now),
            ))
            .returning(n::id)
            .load(lite)?;
        let retired = ids
            .into_iter()
            .map(|old| history(old, DeliveryState::Superseded, now, Some(REPLACED)));
        events.extend(retired);
    }
    for event in &events {
        diesel::insert_into(ev::notification_events)
            .values(event)
            .execute(lite)?;
    }
    Ok(true)
}

fn history(
    id: NotificationId,
    state: DeliveryState,
    at: NaiveDateTime,
    detail: Option<&str>,
) -> NotificationEventRow {
    NotificationEventRow {
        id: EventId::generate(),
        notification_id: id,
        at,
        state,
        provider_status: None,
        detail: detail.map(str::to_owned),
    }
}

/// Claims up to `limit` due messages for one worker: pending ones whose time
/// has come, and ones left `sending` by a worker whose lease ran out (those
/// come back with `recheck_since` set: ask the provider before resending).
/// PostgreSQL skips rows another worker holds; SQLite runs this under
/// BEGIN IMMEDIATE, so one claimer at a time. Each row comes with whether
/// its customer's number opted out of texts since it was written.
pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<ClaimedRow>> {
    const SET: &str = "recheck_since = CASE WHEN state = 'sending' THEN claimed_at ELSE NULL END, \
        state = 'sending', claimed_at = $1, lease_until = $2, attempts = attempts + 1, updated_at = $1";
    // Expired leases first, then due messages, each read in its own index's
    // order and cut at `limit`. (One `… OR …` condition made PostgreSQL sort
    // every pending row on each claim: 294 texts/s with 20,000 queued.)
    const EXPIRED: &str = "SELECT id FROM notifications WHERE state = 'sending' AND lease_until < $1 \
        ORDER BY lease_until LIMIT $3";
    const DUE: &str = "SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_at <= $1 \
        ORDER BY next_attempt_at LIMIT $3";
    const RETURNING: &str = "RETURNING *, (recipient_kind = 'customer' AND channel = 'sms' \
        AND EXISTS (SELECT 1 FROM sms_opt_outs o \
            WHERE o.dealership_id = notifications.dealership_id AND o.phone = notifications.to_address)) \
        AS opted_out";
    let sql = match conn {
        DbConn::Postgres(_) => format!(
            "WITH expired AS ({EXPIRED} FOR UPDATE SKIP LOCKED), \
                  due AS ({DUE} FOR UPDATE SKIP LOCKED), \
                  picked AS (SELECT id FROM expired UNION ALL SELECT id FROM due LIMIT $3) \
             UPDATE notifications SET {SET} WHERE id IN (SELECT id FROM picked) {RETURNING}"
        ),
        // SQLite reads `$n` as a named parameter, numbered in the order of
        // first appearance: here $1, $2, $3, so they bind as on PostgreSQL.
        DbConn::Sqlite(_) => format!(
            "UPDATE notifications SET {SET} WHERE id IN (\
                SELECT id FROM ({EXPIRED}) UNION ALL SELECT id FROM ({DUE}) LIMIT $3) \
             {RETURNING}"
        ),
    };
    diesel::sql_query(sql)
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(lease_until)
        .bind::<BigInt, _>(limit)
        .load(conn)
}

/// The row, if still held under the claim made at `claimed_at`: a worker
/// whose lease ran out must not overwrite the one that took over.
macro_rules! held {
    ($id:expr, $claimed_at:expr) => {
        n::notifications.filter(
            n::id
                .eq($id)
                .and(n::state.eq(DeliveryState::Sending))
                .and(n::claimed_at.eq($claimed_at)),
        )
    };
}

/// The provider accepted it. `false`: the claim was lost meanwhile.
pub fn mark_sent(
    conn: &mut DbConn,
    id: NotificationId,
    claimed_at: NaiveDateTime,
    state: DeliveryState,
    provider_id: &str,
    provider_status: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let delivered_at = (state == DeliveryState::Delivered).then_some(now);
    let updated = diesel::update(held!(id, claimed_at))
        .set((
            n::state.eq(state),
            n::provider_id.eq(Some(provider_id)),
            n::provider_status.eq(Some(provider_status)),
            n::sent_at.eq(Some(now)),
            n::delivered_at.eq(delivered_at),
            n::lease_until.eq(None::<NaiveDateTime>),
            n::last_error.eq(None::<String>),
            n::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Try again at `next_attempt_at`.
pub fn reschedule(
    conn: &mut DbConn,
    id: NotificationId,
    claimed_at: NaiveDateTime,
    next_attempt_at: NaiveDateTime,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(held!(id, claimed_at))
        .set((
            n::state.eq(DeliveryState::Pending),
            n::next_attempt_at.eq(next_attempt_at),
            n::lease_until.eq(None::<NaiveDateTime>),
            n::last_error.eq(Some(error)),
            n::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Ends a claimed message as failed or suppressed, with the reason.
pub fn finish(
    conn: &mut DbConn,
    id: NotificationId,
    claimed_at: NaiveDateTime,
    state: DeliveryState,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(held!(id, claimed_at))
        .set((
            n::state.eq(state),
            n::lease_until.eq(None::<NaiveDateTime>),
            n::last_error.eq(Some(error)),
            n::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// What the provider's status callback says, written only if it moves the
/// message forward (checked by the caller).
pub fn set_provider_status(
    conn: &mut DbConn,
    id: NotificationId,
    state: DeliveryState,
    provider_status: &str,
    error: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let delivered_at = (state == DeliveryState::Delivered).then_some(now);
    diesel::update(n::notifications.filter(n::id.eq(id)))
        .set((
            n::state.eq(state),
            n::provider_status.eq(Some(provider_status)),
            n::delivered_at.eq(delivered_at),
            n::last_error.eq(error),
            n::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn append_event(conn: &mut DbConn, row: &NotificationEventRow) -> QueryResult<()> {
    diesel::insert_into(ev::notification_events)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Many history rows in one statement (a worker's claim, a batch of sends).
pub fn append_events(conn: &mut DbConn, rows: &[NotificationEventRow]) -> QueryResult<()> {
    match (conn, rows) {
        (_, []) => Ok(()),
        // One row: a fixed statement diesel keeps prepared (a multi-row
        // INSERT is parsed each time).
        (conn, [row]) => append_event(conn, row),
        (DbConn::Postgres(pg), rows) => diesel::insert_into(ev::notification_events)
            .values(rows)
            .execute(pg)
            .map(drop),
        // In-process: no round trip to save.
        (DbConn::Sqlite(lite), rows) => rows.iter().try_for_each(|row| {
            diesel::insert_into(ev::notification_events)
                .values(row)
                .execute(lite)
                .map(drop)
        }),
    }
}

pub fn list_for_ro(conn: &mut DbConn, ro_id: RoId) -> QueryResult<Vec<NotificationRow>> {
    n::notifications
        .filter(n::ro_id.eq(ro_id))
        .order((n::created_at.asc(), n::id.asc()))
        .select(NotificationRow::as_select())
        .load(conn)
}

pub fn events_for(
    conn: &mut DbConn,
    ids: &[NotificationId],
) -> QueryResult<Vec<NotificationEventRow>> {
    ev::notification_events
        .filter(ev::notification_id.eq_any(ids))
        .order((ev::at.asc(), ev::id.asc()))
        .select(NotificationEventRow::as_select())
        .load(conn)
}

/// Newest first on the given channels (of one dealership, or all), for
/// /dev/outbox.
pub fn recent(
    conn: &mut DbConn,
    channels: &[Channel],
    dealership: Option<DealershipId>,
    limit: i64,
) -> QueryResult<Vec<NotificationRow>> {
    let mut query = n::notifications
        .filter(n::channel.eq_any(channels))
        .into_boxed();
    if let Some(d) = dealership {
        query = query.filter(n::dealership_id.eq(d));
    }
    query
        .order((n::created_at.desc(), n::id.desc()))
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)
}

/// How many messages are in each state.
pub fn count_by_state(conn: &mut DbConn) -> QueryResult<Vec<(DeliveryState, i64)>> {
    n::notifications
        .group_by(n::state)
        .select((n::state, diesel::dsl::count_star()))
        .load(conn)
}

/// When the oldest message still waiting became due.
pub fn oldest_due_pending(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    n::notifications
        .filter(
            n::state
                .eq(DeliveryState::Pending)
                .and(n::next_attempt_at.le(now)),
        )
        .select(diesel::dsl::min(n::next_attempt_at))
        .first(conn)
}

/// Records a provider callback as it arrived, once per (message, status):
/// Twilio retries, and a captured callback replayed adds nothing. `false`
/// when that status was already recorded.
pub fn store_callback(
    conn: &mut DbConn,
    id: EventId,
    provider_id: &str,
    status: &str,
    error_code: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    use super::schema::provider_callbacks::dsl as c;
    let insert = diesel::insert_into(c::provider_callbacks)
        .values((
            c::id.eq(id),
            c::provider_id.eq(provider_id),
            c::status.eq(status),
            c::error_code.eq(error_code),
            c::received_at.eq(at),
        ))
        .on_conflict((c::provider_id, c::status))
        .do_nothing();
    // ON CONFLICT names its backend: diesel's MultiConnection cannot build it.
    let written = match conn {
        DbConn::Postgres(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(written == 1)
}

/// Callbacks received for any of these provider ids, oldest first:
/// (provider id, status, error code).
pub fn callbacks_for(
    conn: &mut DbConn,
    provider_ids: &[&str],
) -> QueryResult<Vec<(String, String, Option<String>)>> {
    use super::schema::provider_callbacks::dsl as c;
    c::provider_callbacks
        .filter(c::provider_id.eq_any(provider_ids))
        .order((c::received_at.asc(), c::id.asc()))
        .select((c::provider_id, c::status, c::error_code))
        .load(conn)
}
