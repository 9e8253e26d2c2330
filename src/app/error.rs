//! What can go wrong in a use case, in terms a client can act on. The HTTP
//! layer maps each variant to a status and a problem type; causes of
//! internal failures are logged there and never sent to the client.

use crate::db::DbError;
use crate::domain::handover_gate::NobodyToHandOver;
use crate::domain::lifecycle::{Refusal, RoStatus};
use crate::domain::validation::FieldError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is well-formed JSON but its values are not acceptable.
    #[error("the request has invalid values")]
    Validation(Vec<FieldError>),
    /// No such thing in the caller's dealership (or none at all).
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("authentication required: {0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("cannot move from {from} to {to}")]
    IllegalTransition {
        from: RoStatus,
        to: RoStatus,
        allowed: &'static [RoStatus],
    },
    #[error("{reason}")]
    NotYet {
        from: RoStatus,
        to: RoStatus,
        reason: String,
    },
    /// A rule of the business refuses the request in the current state.
    #[error("{detail}")]
    Conflict {
        problem: &'static str,
        detail: String,
        extra: Option<serde_json::Value>,
    },
    /// `If-Match` named a version that is no longer current.
    #[error("the repair order is at version {current}")]
    StaleVersion { current: i64 },
    /// Another write landed between this request's read and its write.
    #[error("the repair order changed while this request was being processed")]
    ConcurrentUpdate,
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    #[error("nobody can hand the car over")]
    NobodyToHandOver(NobodyToHandOver),
    /// A provider we depend on (the payment processor) is not answering
    /// as it should; worth trying again later.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// Used only inside the idempotency wrapper to retry after a key race.
    #[error("idempotency key race")]
    IdempotencyRace,
}

/// One candidate in a gate refusal, as the client sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub staff_id: uuid::Uuid,
    pub name: String,
    pub reason: String,
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn conflict(problem: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            problem,
            detail: detail.into(),
            extra: None,
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden(detail.into())
    }
}

/// A value that parsing reported as valid. Only called after
/// `Violations::finish` succeeded, when every parsed value is present.
pub(crate) fn present<T>(value: Option<T>) -> Result<T, AppError> {
    value.ok_or_else(|| AppError::Internal(anyhow::anyhow!("validated value missing")))
}

impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::Validation(errors)
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Illegal { from, to, allowed } => Self::IllegalTransition { from, to, allowed },
            Refusal::NotYet { from, to, reason } => Self::NotYet { from, to, reason },
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            // Unique constraints are a second line of defence behind the
            // checks in the use cases; losing a race to one is a conflict.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::conflict(
                "duplicate",
                "a record with the same unique value was written at the same time; retry",
            ),
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Query(q) => q.into(),
            DbError::TokenRefused(why) => Self::Unauthenticated(why.message()),
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(anyhow::Error::new(e))
    }
}
