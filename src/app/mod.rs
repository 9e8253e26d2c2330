//! Use cases. Each public method is one request's worth of work: it checks
//! who is asking, loads what it needs, asks `domain` what is allowed, and
//! writes the change and its event in ONE transaction. Nothing here speaks
//! HTTP and nothing here sends anything to the outside world.

mod auth;
mod availability;
mod cashier;
mod check_in;
mod conversation;
mod coverage;
mod dealerships;
mod delivery;
pub mod demo;
mod error;
mod estimate;
mod handover;
mod idempotency;
mod ids;
mod jobs;
pub mod links;
mod notices;
mod presence;
mod repair_order;
mod retention;
mod ro_view;
mod schedules;
mod staff;
mod status_page;
mod timeline;
mod workflow;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::ids::{DealershipId, StaffId};
use crate::domain::role::Role;
use crate::notify::outbox::Outbox;
use std::sync::Arc;

pub use auth::{generate_token, hash_token};
pub use cashier::{NewPayment, PaymentView};
pub use check_in::{CheckIn, CustomerInput, SmsConsentInput, VehicleInput};
pub use conversation::{InboundText, MessageView, NewMessage};
pub use coverage::{ArrivedView, PagedView};
pub use dealerships::{DealershipView, NewDealership, QuietHoursInput};
pub use delivery::{Accepted, Claimed, OutboxDepth, OutboxEntry};
pub use error::{AppError, Candidate};
pub use estimate::{ApprovalInput, DecisionInput, EstimateInput, LineInput};
pub use handover::{ConcernOutcomeInput, HandoverInput, ReadyInput};
pub use idempotency::{IdempotencyKey, Outcome, Reply};
pub use presence::ClockOutInput;
pub use repair_order::ListQuery;
pub use ro_view::{ConcernView, HandoverView, LineView, RoList, RoView};
pub use schedules::{
    AvailabilityView, BreakInput, DelegatesInput, DelegatesView, ScheduleInput, ScheduleView,
    ShiftInput, ShiftView, TimeOffInput, TimeOffView,
};
pub use staff::{MeView, NewStaff, NewStaffCreated, PresenceView, StaffView};
pub use status_page::check_pages as status_page_check;
pub use status_page::{
    PublicConcern, PublicDealership, PublicHandover, PublicLine, PublicMessage, PublicPage,
    PublicStep, PublicView, Visitor,
};
pub use timeline::{DeliveryStep, EventView, NotificationView, TimelineView};
pub use workflow::{CancelInput, PromisedAtInput, StatusInput};

/// Everything a use case needs, cheap to clone into each request.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub outbox: Arc<Outbox>,
    pub links: Arc<links::Links>,
}

/// What a write needs besides its connection: the time it happens at (read
/// once, so everything it writes agrees) and the outbox its messages go to.
pub(crate) struct Ctx {
    pub now: chrono::DateTime<chrono::Utc>,
    pub outbox: Arc<Outbox>,
    pub settings: Arc<Settings>,
    pub links: Arc<links::Links>,
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
        links: Arc<links::Links>,
    ) -> Self {
        Self {
            db,
            clock,
            settings,
            outbox,
            links,
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
