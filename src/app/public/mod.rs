//! What the customer sees: the status page behind their link, and the link
//! itself.

pub mod links;
pub(crate) mod status_page;

pub use status_page::check_pages as status_page_check;
pub use status_page::{
    PublicConcern, PublicDealership, PublicHandover, PublicLine, PublicMessage, PublicPage,
    PublicStep, PublicView, Visitor,
};
