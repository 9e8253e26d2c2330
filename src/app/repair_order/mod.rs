//! The repair order: the aggregate every use case loads (`aggregate`), how
//! clients see it (`view`, `timeline_view`), reading it (`queries`), and the
//! use cases that change it, each appending to its timeline (`timeline`):
//! check-in, the estimate and the customer's decisions on it, the workflow,
//! the cashier.

pub(crate) mod aggregate;
pub(crate) mod cashier;
pub(crate) mod check_in;
pub(crate) mod credits;
pub(crate) mod decisions;
pub(crate) mod estimate;
pub(crate) mod online;
pub(crate) mod queries;
pub(crate) mod refunds;
pub(crate) mod timeline;
pub(crate) mod timeline_view;
pub(crate) mod view;
pub(crate) mod workflow;

pub(crate) use aggregate::RepairOrder;
pub use cashier::NewPayment;
pub use check_in::{CheckIn, CustomerInput, SmsConsentInput, VehicleInput};
pub use credits::{CreditList, CreditView, NewCredit, RefundConfirmation, RefundView};
pub use decisions::{ApprovalInput, DecisionInput};
pub use estimate::{EstimateInput, JobInput, LineInput};
pub use online::{Handled, StripeEvent};
pub use queries::ListQuery;
pub use timeline_view::{DeliveryStep, EventView, NotificationView, TimelineView};
pub use view::{
    BillView, ConcernView, HandoverView, JobView, LineView, PaymentView, RoList, RoView,
    TaxRulesView,
};
pub use workflow::{CancelInput, PromisedAtInput, StatusInput};
