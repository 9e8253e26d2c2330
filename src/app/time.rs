//! Conversions between stored times and typed ones, in one place.

use chrono::{DateTime, NaiveDateTime, Utc};

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub fn stored(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}
