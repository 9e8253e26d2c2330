//! Where "ready" is decided. A car is ready for pickup only when someone who
//! can explain the work — the RO's advisor or one of its delegates — is there
//! to hand it over. This module is the single place that says yes or no.
//!
//! Today a candidate qualifies by being clocked in. Shifts, breaks, time off
//! and the minimum handover window extend `Candidate` without changing the
//! callers.

use super::presence::Presence;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Someone who could hand the car over, in the order they are asked.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub staff_id: Uuid,
    pub name: String,
    pub presence: Presence,
}

/// The promise "ready" makes: this person is there until this time
/// (`None` while no shift end is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverPromise {
    pub staff_id: Uuid,
    pub name: String,
    pub until: Option<DateTime<Utc>>,
}

/// Why one candidate cannot hand the car over now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRefusal {
    pub staff_id: Uuid,
    pub name: String,
    pub reason: String,
}

/// The gate's answer when nobody qualifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NobodyToHandOver {
    pub candidates: Vec<CandidateRefusal>,
    pub next_available_at: Option<DateTime<Utc>>,
}

pub struct HandoverGate;

impl HandoverGate {
    /// The first candidate who is on duty now gets the handover.
    pub fn decide(candidates: &[Candidate]) -> Result<HandoverPromise, NobodyToHandOver> {
        let mut refusals = Vec::new();
        for c in candidates {
            if c.presence.is_on_duty() {
                return Ok(HandoverPromise {
                    staff_id: c.staff_id,
                    name: c.name.clone(),
                    until: None,
                });
            }
            refusals.push(CandidateRefusal {
                staff_id: c.staff_id,
                name: c.name.clone(),
                reason: match c.presence.since {
                    Some(t) => format!(
                        "not clocked in (off since {})",
                        t.format("%Y-%m-%dT%H:%M:%SZ")
                    ),
                    None => "not clocked in".into(),
                },
            });
        }
        Err(NobodyToHandOver {
            candidates: refusals,
            next_available_at: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::presence::PresenceState;

    fn candidate(name: &str, state: PresenceState) -> Candidate {
        Candidate {
            staff_id: Uuid::now_v7(),
            name: name.into(),
            presence: Presence { state, since: None },
        }
    }

    #[test]
    fn first_present_candidate_hands_over() {
        let cands = [
            candidate("Ana", PresenceState::Off),
            candidate("Luis", PresenceState::OnDuty),
        ];
        let promise = HandoverGate::decide(&cands).unwrap();
        assert_eq!(promise.name, "Luis");
    }

    #[test]
    fn nobody_present_says_why_for_each() {
        let cands = [candidate("Ana", PresenceState::Off)];
        let refusal = HandoverGate::decide(&cands).unwrap_err();
        assert_eq!(refusal.candidates.len(), 1);
        assert_eq!(refusal.candidates[0].reason, "not clocked in");
        assert!(HandoverGate::decide(&[]).is_err());
    }
}
