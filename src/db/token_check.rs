//! A staff token recognised from memory, confirmed by the request's first
//! use of the database, on that use's own connection and blocking task.
//!
//! Recognising a token from a cache saves a pool checkout and a trip to the
//! blocking pool per request, but a cache alone could say yes to a token
//! that another instance has just rotated or deactivated. So a cache hit
//! only defers the check: the request's first [`super::Db::run`] reads the
//! staff row by the token's digest before its own work, and refuses with
//! [`super::DbError::TokenRefused`] unless it still names the same person,
//! dealership and role, active. A [`super::Db::write`] confirms it inside
//! its transaction instead, saving that round trip: the statement that
//! locks the RO reads the staff row too (`locked_ro`), or the write reads it
//! just before COMMIT, and a refusal rolls everything back. A request that
//! never reaches the database is confirmed by the HTTP layer before its
//! answer leaves (`http::token_check`). Never a stale yes.

use super::DbConn;
use super::pool::DbError;
use super::staff::find_by_token_hash;
use crate::domain::ids::{DealershipId, StaffId};
use crate::domain::role::Role;
use std::cell::RefCell;

/// Who the cache says the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder {
    pub staff_id: StaffId,
    pub dealership_id: DealershipId,
    pub role: Role,
    pub name: String,
}

/// A token to confirm: its SHA-256 digest and who it was taken for.
#[derive(Debug, Clone)]
pub struct PendingToken {
    pub hash: String,
    pub holder: TokenHolder,
}

/// Why a recognised token was refused on confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Rotated, deactivated or deleted since it was cached.
    NotValid,
    /// Still valid, but its person's role, name or dealership changed: the
    /// request was judged as someone the token no longer is.
    Changed,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NotValid => "the token is not valid",
            Refusal::Changed => "this token's account changed a moment ago; send the request again",
        }
    }
}

/// Where a request's token stands.
#[derive(Debug, Clone)]
enum State {
    Pending(PendingToken),
    Refused { hash: String, why: Refusal },
}

tokio::task_local! {
    static CHECK: RefCell<Option<State>>;
}

/// Runs `request` with room for one deferred token check.
pub async fn scope<F: std::future::Future>(request: F) -> F::Output {
    CHECK.scope(RefCell::new(None), request).await
}

/// Leaves `token` to be confirmed by the request's first database use.
/// False outside [`scope`] (nobody would confirm it): check it now instead.
pub fn defer(token: PendingToken) -> bool {
    CHECK
        .try_with(|c| *c.borrow_mut() = Some(State::Pending(token)))
        .is_ok()
}

/// The token this task still has to confirm, if any.
pub(super) fn pending() -> Option<PendingToken> {
    CHECK
        .try_with(|c| match &*c.borrow() {
            Some(State::Pending(token)) => Some(token.clone()),
            Some(State::Refused { .. }) | None => None,
        })
        .ok()
        .flatten()
}

/// Records how the confirmation of `token` went.
pub(super) fn settle(token: &PendingToken, outcome: Result<(), Refusal>) {
    let _ = CHECK.try_with(|c| {
        *c.borrow_mut() = outcome.err().map(|why| State::Refused {
            hash: token.hash.clone(),
            why,
        });
    });
}

/// Whether a token is still waiting for confirmation.
pub fn is_pending() -> bool {
    pending().is_some()
}

/// The refused token's digest and why, once a confirmation said no.
pub fn refusal() -> Option<(String, Refusal)> {
    CHECK
        .try_with(|c| match &*c.borrow() {
            Some(State::Refused { hash, why }) => Some((hash.clone(), *why)),
            Some(State::Pending(_)) | None => None,
        })
        .ok()
        .flatten()
}

/// Reads the token's staff row on `conn` and compares it with the holder.
pub(super) fn confirm(conn: &mut DbConn, token: &PendingToken) -> Result<(), DbError> {
    let row = find_by_token_hash(conn, &token.hash)?;
    let verdict = match row {
        Some(row) if row.active => {
            let now = TokenHolder {
                staff_id: row.id,
                dealership_id: row.dealership_id,
                role: row.role,
                name: row.name,
            };
            if now == token.holder {
                Ok(())
            } else {
                Err(Refusal::Changed)
            }
        }
        Some(_) | None => Err(Refusal::NotValid),
    };
    verdict.map_err(DbError::TokenRefused)
}

/// Where a write's token confirmation stands on the blocking thread that
/// runs it ([`super::Db::write`]): due, then answered by the statement that
/// locks the RO (PostgreSQL: [`due`], [`answer`]) or by a read of the staff
/// row just before COMMIT ([`before_commit`]).
enum Due {
    Unanswered(PendingToken),
    Answered(Result<(), Refusal>),
}

thread_local! {
    static DUE: RefCell<Option<Due>> = const { RefCell::new(None) };
}

/// A write's confirmation, due on this thread while the scope lives (a
/// blocking thread runs many requests' writes: nothing may outlive one).
pub(super) struct DueScope(());

impl DueScope {
    pub(super) fn new(token: PendingToken) -> Self {
        DUE.with(|d| *d.borrow_mut() = Some(Due::Unanswered(token)));
        Self(())
    }

    /// After the write: its verdict, confirming now (on `conn`, the write
    /// having rolled back) if it failed before anything answered.
    pub(super) fn finish(self, conn: &mut DbConn) -> Result<Result<(), Refusal>, DbError> {
        match DUE.with(|d| d.borrow_mut().take()) {
            Some(Due::Answered(verdict)) => Ok(verdict),
            Some(Due::Unanswered(token)) => verdict_of(confirm(conn, &token)),
            None => Ok(Ok(())),
        }
    }
}

impl Drop for DueScope {
    fn drop(&mut self) {
        DUE.with(|d| d.borrow_mut().take());
    }
}

pub(super) fn verdict_of(confirmed: Result<(), DbError>) -> Result<Result<(), Refusal>, DbError> {
    match confirmed {
        Ok(()) => Ok(Ok(())),
        Err(DbError::TokenRefused(why)) => Ok(Err(why)),
        Err(other) => Err(other),
    }
}

/// The token a statement about to run should confirm, if one is due.
pub(super) fn due() -> Option<PendingToken> {
    DUE.with(|d| match &*d.borrow() {
        Some(Due::Unanswered(token)) => Some(token.clone()),
        Some(Due::Answered(_)) | None => None,
    })
}

/// Records what a statement carrying the due token read of it: `None` when
/// no active staff row has its digest, else whether that row is still the
/// holder (same person, dealership, role and name).
pub(super) fn answer(still_the_holder: Option<bool>) -> Result<(), Refusal> {
    let verdict = match still_the_holder {
        Some(true) => Ok(()),
        Some(false) => Err(Refusal::Changed),
        None => Err(Refusal::NotValid),
    };
    DUE.with(|d| *d.borrow_mut() = Some(Due::Answered(verdict)));
    verdict
}

/// Inside the write's transaction, before COMMIT: the confirmation is
/// answered by now, on this connection, or the write does not commit.
pub(super) fn before_commit(conn: &mut DbConn) -> Result<(), DbError> {
    if let Some(token) = due() {
        let verdict = verdict_of(confirm(conn, &token))?;
        DUE.with(|d| *d.borrow_mut() = Some(Due::Answered(verdict)));
    }
    DUE.with(|d| match &*d.borrow() {
        Some(Due::Answered(Err(why))) => Err(DbError::TokenRefused(*why)),
        Some(Due::Answered(Ok(()))) | Some(Due::Unanswered(_)) | None => Ok(()),
    })
}
