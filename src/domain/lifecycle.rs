//! The repair order lifecycle. Every move between statuses is decided here;
//! the app layer asks, and writes only what this module allows.
//!
//! ```text
//! checked_in ──► awaiting_approval ──► in_progress ◄──► waiting_parts
//!      │                                   │   ▲
//!      └──────────(nothing to approve)─────┘   │ (supplemental estimate)
//! in_progress ──► work_complete ──► ready_for_pickup ──► picked_up
//!                      ▲                  │
//!                      └── coverage lost ─┘     any open status ──► cancelled
//! ```

use super::money::Cents;
use super::validation::Invalid;
use super::validation::string_enum;

string_enum!(
    RoStatus {
        CheckedIn => "checked_in",
        AwaitingApproval => "awaiting_approval",
        InProgress => "in_progress",
        WaitingParts => "waiting_parts",
        WorkComplete => "work_complete",
        ReadyForPickup => "ready_for_pickup",
        PickedUp => "picked_up",
        Cancelled => "cancelled",
    }
);

impl RoStatus {
    /// The statuses this one may move to, in lifecycle order.
    pub fn allowed_next(self) -> &'static [RoStatus] {
        use RoStatus::*;
        match self {
            CheckedIn => &[AwaitingApproval, InProgress, Cancelled],
            AwaitingApproval => &[InProgress, Cancelled],
            // A technician who finds more work sends a supplemental estimate,
            // which waits for the customer again.
            InProgress => &[AwaitingApproval, WaitingParts, WorkComplete, Cancelled],
            WaitingParts => &[AwaitingApproval, InProgress, Cancelled],
            // Back to in_progress when the road test finds more to do.
            WorkComplete => &[InProgress, ReadyForPickup, Cancelled],
            // Back to work_complete when nobody is left to hand the car over.
            ReadyForPickup => &[WorkComplete, PickedUp, Cancelled],
            PickedUp | Cancelled => &[],
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Self::PickedUp | Self::Cancelled)
    }

    /// Whether new estimate lines may be added in this status.
    pub fn accepts_estimate(self) -> bool {
        matches!(
            self,
            Self::CheckedIn | Self::AwaitingApproval | Self::InProgress | Self::WaitingParts
        )
    }

    /// Whether the shop is working on, or about to work on, the car.
    pub fn is_work_status(self) -> bool {
        matches!(
            self,
            Self::InProgress | Self::WaitingParts | Self::WorkComplete
        )
    }
}

/// What the lifecycle needs to know about an RO beyond its status.
#[derive(Debug, Clone, Copy, Default)]
pub struct RoFacts {
    pub pending_approvals: usize,
    pub balance_due: Cents,
    pub handover_recorded: bool,
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The lifecycle has no such edge.
    Illegal {
        from: RoStatus,
        to: RoStatus,
        allowed: &'static [RoStatus],
    },
    /// The edge exists but the RO is not there yet.
    NotYet {
        from: RoStatus,
        to: RoStatus,
        reason: String,
    },
}

/// Decides whether an RO in `from` may move to `to`. The handover gate for
/// `ready_for_pickup` is decided separately (see `handover_gate`).
pub fn check_transition(from: RoStatus, to: RoStatus, facts: &RoFacts) -> Result<(), Refusal> {
    let allowed = from.allowed_next();
    if !allowed.contains(&to) {
        return Err(Refusal::Illegal { from, to, allowed });
    }
    let not_yet = |reason: String| Err(Refusal::NotYet { from, to, reason });
    match to {
        RoStatus::InProgress | RoStatus::WorkComplete if facts.pending_approvals > 0 => not_yet(
            format!(
                "{} estimate line(s) still wait for the customer's approval",
                facts.pending_approvals
            ),
        ),
        RoStatus::PickedUp if !facts.handover_recorded => not_yet(
            "the handover has not been recorded: the advisor or a delegate must go over the work with the customer first"
                .into(),
        ),
        RoStatus::PickedUp if facts.balance_due > Cents::ZERO => not_yet(format!(
            "{} is still due from the customer",
            facts.balance_due.display_usd()
        )),
        _ => Ok(()),
    }
}

