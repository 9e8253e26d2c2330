//! Everyone's service to their colleagues, visible: per person and per
//! role, how many questions were asked and answered, how fast (median and
//! 90th percentile, in minutes), and how many waited past their due time.

use super::Names;
use crate::app::time::{stored, utc};
use crate::app::{Actor, App, AppError};
use crate::db;
use crate::db::models::StaffRequestRow;
use crate::domain::ids::StaffId;
use crate::domain::role::Role;
use crate::domain::validation::Violations;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResponsivenessQuery {
    /// RFC 3339; default a week before `to`.
    pub from: Option<String>,
    /// RFC 3339; default now.
    pub to: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Responsiveness {
    /// How many questions they asked.
    pub asked: usize,
    /// How many came to them (were with them when answered or still open).
    pub received: usize,
    /// How many they answered.
    pub answered: usize,
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
    /// Their questions' due times that passed unanswered.
    pub escalations: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonResponsiveness {
    pub staff_id: uuid::Uuid,
    pub name: String,
    pub role: Role,
    #[serde(flatten)]
    pub figures: Responsiveness,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleResponsiveness {
    pub role: Role,
    #[serde(flatten)]
    pub figures: Responsiveness,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponsivenessReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub people: Vec<PersonResponsiveness>,
    pub roles: Vec<RoleResponsiveness>,
}

/// The value at `q` (0–1) of sorted `values`, by nearest rank.
fn percentile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

fn minutes(r: &StaffRequestRow) -> Option<i64> {
    r.answered_at
        .map(|a| (utc(a) - utc(r.created_at)).num_minutes())
}

/// The figures for the requests `held` (with or answered by the subject)
/// and the number the subject `asked`.
fn figures<'a>(asked: usize, held: impl Iterator<Item = &'a StaffRequestRow>) -> Responsiveness {
    let held: Vec<&StaffRequestRow> = held.collect();
    let mut times: Vec<i64> = held.iter().filter_map(|r| minutes(r)).collect();
    times.sort_unstable();
    Responsiveness {
        asked,
        received: held.len(),
        answered: times.len(),
        median_minutes: percentile(&times, 0.5),
        p90_minutes: percentile(&times, 0.9),
        escalations: held.iter().filter(|r| r.escalated_at.is_some()).count(),
    }
}

/// Who a request counts for: whoever answered it, else whoever has it.
fn holder(r: &StaffRequestRow) -> StaffId {
    r.answered_by.unwrap_or(r.routed_to)
}

fn window(
    q: &ResponsivenessQuery,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
    let mut v = Violations::new();
    let parse = |raw: &Option<String>| {
        raw.as_deref()
            .map(|s| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)))
    };
    let to = match parse(&q.to) {
        Some(Ok(t)) => Some(t),
        Some(Err(_)) => {
            v.push("to", "is not a time such as 2026-03-02T15:00:00Z");
            None
        }
        None => Some(now),
    };
    let from = match parse(&q.from) {
        Some(Ok(t)) => Some(t),
        Some(Err(_)) => {
            v.push("from", "is not a time such as 2026-03-02T15:00:00Z");
            None
        }
        None => to.map(|t| t - Duration::days(7)),
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            v.push("from", "must be before to");
        } else if t - f > Duration::days(366) {
            v.push("from", "the window is at most a year");
        }
    }
    v.finish()?;
    Ok((from.unwrap_or(now), to.unwrap_or(now)))
}

impl App {
    /// The responsiveness report (managers).
    pub async fn responsiveness(
        &self,
        actor: &Actor,
        q: ResponsivenessQuery,
    ) -> Result<ResponsivenessReport, AppError> {
        if actor.role != Role::Manager {
            return Err(AppError::forbidden(
                "the responsiveness report is for managers",
            ));
        }
        let (from, to) = window(&q, self.clock.now())?;
        let dealership = actor.dealership_id;
        self.db
            .run(move |conn| {
                let rows = db::requests::asked_between(conn, dealership, stored(from), stored(to))?;
                let names = Names::load(conn, dealership)?;
                let people = names
                    .all()
                    .iter()
                    .map(|s| PersonResponsiveness {
                        staff_id: s.id.uuid(),
                        name: s.name.clone(),
                        role: s.role,
                        figures: figures(
                            rows.iter().filter(|r| r.asked_by == s.id).count(),
                            rows.iter().filter(|r| holder(r) == s.id),
                        ),
                    })
                    .filter(|p| p.figures.asked + p.figures.received > 0)
                    .collect();
                let roles = Role::ALL
                    .iter()
                    .map(|role| RoleResponsiveness {
                        role: *role,
                        figures: figures(
                            rows.iter()
                                .filter(|r| names.row(r.asked_by).is_some_and(|s| s.role == *role))
                                .count(),
                            rows.iter().filter(|r| r.routed_role == *role),
                        ),
                    })
                    .collect();
                Ok(ResponsivenessReport {
                    from,
                    to,
                    people,
                    roles,
                })
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&v, 0.5), Some(5));
        assert_eq!(percentile(&v, 0.9), Some(9));
        assert_eq!(percentile(&[42], 0.9), Some(42));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
