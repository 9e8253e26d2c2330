//! When the service department is open, by day of the week: what the
//! customer's page says about today. Stored as text, "mon 07:30-18:00,
//! sat 08:00-12:00"; a day not named is closed.

use super::dealership::LocalTime;
use super::language::Language;
use super::validation::Invalid;
use super::weekday::WeekDay;
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// One opening on one day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    pub day: WeekDay,
    pub open: LocalTime,
    pub close: LocalTime,
}

#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Default,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct OpeningHours(Vec<Opening>);

impl OpeningHours {
    /// At most two openings a day (a lunch break), each closing after it
    /// opens, none overlapping.
    pub fn new(mut openings: Vec<Opening>) -> Result<Self, Invalid> {
        openings.sort_by_key(|o| (o.day.stored(), o.open));
        for o in &openings {
            if o.close <= o.open {
                return Err(Invalid::new(format!(
                    "{} closes at {} before it opens at {}",
                    o.day.name(),
                    o.close,
                    o.open
                )));
            }
        }
        for pair in openings.windows(2) {
            if pair[0].day == pair[1].day && pair[1].open < pair[0].close {
                return Err(Invalid::new(format!(
                    "{} has openings that overlap",
                    pair[0].day.name()
                )));
            }
        }
        Ok(Self(openings))
    }

    pub fn openings(&self) -> &[Opening] {
        &self.0
    }

    /// Today's hours in words, in the dealership's zone: "Open today 7:30
    /// AM to 6:00 PM", "Hoy abierto de 07:30 a 18:00", "Closed today".
    /// `None` when no hours are known at all.
    pub fn today(&self, now: DateTime<Utc>, tz: Tz, lang: Language) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        let weekday = now.with_timezone(&tz).weekday();
        let spans: Vec<String> = self
            .0
            .iter()
            .filter(|o| o.day.weekday() == weekday)
            .map(|o| match lang {
                Language::En => format!("{} to {}", twelve_hour(o.open), twelve_hour(o.close)),
                Language::Es => format!("de {} a {}", o.open, o.close),
            })
            .collect();
        Some(match (lang, spans.is_empty()) {
            (Language::En, true) => "Closed today".to_owned(),
            (Language::Es, true) => "Hoy está cerrado".to_owned(),
            (Language::En, false) => format!("Open today {}", spans.join(" and ")),
            (Language::Es, false) => format!("Hoy abierto {}", spans.join(" y ")),
        })
    }
}

fn twelve_hour(t: LocalTime) -> String {
    t.0.format("%-I:%M %p").to_string()
}

impl fmt::Display for OpeningHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|o| format!("{} {}-{}", o.day.name(), o.open, o.close))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

impl FromStr for OpeningHours {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        let openings = raw
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|part| {
                let bad = || Invalid::new(format!("{part:?} is not written \"mon 07:30-18:00\""));
                let (day, span) = part.split_once(' ').ok_or_else(bad)?;
                let (open, close) = span.split_once('-').ok_or_else(bad)?;
                Ok(Opening {
                    day: WeekDay::parse(day)?,
                    open: LocalTime::parse(open)?,
                    close: LocalTime::parse(close)?,
                })
            })
            .collect::<Result<Vec<_>, Invalid>>()?;
        Self::new(openings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn hours_read_back_and_say_today() {
        let hours: OpeningHours = "mon 07:30-12:00, mon 13:00-18:00, sat 08:00-12:00"
            .parse()
            .unwrap();
        assert_eq!(
            hours.to_string(),
            "mon 07:30-12:00, mon 13:00-18:00, sat 08:00-12:00"
        );
        let tz: Tz = "America/Chicago".parse().unwrap();
        // Monday 2 March 2026, 09:00 in Chicago.
        let monday = Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap();
        assert_eq!(
            hours.today(monday, tz, Language::En).unwrap(),
            "Open today 7:30 AM to 12:00 PM and 1:00 PM to 6:00 PM"
        );
        assert_eq!(
            hours.today(monday, tz, Language::Es).unwrap(),
            "Hoy abierto de 07:30 a 12:00 y de 13:00 a 18:00"
        );
        let sunday = monday - chrono::Duration::days(1);
        assert_eq!(
            hours.today(sunday, tz, Language::En).unwrap(),
            "Closed today"
        );
        assert_eq!(
            OpeningHours::default().today(monday, tz, Language::En),
            None
        );
    }

    #[test]
    fn nonsense_hours_are_refused() {
        for bad in [
            "mon 18:00-07:30",
            "mon 07:30-12:00, mon 11:00-18:00",
            "monday 07:30-18:00",
            "mon 7:30-18:00",
            "mon",
        ] {
            assert!(bad.parse::<OpeningHours>().is_err(), "{bad}");
        }
        assert_eq!("".parse::<OpeningHours>().unwrap(), OpeningHours::default());
    }
}
