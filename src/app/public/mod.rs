//! What the customer sees: the status page behind their link, and the link
//! itself.

mod estimate_view;
pub mod links;
pub(crate) mod pay;
pub(crate) mod status_page;
pub(crate) mod view;

pub use status_page::Visitor;
pub use view::check_pages as status_page_check;
pub use view::{
    PublicConcern, PublicDealership, PublicHandover, PublicLine, PublicMessage, PublicPage,
    PublicStep, PublicView,
};
