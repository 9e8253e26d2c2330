//! Days of the week as weekly shifts name and store them.

use super::validation::Invalid;
use chrono::Weekday;

const NAMES: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// A day of the week: written `mon` … `sun`, stored 0 (Monday) … 6.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Integer)]
pub struct WeekDay(Weekday);

impl WeekDay {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        NAMES
            .iter()
            .find(|(name, _)| *name == raw)
            .map(|(_, day)| Self(*day))
            .ok_or_else(|| Invalid::new("must be one of mon, tue, wed, thu, fri, sat, sun"))
    }

    pub fn name(self) -> &'static str {
        NAMES[self.0.num_days_from_monday() as usize].0
    }

    pub fn weekday(self) -> Weekday {
        self.0
    }

    /// The stored number: 0 for Monday.
    pub fn stored(self) -> i32 {
        self.0.num_days_from_monday() as i32
    }
}

impl TryFrom<i32> for WeekDay {
    type Error = Invalid;

    fn try_from(stored: i32) -> Result<Self, Invalid> {
        usize::try_from(stored)
            .ok()
            .and_then(|i| NAMES.get(i))
            .map(|(_, day)| Self(*day))
            .ok_or_else(|| Invalid::new(format!("{stored} is not a weekday number (0-6)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_agree() {
        for (i, (name, day)) in NAMES.iter().enumerate() {
            let d = WeekDay::parse(name).unwrap();
            assert_eq!(d.weekday(), *day);
            assert_eq!(d.stored(), i as i32);
            assert_eq!(WeekDay::try_from(i as i32).unwrap(), d);
            assert_eq!(d.name(), *name);
        }
        assert!(WeekDay::parse("monday").is_err());
        assert!(WeekDay::try_from(7).is_err());
    }
}
