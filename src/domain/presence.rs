//! Whether a staff member is in the building, as they last told us by
//! clocking in or out.

use super::validation::string_enum;
use chrono::{DateTime, Utc};

string_enum!(
    PresenceState { Off => "off", OnDuty => "on_duty" }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    pub state: PresenceState,
    /// When the current state began (`None` for someone never clocked in).
    pub since: Option<DateTime<Utc>>,
}

/// Why a clock-in or clock-out makes no sense right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceConflict(pub String);

impl Presence {
    pub fn clock_in(self, now: DateTime<Utc>) -> Result<Presence, PresenceConflict> {
        match self.state {
            PresenceState::OnDuty => Err(PresenceConflict(format!(
                "already clocked in{}",
                since_text(self.since)
            ))),
            PresenceState::Off => Ok(Presence {
                state: PresenceState::OnDuty,
                since: Some(now),
            }),
        }
    }

    pub fn clock_out(self, now: DateTime<Utc>) -> Result<Presence, PresenceConflict> {
        match self.state {
            PresenceState::Off => Err(PresenceConflict(match self.since {
                Some(t) => format!("not clocked in (clocked out at {})", rfc3339(t)),
                None => "not clocked in".into(),
            })),
            PresenceState::OnDuty => Ok(Presence {
                state: PresenceState::Off,
                since: Some(now),
            }),
        }
    }

    pub fn is_on_duty(self) -> bool {
        self.state == PresenceState::OnDuty
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
    fn clock_in_and_out() {
        let t = Utc.with_ymd_and_hms(2026, 5, 4, 13, 0, 0).unwrap();
        let off = Presence {
            state: PresenceState::Off,
            since: None,
        };
        let on = off.clock_in(t).unwrap();
        assert!(on.is_on_duty());
        assert_eq!(on.since, Some(t));
        assert!(
            on.clock_in(t)
                .unwrap_err()
                .0
                .contains("already clocked in since")
        );
        let out = on.clock_out(t).unwrap();
        assert!(!out.is_on_duty());
        assert_eq!(
            out.clock_out(t).unwrap_err().0,
            "not clocked in (clocked out at 2026-05-04T13:00:00Z)"
        );
        assert_eq!(off.clock_out(t).unwrap_err().0, "not clocked in");
    }
}
