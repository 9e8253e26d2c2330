//! A dealership's own rules: its time zone, quiet hours and service promises.

use super::validation::Invalid;
use chrono::{DateTime, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use std::str::FromStr;

/// An IANA time zone such as `America/Chicago`.
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
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
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

impl std::fmt::Display for TimeZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TimeZone {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw)
    }
}

impl std::fmt::Display for LocalTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%H:%M"))
    }
}

impl FromStr for LocalTime {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw)
    }
}

/// Settings name times of day as "HH:MM" too.
impl<'de> serde::Deserialize<'de> for LocalTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
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

    /// When a routine message written at `now` may go: now, or when the
    /// quiet window it falls in ends (in the dealership's zone; a window end
    /// that does not exist on a daylight-saving day moves to the next valid
    /// minute).
    pub fn release_time(&self, now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        let local = now.with_timezone(&tz);
        if !self.contains(local.time()) {
            return now;
        }
        let mut day = local.date_naive();
        if local.time() >= self.end.0 {
            day = day.succ_opt().unwrap_or(day);
        }
        let mut candidate = day.and_time(self.end.0);
        for _ in 0..180 {
            if let Some(t) = tz.from_local_datetime(&candidate).earliest() {
                return t.with_timezone(&Utc);
            }
            candidate += chrono::Duration::minutes(1);
        }
        now
    }

    /// When an answer to a customer who wrote at `from` is due: after
    /// `minutes` of business time (time outside quiet hours, in the
    /// dealership's zone), and never more than 24 hours after `from`.
    pub fn answer_due(&self, from: DateTime<Utc>, minutes: i64, tz: Tz) -> DateTime<Utc> {
        let cap = from + chrono::Duration::hours(24);
        let mut t = from;
        let mut left = minutes;
        while left > 0 && t < cap {
            // The minute starting at t counts if the dealership is open then.
            if !self.contains(t.with_timezone(&tz).time()) {
                left -= 1;
            }
            t += chrono::Duration::minutes(1);
        }
        t.min(cap)
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
    fn routine_messages_wait_for_the_window_to_open() {
        let q = QuietHours::default();
        let tz: Tz = "America/Chicago".parse().unwrap();
        let utc = |d, h, m| Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap();
        // 14:00 local: goes now.
        assert_eq!(q.release_time(utc(2, 20, 0), tz), utc(2, 20, 0));
        // 22:30 local Monday (04:30Z Tue): waits for 08:00 Tuesday (14:00Z).
        assert_eq!(q.release_time(utc(3, 4, 30), tz), utc(3, 14, 0));
        // 06:00 local Tuesday (12:00Z): waits for 08:00 the same day.
        assert_eq!(q.release_time(utc(3, 12, 0), tz), utc(3, 14, 0));
        // Over the spring-forward night (8 March 2026), 08:00 is CDT (13:00Z).
        assert_eq!(q.release_time(utc(8, 5, 0), tz), utc(8, 13, 0));
        // A window ending at 02:30 on that night (which does not exist) ends at 03:00.
        let odd = QuietHours::parse("23:00", "02:30").unwrap();
        assert_eq!(odd.release_time(utc(8, 7, 0), tz), utc(8, 8, 0));
    }

    #[test]
    fn answers_are_due_in_business_minutes_and_within_a_day() {
        let q = QuietHours::default();
        let tz: Tz = "America/Chicago".parse().unwrap();
        let utc = |d, h, m| Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap();
        // 10:00 local + 240 business minutes = 14:00 local.
        assert_eq!(q.answer_due(utc(2, 16, 0), 240, tz), utc(2, 20, 0));
        // 19:00 local: two hours tonight, two hours from 08:00 tomorrow → 10:00.
        assert_eq!(q.answer_due(utc(3, 1, 0), 240, tz), utc(3, 16, 0));
        // Written at 22:00 local: counting starts at 08:00 → 12:00 next day.
        assert_eq!(q.answer_due(utc(3, 4, 0), 240, tz), utc(3, 18, 0));
        // Never past 24 hours, however long the target.
        assert_eq!(q.answer_due(utc(2, 16, 0), 1440, tz), utc(3, 16, 0));
    }

    #[test]
    fn minute_bounds() {
        assert_eq!(parse_min_handover_minutes(30).unwrap(), 30);
        assert!(parse_min_handover_minutes(0).is_err());
        assert!(parse_response_target_minutes(1441).is_err());
    }
}
