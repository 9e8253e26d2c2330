use super::DbConn;
use super::events::{self, StoredEvent};
use super::models::{RoChanges, RoRow};
use super::prepared;
use super::schema::repair_orders::dsl as r;
use super::schema::ro_events;
use crate::domain::ids::{DealershipId, RoId, StaffId};
use crate::domain::lifecycle::RoStatus;
use crate::domain::phone::PhoneNumber;
use crate::domain::vin::Vin;
use diesel::prelude::*;

pub fn insert(conn: &mut DbConn, row: &RoRow) -> QueryResult<()> {
    diesel::insert_into(r::repair_orders)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The RO if it belongs to this dealership. Another dealership's RO is
/// indistinguishable from one that does not exist.
pub fn find(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    id: RoId,
) -> QueryResult<Option<RoRow>> {
    r::repair_orders
        .filter(r::dealership_id.eq(dealership_id).and(r::id.eq(id)))
        .select(RoRow::as_select())
        .first(conn)
        .optional()
}

/// The shape of `save`'s statement on PostgreSQL.
struct SaveWithEvent;

/// Writes `changes` only if the RO is still at `expected_version`, and bumps
/// the version. `false` means someone else wrote first: the caller refuses
/// rather than merge. On PostgreSQL a concurrent writer blocks on the row
/// lock and then finds the version moved, so exactly one of two racing
/// writes succeeds on both stores. The change's `event` is appended to the
/// timeline with it (a refused write rolls back with its transaction).
pub fn save(
    conn: &mut DbConn,
    id: RoId,
    expected_version: i64,
    changes: &RoChanges,
    event: &StoredEvent,
) -> QueryResult<bool> {
    let this = r::id.eq(id).and(r::version.eq(expected_version));
    let set = (changes, r::version.eq(expected_version + 1));
    let event = events::row(event)?;
    let updated = match conn {
        // The change and its event in one round trip.
        // One text always (`RoChanges` writes NULL for None, the event
        // row has no DEFAULTs), so it is cached under `SaveWithEvent`.
        DbConn::Postgres(pg) => prepared::fixed_shape::<SaveWithEvent, _>(prepared::with_insert(
            diesel::insert_into(ro_events::table).values(&event),
            prepared::update("repair_orders", set, this),
        ))
        .execute(pg)?,
        DbConn::Sqlite(lite) => {
            diesel::insert_into(ro_events::table)
                .values(&event)
                .execute(lite)?;
            diesel::update(r::repair_orders.filter(this))
                .set(set)
                .execute(lite)?
        }
    };
    Ok(updated == 1)
}

pub struct ListFilter {
    pub status: Option<RoStatus>,
    /// RO number, customer name or phone, VIN or plate (any of them).
    pub q: Option<String>,
    pub advisor_id: Option<StaffId>,
    /// Only ROs numbered below this (the cursor of the previous page).
    pub before_number: Option<i64>,
    pub limit: i64,
}

/// Newest first.
pub fn list(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    filter: &ListFilter,
) -> QueryResult<Vec<RoRow>> {
    let mut query = r::repair_orders
        .filter(r::dealership_id.eq(dealership_id))
        .select(RoRow::as_select())
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(r::status.eq(*status));
    }
    if let Some(advisor) = &filter.advisor_id {
        query = query.filter(r::advisor_id.eq(*advisor));
    }
    if let Some(before) = filter.before_number {
        query = query.filter(r::number.lt(before));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(matching(dealership_id, q));
    }
    query.order(r::number.desc()).limit(filter.limit).load(conn)
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

type Matching = Box<
    dyn BoxableExpression<
            super::schema::repair_orders::table,
            super::conn::MultiBackend,
            SqlType = diesel::sql_types::Bool,
        >,
>;

/// The search. A number is an RO number (or, with 4 digits or more, part
/// of a phone number); anything else is part of the customer's name or
/// phone, the VIN or the plate (case ignored; wildcards taken literally).
fn matching(dealership_id: DealershipId, q: &str) -> Matching {
    use super::schema::customers::dsl as c;
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone_like = format!("%{digits}%");
    let by_phone = c::customers
        .filter(c::dealership_id.eq(dealership_id))
        .filter(c::phone.like(phone_like).assume_not_null())
        .select(c::id);
    if let Ok(number) = q.trim_start_matches('#').parse::<i64>() {
        return if digits.len() >= 4 {
            Box::new(r::number.eq(number).or(r::customer_id.eq_any(by_phone)))
        } else {
            Box::new(r::number.eq(number))
        };
    }
    let escaped = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let like = format!("%{escaped}%");
    let by_name = c::customers
        .filter(c::dealership_id.eq(dealership_id))
        .filter(lower(c::name).like(like.clone()).escape('\\'))
        .select(c::id);
    let text: Matching = Box::new(
        r::customer_id
            .eq_any(by_name)
            .or(lower(r::vin).like(like.clone()).escape('\\'))
            // A missing plate compares as NULL: that part is simply false.
            .or(lower(r::vehicle_plate.assume_not_null())
                .like(like)
                .escape('\\')),
    );
    if digits.len() >= 4
        && q.chars()
            .all(|ch| ch.is_ascii_digit() || " ()+-.".contains(ch))
    {
        Box::new(text.or(r::customer_id.eq_any(by_phone)))
    } else {
        text
    }
}

/// Work-complete ROs waiting for someone to come on duty to hand them over.
pub fn waiting_for_handover(
    conn: &mut DbConn,
    dealership_id: DealershipId,
) -> QueryResult<Vec<RoRow>> {
    r::repair_orders
        .filter(
            r::dealership_id
                .eq(dealership_id)
                .and(r::ready_when_available.eq(true))
                .and(r::status.eq(RoStatus::WorkComplete)),
        )
        .order(r::number.asc())
        .select(RoRow::as_select())
        .load(conn)
}

/// Ready ROs that this person is to hand over.
pub fn ready_handed_over_by(conn: &mut DbConn, staff_id: StaffId) -> QueryResult<Vec<RoRow>> {
    r::repair_orders
        .filter(
            r::handover_staff_id
                .eq(staff_id)
                .and(r::status.eq(RoStatus::ReadyForPickup)),
        )
        .order(r::number.asc())
        .select(RoRow::as_select())
        .load(conn)
}

/// Row-locks the RO (PostgreSQL) and reads it for a write, so concurrent
/// writers queue instead of failing on the version check, and each sees the
/// state the previous one left. SQLite needs no row lock: writes run under
/// BEGIN IMMEDIATE, one at a time. `None` when there is no such RO in this
/// dealership.
pub fn lock(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    id: RoId,
) -> QueryResult<Option<RoRow>> {
    let this = r::dealership_id.eq(dealership_id).and(r::id.eq(id));
    match conn {
        // A prepared SELECT … FOR UPDATE: no new row version, unlike the
        // `SET version = version` this replaced, and no parse per call.
        DbConn::Postgres(pg) => r::repair_orders
            .filter(this)
            .select(RoRow::as_select())
            .for_update()
            .first(pg),
        DbConn::Sqlite(lite) => r::repair_orders
            .filter(this)
            .select(RoRow::as_select())
            .first(lite),
    }
    .optional()
}

/// The statuses of an order still in the shop, named one by one rather than
/// "neither picked up nor cancelled": an IN list walks the (dealership_id,
/// status) index to the few open orders, where NOT IN read every order the
/// dealership ever had (the board at a million stored orders).
fn open_statuses() -> Vec<RoStatus> {
    RoStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect()
}

/// The customer's most recent RO at this dealership, open ones first: where
/// a text from that number belongs.
pub fn latest_for_phone(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    phone: &PhoneNumber,
) -> QueryResult<Option<RoRow>> {
    use super::schema::customers::dsl as c;
    let base = || {
        r::repair_orders
            .inner_join(c::customers)
            .filter(
                r::dealership_id
                    .eq(dealership_id)
                    .and(c::phone.eq(phone.clone())),
            )
            .order((r::created_at.desc(), r::number.desc()))
            .select(RoRow::as_select())
    };
    if let Some(open) = base()
        .filter(r::status.eq_any(open_statuses()))
        .first(conn)
        .optional()?
    {
        return Ok(Some(open));
    }
    base().first(conn).optional()
}

/// The RO behind a status link (any dealership: the token is the key).
pub fn find_by_token_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<RoRow>> {
    r::repair_orders
        .filter(r::status_token_hash.eq(hash))
        .select(RoRow::as_select())
        .first(conn)
        .optional()
}

/// Open repair orders (neither picked up nor cancelled), soonest promise
/// first: the desk's board.
pub fn open_for(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    limit: i64,
) -> QueryResult<Vec<RoRow>> {
    r::repair_orders
        .filter(r::dealership_id.eq(dealership_id))
        .filter(r::status.eq_any(open_statuses()))
        .order((r::promised_at.asc(), r::number.asc()))
        .limit(limit)
        .select(RoRow::as_select())
        .load(conn)
}

/// The most recent RO for this car at this dealership: what we know of it.
pub fn latest_for_vin(
    conn: &mut DbConn,
    dealership_id: DealershipId,
    vin: &Vin,
) -> QueryResult<Option<RoRow>> {
    r::repair_orders
        .filter(
            r::dealership_id
                .eq(dealership_id)
                .and(r::vin.eq(vin.clone())),
        )
        .order((r::created_at.desc(), r::number.desc()))
        .select(RoRow::as_select())
        .first(conn)
        .optional()
}

/// An RO by id alone, whatever its dealership: for what names an RO from
/// outside any dealership's session (a payment processor's event).
pub fn find_any(conn: &mut DbConn, id: RoId) -> QueryResult<Option<RoRow>> {
    r::repair_orders
        .filter(r::id.eq(id))
        .select(RoRow::as_select())
        .first(conn)
        .optional()
}