/// The statuses a technician or advisor may set through the status endpoint;
/// the others have their own endpoints because they carry more than a note.
pub fn parse_work_status(raw: &str) -> Result<RoStatus, Invalid> {
    let status = RoStatus::parse(raw)?;
    match status {
        s if s.is_work_status() => Ok(s),
        RoStatus::ReadyForPickup => Err(Invalid::new(
            "use POST /api/v1/repair-orders/{id}/ready: ready needs someone to hand the car over",
        )),
        RoStatus::PickedUp => Err(Invalid::new(
            "use POST /api/v1/repair-orders/{id}/pickup (cashier)",
        )),
        RoStatus::Cancelled => Err(Invalid::new("use POST /api/v1/repair-orders/{id}/cancel")),
        _ => Err(Invalid::new(
            "must be one of: in_progress, waiting_parts, work_complete",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::RoStatus::*;
    use super::*;

    #[test]
    fn happy_path_is_allowed() {
        let f = RoFacts {
            handover_recorded: true,
            ..RoFacts::default()
        };
        let path = [
            CheckedIn,
            AwaitingApproval,
            InProgress,
            WaitingParts,
            InProgress,
            WorkComplete,
            ReadyForPickup,
            PickedUp,
        ];
        for pair in path.windows(2) {
            assert_eq!(check_transition(pair[0], pair[1], &f), Ok(()), "{pair:?}");
        }
        assert_eq!(check_transition(CheckedIn, InProgress, &f), Ok(()));
    }

    #[test]
    fn every_illegal_edge_is_refused_and_names_the_way_forward() {
        let f = RoFacts::default();
        for from in RoStatus::ALL {
            for to in RoStatus::ALL {
                let allowed = from.allowed_next().contains(to);
                match check_transition(*from, *to, &f) {
                    Err(Refusal::Illegal { allowed: a, .. }) => {
                        assert!(!allowed, "{from} -> {to}");
                        assert_eq!(a, from.allowed_next());
                    }
                    _ => assert!(allowed, "{from} -> {to}"),
                }
            }
        }
        assert!(matches!(
            check_transition(CheckedIn, ReadyForPickup, &f),
            Err(Refusal::Illegal { .. })
        ));
        assert!(PickedUp.allowed_next().is_empty());
        assert!(Cancelled.allowed_next().is_empty());
    }

    #[test]
    fn cancel_from_every_open_status() {
        for s in RoStatus::ALL.iter().filter(|s| s.is_open()) {
            assert!(s.allowed_next().contains(&Cancelled), "{s}");
        }
    }

    #[test]
    fn work_waits_for_approval() {
        let f = RoFacts {
            pending_approvals: 2,
            ..RoFacts::default()
        };
        let Err(Refusal::NotYet { reason, .. }) =
            check_transition(AwaitingApproval, InProgress, &f)
        else {
            panic!("expected a refusal")
        };
        assert!(reason.contains("2 estimate line"));
    }

    #[test]
    fn pickup_needs_handover_and_payment() {
        let unpaid = RoFacts {
            balance_due: Cents(100),
            handover_recorded: true,
            ..RoFacts::default()
        };
        assert!(matches!(
            check_transition(ReadyForPickup, PickedUp, &unpaid),
            Err(Refusal::NotYet { reason, .. }) if reason.contains("$1.00")
        ));
        let no_handover = RoFacts::default();
        assert!(matches!(
            check_transition(ReadyForPickup, PickedUp, &no_handover),
            Err(Refusal::NotYet { reason, .. }) if reason.contains("handover")
        ));
    }

    #[test]
    fn status_endpoint_takes_work_statuses_only() {
        assert_eq!(parse_work_status("in_progress").unwrap(), InProgress);
        assert!(
            parse_work_status("ready_for_pickup")
                .unwrap_err()
                .0
                .contains("/ready")
        );
        assert!(parse_work_status("checked_in").is_err());
        assert!(parse_work_status("bogus").is_err());
    }
}
