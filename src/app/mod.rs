//! Use cases. Each public method is one request's worth of work: it checks
//! who is asking, loads what it needs, asks `domain` what is allowed, and
//! writes the change and its event in ONE transaction. Nothing here speaks
//! HTTP and nothing here sends anything to the outside world.

//! Grouped by capability; each folder's `mod.rs` states its surface. The
//! repair-order aggregate and the handover candidates are the base the
//! others build on; docs/ARCHITECTURE.md has the map.

pub mod admin;
pub mod desk;
mod error;
pub mod handover;
mod idempotency;
mod jargon;
mod jobs;
pub mod messaging;
pub mod public;
pub mod repair_order;
pub mod requests;
mod time;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::ids::{DealershipId, StaffId};
use crate::domain::role::Role;
use crate::notify::outbox::Outbox;
use std::sync::Arc;

pub use admin::{
    DeactivateInput, DealershipChanges, DealershipView, InvitationSent, MeView, NewDealership,
    NewStaff, NewStaffCreated, OpeningInput, OpeningView, PresenceView, QuietHoursInput, StaffView,
    generate_token, hash_token,
};
pub use error::{AppError, Candidate};
pub use handover::{
    ArrivedView, AvailabilityView, BreakInput, ClockOutInput, ConcernOutcomeInput, DelegatesInput,
    DelegatesView, HandoverInput, PagedView, ReadyInput, ScheduleInput, ScheduleView, ShiftInput,
    ShiftView, TimeOffInput, TimeOffView,
};
pub use idempotency::{IdempotencyKey, Outcome, Reply};
pub use messaging::{
    Accepted, Claimed, InboundText, MessageView, NewMessage, OutboxDepth, OutboxEntry,
};
pub use public::{
    PublicConcern, PublicDealership, PublicHandover, PublicLine, PublicMessage, PublicPage,
    PublicStep, PublicView, Visitor, status_page_check,
};
pub use repair_order::{
    ApprovalInput, BillView, CancelInput, CheckIn, ConcernView, CreditList, CreditView,
    CustomerInput, DecisionInput, DeliveryStep, EstimateInput, EventView, Handled, HandoverView,
    JobInput, JobView, LineInput, LineView, ListQuery, NewCredit, NewPayment, NotificationView,
    PaymentView, PromisedAtInput, RefundConfirmation, RefundView, RoList, RoView, SmsConsentInput,
    StatusInput, StripeEvent, TaxRulesView, TimelineView, VehicleInput,
};

/// Everything a use case needs, cheap to clone into each request.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub outbox: Arc<Outbox>,
    pub links: Arc<public::links::Links>,
    /// Online payment, when `payments.stripe` is configured.
    pub stripe: Option<Arc<crate::payments::Stripe>>,
    /// Staff tokens recognised lately (confirmed on each request's own
    /// connection: see `admin::auth`).
    pub tokens: Arc<admin::auth::TokenCache>,
}

/// What a write needs besides its connection: the time it happens at (read
/// once, so everything it writes agrees) and the outbox its messages go to.
pub(crate) struct Ctx {
    pub now: chrono::DateTime<chrono::Utc>,
    pub outbox: Arc<Outbox>,
    pub settings: Arc<Settings>,
    pub links: Arc<public::links::Links>,
}

impl Ctx {
    /// The local time of the daily progress update.
    pub fn progress_at(&self) -> crate::domain::dealership::LocalTime {
        self.settings.notify.progress_update_time
    }
}

/// A signed-in staff member, as established from their token.
#[derive(Debug, Clone)]
pub struct Actor {
    pub staff_id: StaffId,
    pub dealership_id: DealershipId,
    pub role: Role,
    pub name: String,
}

/// Whoever made the request.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The dealer-group admin (bootstrap token).
    Admin,
    Staff(Actor),
}

impl Caller {
    /// The idempotency scope: keys from different callers never collide.
    fn scope(&self) -> String {
        match self {
            Caller::Admin => "admin".into(),
            Caller::Staff(a) => a.scope(),
        }
    }
}

impl Actor {
    fn scope(&self) -> String {
        self.staff_id.to_string()
    }
}

impl App {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        settings: Arc<Settings>,
        outbox: Arc<Outbox>,
        links: Arc<public::links::Links>,
        stripe: Option<crate::payments::Stripe>,
    ) -> Self {
        Self {
            db,
            clock,
            settings,
            outbox,
            links,
            stripe: stripe.map(Arc::new),
            tokens: Arc::default(),
        }
    }

    pub(crate) fn ctx(&self) -> Ctx {
        Ctx {
            now: self.clock.now(),
            outbox: self.outbox.clone(),
            settings: self.settings.clone(),
            links: self.links.clone(),
        }
    }
}
