//! The staff desk: signing in (passwords, sessions, invitations) and what
//! its pages show. The pages themselves are in `http::desk`; every change
//! they make goes through the same use cases as the API.

pub(crate) mod board;
pub(crate) mod check_in;
pub(crate) mod counter;
pub(crate) mod passwords;
pub(crate) mod session;
pub(crate) mod staff;
pub(crate) mod today;

pub use board::BoardView;
pub use check_in::Prefill;
pub use counter::CounterView;
pub use session::{DeskSession, Invitation, SignIn};
pub use staff::StaffPage;
pub use today::TodayView;
