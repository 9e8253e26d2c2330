//! How a notification travels, and the rules that keep it from being lost
//! or sent twice: which states it may move between, when to try again, and
//! how provider callbacks that arrive out of order are ordered.

use super::validation::string_enum;
use chrono::Duration;

string_enum!(
    DeliveryState {
        /// Written with the change; waits for its time (quiet hours, retry).
        Pending => "pending",
        /// Claimed by a worker, which is calling the provider now.
        Sending => "sending",
        /// The provider accepted it.
        Sent => "sent",
        /// The provider says it reached the phone or the mailbox.
        Delivered => "delivered",
        /// Given up: a permanent error, retries exhausted, or undeliverable.
        Failed => "failed",
        /// Not sent on purpose: no consent, opted out, or no address.
        Suppressed => "suppressed",
        /// A newer message about the same thing replaced it before it went.
        Superseded => "superseded",
    }
);

impl DeliveryState {
    /// Nothing happens to it any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Delivered | Self::Failed | Self::Suppressed | Self::Superseded
        )
    }
}

/// A provider's word on a message, ranked so callbacks only ever move a
/// message forward: a late "sent" after "delivered" changes nothing.
pub fn provider_rank(status: &str) -> Option<u8> {
    Some(match status {
        "accepted" | "scheduled" | "queued" => 1,
        "sending" => 2,
        "sent" => 3,
        "delivered" | "undelivered" | "failed" | "read" | "canceled" => 4,
        _ => return None,
    })
}

/// What our state becomes when the provider reports `status`.
pub fn state_for_provider(status: &str) -> Option<DeliveryState> {
    match status {
        "accepted" | "scheduled" | "queued" | "sending" | "sent" => Some(DeliveryState::Sent),
        "delivered" | "read" => Some(DeliveryState::Delivered),
        "undelivered" | "failed" | "canceled" => Some(DeliveryState::Failed),
        _ => None,
    }
}

/// Whether a callback saying `incoming` may replace what we know
/// (`current`, the last provider status recorded, if any).
pub fn moves_forward(current: Option<&str>, incoming: &str) -> bool {
    match (current.and_then(provider_rank), provider_rank(incoming)) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(have), Some(new)) => new > have,
    }
}

/// When to try again after a transient failure.
#[derive(Debug, Clone)]
pub struct RetrySchedule {
    /// Delay before retry n (1-based) is `delays[n-1]`; when they run out the
    /// message has failed.
    pub delays: Vec<Duration>,
    /// Each delay is stretched or shrunk by up to this fraction at random, so
    /// messages that failed together do not retry together.
    pub jitter: f64,
}

impl RetrySchedule {
    /// The wait before the next try after `attempts` tries, or `None` when
    /// the schedule is exhausted. `unit` in [0, 1) picks the jitter;
    /// `at_least` is the provider's Retry-After, honoured when longer.
    pub fn next_delay(
        &self,
        attempts: u32,
        unit: f64,
        at_least: Option<Duration>,
    ) -> Option<Duration> {
        let base = *self.delays.get(attempts.checked_sub(1)? as usize)?;
        let factor = 1.0 + self.jitter * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
        let jittered =
            Duration::milliseconds((base.num_milliseconds() as f64 * factor).round() as i64);
        Some(match at_least {
            Some(floor) if floor > jittered => floor,
            _ => jittered,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_only_move_forward() {
        assert!(moves_forward(None, "queued"));
        assert!(moves_forward(Some("queued"), "sent"));
        assert!(moves_forward(Some("sent"), "delivered"));
        assert!(!moves_forward(Some("delivered"), "sent"));
        assert!(!moves_forward(Some("delivered"), "queued"));
        assert!(!moves_forward(Some("failed"), "delivered"));
        assert!(!moves_forward(Some("sent"), "sent"));
        assert!(!moves_forward(Some("sent"), "bogus"));
        assert_eq!(
            state_for_provider("undelivered"),
            Some(DeliveryState::Failed)
        );
        assert_eq!(state_for_provider("queued"), Some(DeliveryState::Sent));
    }

    #[test]
    fn retries_back_off_with_bounded_jitter_then_stop() {
        let s = RetrySchedule {
            delays: vec![Duration::seconds(10), Duration::seconds(60)],
            jitter: 0.2,
        };
        assert_eq!(s.next_delay(1, 0.5, None), Some(Duration::seconds(10)));
        assert_eq!(s.next_delay(1, 0.0, None), Some(Duration::seconds(8)));
        assert_eq!(s.next_delay(1, 1.0, None), Some(Duration::seconds(12)));
        assert_eq!(s.next_delay(2, 0.5, None), Some(Duration::seconds(60)));
        assert_eq!(s.next_delay(3, 0.5, None), None);
        assert_eq!(s.next_delay(0, 0.5, None), None);
        // Retry-After wins when it asks for longer.
        assert_eq!(
            s.next_delay(1, 0.5, Some(Duration::seconds(30))),
            Some(Duration::seconds(30))
        );
        assert_eq!(
            s.next_delay(2, 0.5, Some(Duration::seconds(30))),
            Some(Duration::seconds(60))
        );
    }

    #[test]
    fn final_states() {
        assert!(DeliveryState::Delivered.is_final());
        assert!(!DeliveryState::Sent.is_final());
        assert!(!DeliveryState::Pending.is_final());
    }
}
