//! Running the dealer group: dealerships, their staff and sign-in tokens,
//! and the demo dealership.

pub(crate) mod accounts;
pub(crate) mod auth;
pub(crate) mod dealership_settings;
pub(crate) mod dealerships;
pub mod demo;
pub(crate) mod staff;

pub use accounts::{DeactivateInput, InvitationSent};
pub use auth::{generate_token, hash_token};
pub use dealership_settings::{DealershipChanges, OpeningInput};
pub use dealerships::{DealershipView, NewDealership, OpeningView, QuietHoursInput};
pub use staff::{MeView, NewStaff, NewStaffCreated, PresenceView, StaffView};
