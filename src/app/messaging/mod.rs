//! Telling people: who hears of each event (notices), what a message can
//! say (context), the conversation with customers, and what the workers and
//! the provider report about deliveries.

pub(crate) mod context;
pub(crate) mod conversation;
pub(crate) mod delivery;
pub(crate) mod money_notices;
pub(crate) mod notices;
pub(crate) mod outbox_view;

pub use conversation::{InboundText, MessageView, NewMessage};
pub use delivery::{Accepted, Claimed};
pub use outbox_view::{OutboxDepth, OutboxEntry};
