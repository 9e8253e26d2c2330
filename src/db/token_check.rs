//! A staff token recognised from memory, confirmed by the request's first
//! use of the database, on that use's own connection and blocking task.
//!
//! Recognising a token from a cache saves a pool checkout and a trip to the
//! blocking pool per request, but a cache alone could say yes to a token
//! that another instance has just rotated or deactivated. So a cache hit
//! only defers the check: the request's first [`super::Db::run`] reads the
//! staff row by the token's digest before its own work, and refuses with
//! [`super::DbError::TokenRefused`] unless it still names the same person,
//! dealership and role, active. A request that never reaches the database is
//! confirmed by the HTTP layer before its answer leaves
//! (`http::token_check`). Never a stale yes.

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
