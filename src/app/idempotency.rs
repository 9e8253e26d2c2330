//! `Idempotency-Key` on POST requests: a retried request gets the first
//! response again instead of doing the work twice (a payment recorded twice
//! is a customer charged twice).
//!
//! The key is claimed inside the same transaction as the work, before the
//! work runs. On PostgreSQL a concurrent request with the same key blocks on
//! the claim until the first commits, then replays its response; on SQLite
//! BEGIN IMMEDIATE already serialises them. A request that fails leaves no
//! claim behind, so it can simply be retried.

use super::admin::staff::require;
use super::time::{stored, utc};
use super::{Actor, App, AppError, Ctx};
use crate::db::{self, DbConn, models::IdempotencyRow};
use crate::domain::role::Permission;
use chrono::Duration;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

/// How long a key is remembered.
pub const KEY_LIFETIME_HOURS: i64 = 24;

/// A client's key and a digest of the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

/// What a write did. The HTTP layer says it with a status; a replay says
/// the same as the first answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done as asked.
    Done,
    /// Something new exists.
    Created,
    /// Taken on, to happen later (ready when someone is there).
    Accepted,
}

impl Outcome {
    /// How the stored first answer records it (as the HTTP status it had).
    fn stored(self) -> i32 {
        match self {
            Outcome::Done => 200,
            Outcome::Created => 201,
            Outcome::Accepted => 202,
        }
    }

    fn from_stored(code: i32) -> Result<Self, AppError> {
        match code {
            200 => Ok(Outcome::Done),
            201 => Ok(Outcome::Created),
            202 => Ok(Outcome::Accepted),
            other => Err(AppError::Internal(anyhow::anyhow!(
                "stored idempotent answer has outcome {other}"
            ))),
        }
    }
}

/// A use case's answer: freshly computed, or the stored first answer.
#[derive(Debug)]
pub enum Reply<T> {
    Fresh {
        outcome: Outcome,
        value: T,
    },
    Replayed {
        outcome: Outcome,
        body: serde_json::Value,
    },
}

impl App {
    /// Runs the write `f` in one transaction, at most once per (scope, key);
    /// the scope is the caller (`Caller::scope`), so keys never collide
    /// between callers. `f` returns its outcome status with its value.
    pub(crate) async fn write_once<T, F>(
        &self,
        scope: String,
        idem: Option<IdempotencyKey>,
        f: F,
    ) -> Result<Reply<T>, AppError>
    where
        T: Serialize + Send + 'static,
        F: FnOnce(&mut DbConn, &Ctx) -> Result<(Outcome, T), AppError> + Send + 'static,
    {
        let cx = self.ctx();
        let reply = self
            .db
            .run_writing(move |conn| {
                let mut work = Some(f);
                // Twice at most: the second attempt only happens after losing
                // the claim race, and then finds the winner's response.
                for _ in 0..2 {
                    match conn.write(|tx| attempt(tx, &scope, idem.as_ref(), &cx, &mut work)) {
                        Err(AppError::IdempotencyRace) => continue,
                        other => return other,
                    }
                }
                Err(AppError::conflict(
                    "idempotency-key-in-use",
                    "a request with this Idempotency-Key is still being processed; retry shortly",
                ))
            })
            .await?;
        if matches!(reply, Reply::Fresh { .. }) {
            // Committed: messages written with the change can go now.
            self.outbox.wake();
        }
        Ok(reply)
    }
}

impl App {
    /// A staff member's write: their role is checked, then `f` runs with
    /// them as in [`App::write_once`].
    pub(crate) async fn staff_write<T, F>(
        &self,
        actor: &Actor,
        permission: Permission,
        idem: Option<IdempotencyKey>,
        f: F,
    ) -> Result<Reply<T>, AppError>
    where
        T: Serialize + Send + 'static,
        F: FnOnce(&mut DbConn, &Actor, &Ctx) -> Result<(Outcome, T), AppError> + Send + 'static,
    {
        require(actor, permission)?;
        let who = actor.clone();
        self.write_once(actor.scope(), idem, move |tx, cx| f(tx, &who, cx))
            .await
    }
}

fn attempt<T, F>(
    tx: &mut DbConn,
    scope: &str,
    idem: Option<&IdempotencyKey>,
    cx: &Ctx,
    work: &mut Option<F>,
) -> Result<Reply<T>, AppError>
where
    T: Serialize,
    F: FnOnce(&mut DbConn, &Ctx) -> Result<(Outcome, T), AppError>,
{
    let now = cx.now;
    if let Some(k) = idem {
        if let Some(row) = db::idempotency::find(tx, scope, &k.key)? {
            if utc(row.created_at) > now - Duration::hours(KEY_LIFETIME_HOURS) {
                if row.request_hash != k.request_hash {
                    return Err(AppError::IdempotencyMismatch);
                }
                return Ok(Reply::Replayed {
                    outcome: Outcome::from_stored(row.status)?,
                    body: serde_json::from_str(&row.body)?,
                });
            }
            db::idempotency::delete(tx, scope, &k.key)?;
        }
        let claim = IdempotencyRow {
            scope: scope.to_owned(),
            key: k.key.clone(),
            request_hash: k.request_hash.clone(),
            status: 0,
            body: "null".into(),
            created_at: stored(now),
        };
        match db::idempotency::insert(tx, &claim) {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(AppError::IdempotencyRace);
            }
            other => other?,
        }
    }
    let run = work
        .take()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("idempotent work ran twice")))?;
    let (outcome, value) = run(tx, cx)?;
    if let Some(k) = idem {
        let body = serde_json::to_string(&value)?;
        db::idempotency::complete(tx, scope, &k.key, outcome.stored(), &body)?;
    }
    Ok(Reply::Fresh { outcome, value })
}
