//! Whether a car will be ready when the customer was told: what the desk's
//! board marks on each repair order.

use super::lifecycle::RoStatus;
use super::validation::string_enum;
use chrono::{DateTime, Duration, Utc};

/// How close to its promised time work still open may be before the board
/// marks it at risk.
pub const AT_RISK_WITHIN_MINUTES: i64 = 60;

string_enum!(
    /// The promise, as the board shows it.
    PromiseRisk { OnTime => "on_time", AtRisk => "at_risk", Late => "late" }
);

/// A car ready (or gone) has kept its promise; otherwise it is late past
/// the promised time and at risk within the hour before it, unless the work
/// is done and only the handover is left.
pub fn risk(status: RoStatus, promised_at: DateTime<Utc>, now: DateTime<Utc>) -> PromiseRisk {
    let done = matches!(
        status,
        RoStatus::ReadyForPickup | RoStatus::PickedUp | RoStatus::Cancelled
    );
    if done {
        return PromiseRisk::OnTime;
    }
    if now > promised_at {
        return PromiseRisk::Late;
    }
    let close = promised_at - now <= Duration::minutes(AT_RISK_WITHIN_MINUTES);
    if close && status != RoStatus::WorkComplete {
        PromiseRisk::AtRisk
    } else {
        PromiseRisk::OnTime
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_car_promised_for_five_is_marked_as_the_afternoon_goes() {
        let five = Utc.with_ymd_and_hms(2026, 3, 2, 23, 0, 0).unwrap();
        let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap();
        assert_eq!(
            risk(RoStatus::InProgress, five, at(21, 0)),
            PromiseRisk::OnTime
        );
        assert_eq!(
            risk(RoStatus::InProgress, five, at(22, 0)),
            PromiseRisk::AtRisk
        );
        assert_eq!(
            risk(RoStatus::WorkComplete, five, at(22, 30)),
            PromiseRisk::OnTime
        );
        assert_eq!(
            risk(RoStatus::WaitingParts, five, at(23, 1)),
            PromiseRisk::Late
        );
        assert_eq!(
            risk(RoStatus::ReadyForPickup, five, at(23, 30)),
            PromiseRisk::OnTime
        );
    }
}
