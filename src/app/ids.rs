//! Conversions between stored text and typed values, in one place.

use crate::db::parse_id;
use chrono::{DateTime, NaiveDateTime, Utc};
use uuid::Uuid;

pub fn new_id() -> String {
    Uuid::now_v7().to_string()
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub fn stored(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

pub fn uuid(text: &str) -> Result<Uuid, diesel::result::Error> {
    parse_id(text)
}
