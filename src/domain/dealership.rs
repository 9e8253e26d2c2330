//! A dealership's own rules: its time zone, quiet hours and service promises.

use super::validation::Invalid;
use chrono::NaiveTime;
use chrono_tz::Tz;
use std::str::FromStr;

/// An IANA time zone such as `America/Chicago`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub Tz);

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Tz::from_str(raw.trim()).map(Self).map_err(|_| {
            Invalid::new(format!(
                "{raw:?} is not an IANA time zone name such as America/Chicago"
            ))
        })
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

/// A time of day in the dealership's zone, written "HH:MM".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalTime(pub NaiveTime);

impl LocalTime {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let bad = || Invalid::new(format!("{raw:?} is not a time of day written HH:MM"));
        if raw.len() != 5 || raw.as_bytes()[2] != b':' {
            return Err(bad());
        }
        NaiveTime::parse_from_str(raw, "%H:%M")
            .map(Self)
            .map_err(|_| bad())
    }

    pub fn text(&self) -> String {
        self.0.format("%H:%M").to_string()
    }
}

/// When routine messages wait (default 21:00–08:00, the US federal window).
/// The window may wrap past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: LocalTime,
    pub end: LocalTime,
}

impl QuietHours {
    pub fn parse(start: &str, end: &str) -> Result<Self, Invalid> {
        let start = LocalTime::parse(start)?;
        let end = LocalTime::parse(end)?;
        if start == end {
            return Err(Invalid::new("start and end must differ"));
        }
        Ok(Self { start, end })
    }

    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start.0 <= t && t < self.end.0
        } else {
            t >= self.start.0 || t < self.end.0
        }
    }
}

impl Default for QuietHours {
    fn default() -> Self {
        Self {
            start: LocalTime(NaiveTime::from_hms_opt(21, 0, 0).unwrap_or_default()),
            end: LocalTime(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default()),
        }
    }
}

/// How long a handover person must stay after "ready": 5 minutes to 4 hours.
pub fn parse_min_handover_minutes(value: i64) -> Result<i32, Invalid> {
    bounded_minutes(value, 5, 240)
}

/// How soon a customer's question must be answered: 15 minutes to 24 hours.
pub fn parse_response_target_minutes(value: i64) -> Result<i32, Invalid> {
    bounded_minutes(value, 15, 1440)
}

fn bounded_minutes(value: i64, min: i64, max: i64) -> Result<i32, Invalid> {
    if !(min..=max).contains(&value) {
        return Err(Invalid::new(format!(
            "must be between {min} and {max} minutes"
        )));
    }
    Ok(value as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones() {
        assert_eq!(
            TimeZone::parse("America/Chicago").unwrap().name(),
            "America/Chicago"
        );
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert!(TimeZone::parse("").is_err());
    }

    #[test]
    fn local_times() {
        assert_eq!(LocalTime::parse("08:30").unwrap().text(), "08:30");
        for bad in ["8:30", "24:00", "12:60", "noon", "08:30:00"] {
            assert!(LocalTime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let q = QuietHours::default();
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert!(q.contains(t(21, 0)));
        assert!(q.contains(t(2, 0)));
        assert!(q.contains(t(7, 59)));
        assert!(!q.contains(t(8, 0)));
        assert!(!q.contains(t(20, 59)));
        let day = QuietHours::parse("12:00", "13:00").unwrap();
        assert!(day.contains(t(12, 30)) && !day.contains(t(13, 0)));
        assert!(QuietHours::parse("09:00", "09:00").is_err());
    }

    #[test]
    fn minute_bounds() {
        assert_eq!(parse_min_handover_minutes(30).unwrap(), 30);
        assert!(parse_min_handover_minutes(0).is_err());
        assert!(parse_response_target_minutes(1441).is_err());
    }
}
