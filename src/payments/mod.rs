//! Payments through a processor's hosted page (Stripe Checkout): the
//! customer's card never reaches us. This module talks to Stripe; the use
//! cases are in `app::public::pay` and `app::repair_order::online`.

pub mod settings;
pub mod signature;
pub mod stripe;

pub use stripe::{CheckoutRequest, CheckoutSession, Stripe, StripeError};
