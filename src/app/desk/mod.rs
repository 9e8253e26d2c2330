//! The staff desk: signing in (passwords, sessions, invitations) and what
//! its pages show. The pages themselves are in `http::desk`; every change
//! they make goes through the same use cases as the API.

pub(crate) mod board;
pub(crate) mod passwords;
pub(crate) mod session;

pub use board::BoardView;
pub use session::{DeskSession, Invitation, SignIn};
