//! Where "ready" is decided. A car is ready for pickup only when someone who
//! can explain the work — the RO's advisor or one of its delegates, asked in
//! that order — is on duty now and stays on duty for at least the
//! dealership's minimum handover window. This is the single place that says
//! yes or no; the app layer gathers the candidates and writes the answer.

use super::availability::{Availability, Schedule};
use super::ids::StaffId;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// Someone who could hand the car over, in the order they are asked.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub staff_id: StaffId,
    pub name: String,
    pub schedule: Schedule,
}

/// The promise "ready" makes: this person is there until this time (`None`
/// for someone without a schedule: presence alone, no known end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverPromise {
    pub staff_id: StaffId,
    pub name: String,
    pub until: Option<DateTime<Utc>>,
}

/// Why one candidate cannot hand the car over now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRefusal {
    pub staff_id: StaffId,
    pub name: String,
    pub reason: String,
}

/// The gate's answer when nobody qualifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NobodyToHandOver {
    pub candidates: Vec<CandidateRefusal>,
    /// When the first of them is next expected to be there for a window.
    pub next_available_at: Option<DateTime<Utc>>,
}

pub struct HandoverGate;

impl HandoverGate {
    /// The first candidate there now for at least `window` gets the handover.
    pub fn decide(
        candidates: &[Candidate],
        now: DateTime<Utc>,
        tz: Tz,
        window: Duration,
    ) -> Result<HandoverPromise, NobodyToHandOver> {
        let mut refusals = Vec::new();
        let mut next: Option<DateTime<Utc>> = None;
        for c in candidates {
            match c.schedule.availability(now, tz, window) {
                Availability::Available { until } => {
                    return Ok(HandoverPromise {
                        staff_id: c.staff_id,
                        name: c.name.clone(),
                        until,
                    });
                }
                Availability::Unavailable {
                    reason,
                    next_available_at,
                } => {
                    next = match (next, next_available_at) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    refusals.push(CandidateRefusal {
                        staff_id: c.staff_id,
                        name: c.name.clone(),
                        reason,
                    });
                }
            }
        }
        Err(NobodyToHandOver {
            candidates: refusals,
            next_available_at: next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::availability::{Live, WeeklyShift};
    use chrono::{NaiveTime, TimeZone, Weekday};

    fn chicago() -> Tz {
        "America/Chicago".parse().unwrap()
    }

    fn candidate(name: &str, live: Live, start: u32, end: u32) -> Candidate {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        Candidate {
            staff_id: StaffId::generate(),
            name: name.into(),
            schedule: Schedule {
                live,
                shifts: vec![WeeklyShift {
                    weekday: Weekday::Mon,
                    start: t(start),
                    end: t(end),
                }],
                leave: vec![],
            },
        }
    }

    /// The story: the advisor's shift ends at 17:00; at 16:50 she cannot
    /// promise a handover, her delegate on until 19:00 can.
    #[test]
    fn the_delegate_covers_the_end_of_the_advisors_day() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 22, 50, 0).unwrap(); // 16:50 Chicago
        let ana = candidate("Ana", Live::OnDuty, 8, 17);
        let luis = candidate("Luis", Live::OnDuty, 11, 19);
        let window = Duration::minutes(30);
        let refused =
            HandoverGate::decide(std::slice::from_ref(&ana), now, chicago(), window).unwrap_err();
        assert_eq!(
            refused.candidates[0].reason,
            "on duty only until 17:00 (a handover needs 30 minutes)"
        );
        let promise = HandoverGate::decide(&[ana, luis], now, chicago(), window).unwrap();
        assert_eq!(promise.name, "Luis");
        assert_eq!(
            promise.until,
            Some(Utc.with_ymd_and_hms(2026, 3, 3, 1, 0, 0).unwrap())
        );
    }

    #[test]
    fn nobody_there_says_why_for_each_and_when_someone_will_be() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 16, 0, 0).unwrap(); // Monday 10:00
        let ana = candidate("Ana", Live::Off { since: None }, 8, 17);
        let luis = candidate(
            "Luis",
            Live::OnBreak {
                until: Utc.with_ymd_and_hms(2026, 3, 2, 16, 45, 0).unwrap(),
            },
            8,
            17,
        );
        let refused =
            HandoverGate::decide(&[ana, luis], now, chicago(), Duration::minutes(30)).unwrap_err();
        assert_eq!(refused.candidates[0].reason, "not clocked in");
        assert_eq!(refused.candidates[1].reason, "on break until 10:45");
        assert_eq!(
            refused.next_available_at,
            Some(Utc.with_ymd_and_hms(2026, 3, 2, 16, 45, 0).unwrap())
        );
        assert!(HandoverGate::decide(&[], now, chicago(), Duration::minutes(30)).is_err());
    }
}
