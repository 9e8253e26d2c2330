//! How domain values are stored. Rows hold typed values (`RoStatus`, `RoId`,
//! `TimeZone`, …), not strings: each type here is written as its text (or
//! number) and read back through its parser, so a value the code does not
//! know fails the load loudly instead of being guessed at.
//!
//! Both inner backends need their own `ToSql`/`FromSql`, and the
//! `MultiBackend` that `DbConn`'s derive generates needs one that dispatches
//! to them (see diesel's `MultiConnection` documentation).

use super::conn::MultiBackend;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Integer, Text};
use diesel::sqlite::Sqlite;
use std::io::Write;

/// Why a stored value could not be read back, naming the type and the value.
fn corrupt(
    what: &str,
    raw: &dyn std::fmt::Debug,
    why: &dyn std::fmt::Display,
) -> Box<dyn std::error::Error + Send + Sync> {
    format!("stored {what} {raw:?} is not valid: {why}").into()
}

/// Types written as their `Display` text and read back with `FromStr`.
macro_rules! stored_as_text {
    ($($ty:ty),+ $(,)?) => {$(
        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                write!(out, "{self}")?;
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.to_string());
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Pg> for $ty {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let raw = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                raw.parse().map_err(|e| corrupt(stringify!($ty), &raw, &e))
            }
        }

        impl FromSql<Text, Sqlite> for $ty {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let raw = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
                raw.parse().map_err(|e| corrupt(stringify!($ty), &raw, &e))
            }
        }

        impl FromSql<Text, MultiBackend> for $ty {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<Self, Text>()
            }
        }
    )+};
}

/// Types written as a number (`stored()`) and read back with `TryFrom<i32>`.
macro_rules! stored_as_integer {
    ($($ty:ty),+ $(,)?) => {$(
        impl ToSql<Integer, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(&self.stored().to_be_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl ToSql<Integer, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.stored());
                Ok(IsNull::No)
            }
        }

        impl ToSql<Integer, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Integer, self));
                Ok(IsNull::No)
            }
        }

        impl FromSql<Integer, Pg> for $ty {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let raw = <i32 as FromSql<Integer, Pg>>::from_sql(bytes)?;
                <$ty>::try_from(raw).map_err(|e| corrupt(stringify!($ty), &raw, &e))
            }
        }

        impl FromSql<Integer, Sqlite> for $ty {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let raw = <i32 as FromSql<Integer, Sqlite>>::from_sql(bytes)?;
                <$ty>::try_from(raw).map_err(|e| corrupt(stringify!($ty), &raw, &e))
            }
        }

        impl FromSql<Integer, MultiBackend> for $ty {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<Self, Integer>()
            }
        }
    )+};
}

use crate::domain::bill::TaxableKinds;
use crate::domain::concern::ConcernOutcome;
use crate::domain::consent::ConsentMethod;
use crate::domain::contact::NotifyBy;
use crate::domain::dealership::{LocalTime, TimeZone};
use crate::domain::delivery::DeliveryState;
use crate::domain::email::EmailAddress;
use crate::domain::estimate::{Approval, DecisionChannel, LineKind, PayType};
use crate::domain::event::ActorKind;
use crate::domain::ids::*;
use crate::domain::jargon::OwnWords;
use crate::domain::job::JobState;
use crate::domain::language::Language;
use crate::domain::lifecycle::RoStatus;
use crate::domain::message::{Channel, ConversationChannel, Direction, MessageKind, RecipientKind};
use crate::domain::money::{Currency, TaxRate};
use crate::domain::opening_hours::OpeningHours;
use crate::domain::payment::{CheckoutState, PaymentMethod, RefundState};
use crate::domain::phone::{Country, PhoneNumber};
use crate::domain::presence::{PresenceEventKind, PresenceState};
use crate::domain::request::RequestStatus;
use crate::domain::role::Role;
use crate::domain::vin::Vin;
use crate::domain::weekday::WeekDay;

stored_as_text!(
    DealershipId,
    StaffId,
    CustomerId,
    RoId,
    ConcernId,
    RepairJobId,
    LineId,
    PaymentId,
    CreditId,
    RefundId,
    EventId,
    NotificationId,
    MessageId,
    JobId,
    RequestId,
    RequestStatus,
    RoStatus,
    Role,
    PresenceState,
    PresenceEventKind,
    Language,
    ConsentMethod,
    NotifyBy,
    ConcernOutcome,
    LineKind,
    PayType,
    Approval,
    DecisionChannel,
    PaymentMethod,
    CheckoutState,
    RefundState,
    DeliveryState,
    Channel,
    RecipientKind,
    MessageKind,
    Direction,
    ConversationChannel,
    ActorKind,
    JobState,
    TimeZone,
    LocalTime,
    Country,
    PhoneNumber,
    EmailAddress,
    Vin,
    TaxableKinds,
    OpeningHours,
    Currency,
    OwnWords,
);

stored_as_integer!(TaxRate, WeekDay);
