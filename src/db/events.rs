//! The RO timeline. Append-only: there is deliberately no update or delete.
//! Events are stored as the two halves of a `RoEvent` (`kind`, `detail`)
//! and read back whole; one that does not read back fails the load.

use super::DbConn;
use super::models::EventRow;
use super::schema::ro_events::dsl as e;
use crate::domain::event::{ActorKind, RoEvent};
use crate::domain::ids::{EventId, RoId, StaffId};
use crate::domain::lifecycle::RoStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error;

/// One timeline entry.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: EventId,
    pub ro_id: RoId,
    pub at: NaiveDateTime,
    pub actor_kind: ActorKind,
    pub actor_id: Option<StaffId>,
    pub from_status: Option<RoStatus>,
    pub to_status: Option<RoStatus>,
    pub event: RoEvent,
}

pub fn append(conn: &mut DbConn, stored: &StoredEvent) -> QueryResult<()> {
    diesel::insert_into(e::ro_events)
        .values(&row(stored)?)
        .execute(conn)
        .map(drop)
}

/// The stored form of an event.
pub(super) fn row(stored: &StoredEvent) -> QueryResult<EventRow> {
    let detail = stored
        .event
        .detail()
        .map_err(|e| Error::SerializationError(Box::new(e)))?;
    Ok(EventRow {
        id: stored.id,
        ro_id: stored.ro_id,
        at: stored.at,
        actor_kind: stored.actor_kind,
        actor_id: stored.actor_id,
        kind: stored.event.kind().to_owned(),
        from_status: stored.from_status,
        to_status: stored.to_status,
        detail: detail.to_string(),
    })
}

/// Oldest first; ids are UUIDv7 so events in the same instant keep their order.
pub fn list(conn: &mut DbConn, ro_id: RoId) -> QueryResult<Vec<StoredEvent>> {
    e::ro_events
        .filter(e::ro_id.eq(ro_id))
        .order((e::at.asc(), e::id.asc()))
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| {
            let event = RoEvent::from_stored(&row.kind, &row.detail).map_err(|why| {
                Error::DeserializationError(
                    format!("stored event {} ({:?}): {why}", row.id, row.kind).into(),
                )
            })?;
            Ok(StoredEvent {
                id: row.id,
                ro_id: row.ro_id,
                at: row.at,
                actor_kind: row.actor_kind,
                actor_id: row.actor_id,
                from_status: row.from_status,
                to_status: row.to_status,
                event,
            })
        })
        .collect()
}

/// When each of `ro_ids` last had an event of `kind` (a `RoEvent::kind`).
pub fn last_of_kind(
    conn: &mut DbConn,
    ro_ids: &[RoId],
    kind: &str,
) -> QueryResult<Vec<(RoId, NaiveDateTime)>> {
    e::ro_events
        .filter(e::ro_id.eq_any(ro_ids).and(e::kind.eq(kind)))
        .group_by(e::ro_id)
        .select((e::ro_id, diesel::dsl::max(e::at).assume_not_null()))
        .load(conn)
}
