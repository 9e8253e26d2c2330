//! Whether a staff member is in the building, as they last told us by
//! clocking in, going on a break, or clocking out.

use super::availability::Live;
use super::validation::{Invalid, string_enum};
use chrono::{DateTime, Duration, Utc};

string_enum!(
    PresenceState { Off => "off", OnDuty => "on_duty", OnBreak => "on_break" }
);

string_enum!(
    /// A change of presence, as the presence log records it.
    PresenceEventKind { ClockIn => "clock_in", ClockOut => "clock_out", Break => "break" }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    pub state: PresenceState,
    /// When the current state began (`None` for someone never clocked in).
    pub since: Option<DateTime<Utc>>,
    /// When the break ends, while on one.
    pub break_until: Option<DateTime<Utc>>,
}

/// Why a clock-in, clock-out or break makes no sense right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceConflict(pub String);

/// The longest break that can be taken with one request.
pub const MAX_BREAK: i64 = 4 * 60;

impl Presence {
    pub fn off() -> Self {
        Self {
            state: PresenceState::Off,
            since: None,
            break_until: None,
        }
    }

    fn now(state: PresenceState, now: DateTime<Utc>) -> Self {
        Self {
            state,
            since: Some(now),
            break_until: None,
        }
    }

    /// Clocking in, or back from a break.
    pub fn clock_in(self, now: DateTime<Utc>) -> Result<Presence, PresenceConflict> {
        match self.state {
            PresenceState::OnDuty => Err(PresenceConflict(format!(
                "already clocked in{}",
                since_text(self.since)
            ))),
            PresenceState::Off | PresenceState::OnBreak => {
                Ok(Self::now(PresenceState::OnDuty, now))
            }
        }
    }

    pub fn clock_out(self, now: DateTime<Utc>) -> Result<Presence, PresenceConflict> {
        match self.state {
            PresenceState::Off => Err(PresenceConflict(match self.since {
                Some(t) => format!("not clocked in (clocked out at {})", rfc3339(t)),
                None => "not clocked in".into(),
            })),
            PresenceState::OnDuty | PresenceState::OnBreak => {
                Ok(Self::now(PresenceState::Off, now))
            }
        }
    }

    /// A break until `until` (in the future, at most four hours away).
    pub fn start_break(
        self,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Result<Presence, PresenceConflict>, Invalid> {
        if until <= now {
            return Err(Invalid::new("must be in the future"));
        }
        if until > now + Duration::minutes(MAX_BREAK) {
            return Err(Invalid::new(
                "a break lasts at most four hours; clock out instead",
            ));
        }
        Ok(match self.state {
            PresenceState::OnDuty => Ok(Presence {
                state: PresenceState::OnBreak,
                since: Some(now),
                break_until: Some(until),
            }),
            PresenceState::OnBreak => Err(PresenceConflict("already on a break".into())),
            PresenceState::Off => Err(PresenceConflict("not clocked in".into())),
        })
    }

    pub fn is_on_duty(self) -> bool {
        self.state == PresenceState::OnDuty
    }

    /// The live part of availability.
    pub fn live(self) -> Live {
        match self.state {
            PresenceState::OnDuty => Live::OnDuty,
            PresenceState::OnBreak => Live::OnBreak {
                until: self.break_until.or(self.since).unwrap_or_default(),
            },
            PresenceState::Off => Live::Off { since: self.since },
        }
    }
}

fn since_text(since: Option<DateTime<Utc>>) -> String {
    since
        .map(|t| format!(" since {}", rfc3339(t)))
        .unwrap_or_default()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn clock_in_break_and_out() {
        let t = Utc.with_ymd_and_hms(2026, 5, 4, 13, 0, 0).unwrap();
        let off = Presence::off();
        let on = off.clock_in(t).unwrap();
        assert!(on.is_on_duty());
        assert_eq!(on.since, Some(t));
        assert!(
            on.clock_in(t)
                .unwrap_err()
                .0
                .contains("already clocked in since")
        );
        let back = t + Duration::minutes(30);
        let lunch = on.start_break(back, t).unwrap().unwrap();
        assert_eq!(lunch.live(), Live::OnBreak { until: back });
        assert!(lunch.start_break(back, t).unwrap().is_err());
        assert!(on.start_break(t, t).is_err(), "a break ends in the future");
        assert!(
            on.start_break(t + Duration::hours(5), t).is_err(),
            "at most four hours"
        );
        assert!(
            lunch.clock_in(back).unwrap().is_on_duty(),
            "clocking in ends a break"
        );
        let out = on.clock_out(t).unwrap();
        assert!(!out.is_on_duty());
        assert_eq!(
            out.clock_out(t).unwrap_err().0,
            "not clocked in (clocked out at 2026-05-04T13:00:00Z)"
        );
        assert_eq!(off.clock_out(t).unwrap_err().0, "not clocked in");
        assert!(off.start_break(back, t).unwrap().is_err());
    }
}
