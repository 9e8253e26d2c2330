//! The RO's history. Every change appends one event in the same transaction
//! as the change; nothing ever rewrites one.

use super::aggregate::RepairOrder;
use crate::app::messaging::notices;
use crate::app::time::stored;
use crate::app::{AppError, Ctx};
use crate::db::events::StoredEvent;
use crate::db::{self, DbConn};
use crate::domain::event::{ActorKind, RoEvent};
use crate::domain::ids::{EventId, StaffId};
use crate::domain::lifecycle::RoStatus;

/// Who caused an event.
#[derive(Debug, Clone, Copy)]
pub(crate) enum By {
    Staff(StaffId),
    /// The customer (a text, the status page).
    Customer,
    /// The service itself (a promotion when someone clocked in).
    System,
}

/// Appends one event to the RO's timeline, and writes the messages it
/// causes to the outbox (see `notices`), in the caller's transaction.
pub(crate) fn record(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &RepairOrder,
    by: By,
    event: RoEvent,
    transition: Option<(RoStatus, RoStatus)>,
) -> Result<(), AppError> {
    let entry = entry(cx, ro, by, event, transition);
    db::events::append(tx, &entry)?;
    notices::after(tx, cx, ro, &entry)
}

/// Saves the RO's changes and appends the event they make (one statement on
/// PostgreSQL), then writes the messages it causes, in the caller's
/// transaction. `ConcurrentUpdate` if someone else wrote the RO first.
pub(crate) fn save_and_record(
    tx: &mut DbConn,
    cx: &Ctx,
    ro: &mut RepairOrder,
    by: By,
    event: RoEvent,
    transition: Option<(RoStatus, RoStatus)>,
) -> Result<(), AppError> {
    let entry = entry(cx, ro, by, event, transition);
    ro.save(tx, &entry)?;
    notices::after(tx, cx, ro, &entry)
}

fn entry(
    cx: &Ctx,
    ro: &RepairOrder,
    by: By,
    event: RoEvent,
    transition: Option<(RoStatus, RoStatus)>,
) -> StoredEvent {
    let (actor_kind, actor_id) = match by {
        By::Staff(id) => (ActorKind::Staff, Some(id)),
        By::Customer => (ActorKind::Customer, None),
        By::System => (ActorKind::System, None),
    };
    StoredEvent {
        id: EventId::generate(),
        ro_id: ro.row.id,
        at: stored(cx.now),
        actor_kind,
        actor_id,
        from_status: transition.map(|(f, _)| f),
        to_status: transition.map(|(_, t)| t),
        event,
    }
}
