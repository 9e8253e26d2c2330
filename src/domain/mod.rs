//! Pure rules of the service department: no I/O, no async, no clock reads.
//! Everything here is unit-tested in place; the app layer feeds it facts and
//! writes what it decides.

pub mod availability;
pub mod bill;
pub mod card;
pub mod concern;
pub mod consent;
pub mod contact;
pub mod dealership;
pub mod delivery;
pub mod email;
pub mod estimate;
pub mod event;
pub mod handover_gate;
pub mod ids;
pub mod jargon;
pub mod job;
pub mod language;
pub mod lifecycle;
pub mod local_time;
pub mod message;
pub mod money;
pub mod opening_hours;
pub mod password;
pub mod payment;
pub mod phone;
pub mod presence;
pub mod promise;
pub mod request;
pub mod role;
pub mod sms;
pub mod text;
pub mod validation;
pub mod vin;
pub mod weekday;
