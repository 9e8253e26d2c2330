//! Who hands a car over, until when: the gate's candidates (the base the
//! rest of the app asks), "ready" and the handover record, coverage that
//! ends, the customer at the counter, presence and schedules.

pub(crate) mod arrival;
pub(crate) mod candidates;
pub(crate) mod coverage;
pub(crate) mod presence;
pub(crate) mod ready;
pub(crate) mod schedules;

pub use arrival::{ArrivedView, PagedView};
pub use presence::ClockOutInput;
pub use ready::{ConcernOutcomeInput, HandoverInput, ReadyInput};
pub use schedules::{
    AvailabilityView, BreakInput, DelegatesInput, DelegatesView, ScheduleInput, ScheduleView,
    ShiftInput, ShiftView, TimeOffInput, TimeOffView,
};
