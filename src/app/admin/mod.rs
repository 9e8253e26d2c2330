//! Running the dealer group: dealerships, their staff and sign-in tokens,
//! and the demo dealership.

pub(crate) mod auth;
pub(crate) mod dealerships;
pub mod demo;
pub(crate) mod staff;

pub use auth::{generate_token, hash_token};
pub use dealerships::{DealershipView, NewDealership, QuietHoursInput};
pub use staff::{MeView, NewStaff, NewStaffCreated, PresenceView, StaffView};
