//! A colleague's request, and where it goes. One pure function decides:
//! the addressee if they are there now, else their delegates in order who
//! are, else (for a role) the first of that role who is; when nobody is,
//! it waits for whoever is expected first, and the asker is told when.
//! Nobody is bounced from desk to desk: every person passed over is named,
//! with why.

use super::availability::{Availability, Schedule};
use super::ids::StaffId;
use super::role::Role;
use super::validation::string_enum;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

string_enum!(
    /// Whether a request still waits for its answer.
    RequestStatus { Open => "open", Answered => "answered" }
);

/// Who a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressee {
    Person(StaffId),
    Role(Role),
}

/// Someone a request could go to, as routing sees them.
#[derive(Debug, Clone)]
pub struct Colleague {
    pub staff_id: StaffId,
    pub name: String,
    pub role: Role,
    /// False once deactivated.
    pub active: bool,
    pub schedule: Schedule,
    /// Their standing delegates, in order.
    pub delegates: Vec<StaffId>,
}

/// Someone passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub staff_id: StaffId,
    pub name: String,
    pub reason: String,
}

/// Where the request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    pub routed_to: StaffId,
    pub role: Role,
    /// Nobody was there: it waits for `routed_to`.
    pub waiting: bool,
    /// When `routed_to` is expected, if it waits and that is known.
    pub expected_at: Option<DateTime<Utc>>,
    pub skipped: Vec<Skipped>,
}

/// Why a request cannot go anywhere at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unroutable {
    /// The person is not on this dealership's staff.
    UnknownPerson,
    /// Nobody here has the role (or everyone who had it has left).
    NobodyInRole(Role),
}

enum Here {
    Yes,
    No {
        reason: String,
        next: Option<DateTime<Utc>>,
    },
}

fn here(c: &Colleague, now: DateTime<Utc>, tz: Tz) -> Here {
    if !c.active {
        return Here::No {
            reason: "no longer works here".into(),
            next: None,
        };
    }
    match c.schedule.availability(now, tz, Duration::zero()) {
        Availability::Available { .. } => Here::Yes,
        Availability::Unavailable {
            reason,
            next_available_at,
        } => Here::No {
            reason,
            next: next_available_at,
        },
    }
}

/// Decides where a request to `to` goes, given everyone at the dealership.
pub fn route(
    to: Addressee,
    staff: &[Colleague],
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Routing, Unroutable> {
    let find = |id: StaffId| staff.iter().find(|c| c.staff_id == id);
    let order: Vec<&Colleague> = match to {
        Addressee::Person(id) => {
            let addressee = find(id).ok_or(Unroutable::UnknownPerson)?;
            let mut order = vec![addressee];
            order.extend(addressee.delegates.iter().filter_map(|d| find(*d)));
            order
        }
        Addressee::Role(role) => {
            let of_role: Vec<&Colleague> = staff
                .iter()
                .filter(|c| c.role == role && c.active)
                .collect();
            if of_role.is_empty() {
                return Err(Unroutable::NobodyInRole(role));
            }
            of_role
        }
    };
    let mut skipped = Vec::new();
    // Those not here who may come back, with when.
    let mut expected: Vec<(&Colleague, Option<DateTime<Utc>>)> = Vec::new();
    for c in &order {
        match here(c, now, tz) {
            Here::Yes => {
                return Ok(Routing {
                    routed_to: c.staff_id,
                    role: c.role,
                    waiting: false,
                    expected_at: None,
                    skipped,
                });
            }
            Here::No { reason, next } => {
                if c.active {
                    expected.push((c, next));
                }
                skipped.push(Skipped {
                    staff_id: c.staff_id,
                    name: c.name.clone(),
                    reason,
                });
            }
        }
    }
    // Nobody is there. A request to a person waits for them (or, if they
    // have left, their first delegate); one to a role waits for whoever of
    // it is expected first.
    let wait_for = match to {
        Addressee::Person(_) => expected.first().copied(),
        Addressee::Role(_) => expected
            .iter()
            .min_by_key(|(_, next)| next.unwrap_or(DateTime::<Utc>::MAX_UTC))
            .copied(),
    };
    let (c, expected_at) = wait_for.unwrap_or((order[0], None));
    Ok(Routing {
        routed_to: c.staff_id,
        role: c.role,
        waiting: true,
        expected_at,
        skipped,
    })
}

#[cfg(test)]
mod tests;
