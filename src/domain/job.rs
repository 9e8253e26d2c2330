//! Work due at a time rather than on a request. Each job is one variant with
//! the data it needs; it is stored as its kind and the JSON of that data,
//! and a stored job no variant reads is a failed job, never a silent "done".

use super::ids::{MessageId, RequestId, StaffId};
use super::validation::string_enum;
use chrono::Duration;
use serde::{Deserialize, Serialize};

string_enum!(
    JobState {
        Pending => "pending",
        Running => "running",
        Done => "done",
        /// Not needed any more (the message was answered first).
        Cancelled => "cancelled",
        /// Gave up: it failed `jobs.max_attempts` times, or cannot be read.
        Failed => "failed",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Job {
    /// The daily text for a car kept more than a day.
    ProgressUpdate {},
    /// A customer's message nobody answered in time goes to the managers.
    EscalateUnanswered { message_id: MessageId },
    /// The end of someone's promise to hand a car over: it passes on or waits.
    CoverageEnd { staff_id: StaffId },
    /// Someone is expected back: a car waiting for them may become ready.
    PromoteReady {},
    /// A colleague's request unanswered at its due time goes to a manager.
    EscalateRequest { request_id: RequestId },
}

impl Job {
    /// The kind of [`Job::EscalateUnanswered`], which an answer cancels.
    pub const ESCALATE_UNANSWERED: &'static str = "escalate_unanswered";

    /// The stored `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ProgressUpdate {} => "progress_update",
            Self::EscalateUnanswered { .. } => Self::ESCALATE_UNANSWERED,
            Self::CoverageEnd { .. } => "coverage_end",
            Self::PromoteReady {} => "promote_ready",
            Self::EscalateRequest { .. } => "escalate_request",
        }
    }

    /// The stored `payload`: the job's data as JSON.
    pub fn payload(&self) -> serde_json::Result<String> {
        let tagged = serde_json::to_value(self)?;
        Ok(tagged
            .get("payload")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}))
            .to_string())
    }

    /// Reads a job back from its stored halves.
    pub fn from_stored(kind: &str, payload: &str) -> serde_json::Result<Self> {
        let payload: serde_json::Value = serde_json::from_str(payload)?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload }))
    }
}

/// When a failed job is tried again: `base` doubled per attempt, at most
/// `max`, spread by ±`jitter` so jobs that failed together (a database
/// restart) do not all come back in the same second. `None` once `attempts`
/// reached `max_attempts`: the job is failed for good.
#[derive(Debug, Clone, Copy)]
pub struct JobRetry {
    pub base: Duration,
    pub max: Duration,
    pub jitter: f64,
    pub max_attempts: u32,
}

impl JobRetry {
    /// `unit` is a uniform random number in [0, 1).
    pub fn next_delay(&self, attempts: u32, unit: f64) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let base = self.base.num_milliseconds() as f64 * f64::from(1u32 << doublings);
        let capped = base.min(self.max.num_milliseconds() as f64);
        let factor = 1.0 + self.jitter * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
        Some(Duration::milliseconds((capped * factor).round() as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_round_trip_through_their_stored_halves() {
        let jobs = [
            Job::ProgressUpdate {},
            Job::EscalateUnanswered {
                message_id: MessageId::generate(),
            },
            Job::CoverageEnd {
                staff_id: StaffId::generate(),
            },
            Job::PromoteReady {},
        ];
        for job in jobs {
            let payload = job.payload().unwrap();
            assert_eq!(Job::from_stored(job.kind(), &payload).unwrap(), job);
        }
        assert_eq!(Job::PromoteReady {}.payload().unwrap(), "{}");
    }

    #[test]
    fn a_job_that_cannot_be_read_is_an_error() {
        assert!(Job::from_stored("coverage_end", "{}").is_err());
        assert!(Job::from_stored("mystery", "{}").is_err());
        assert!(Job::from_stored("escalate_unanswered", "{\"message_id\": 7}").is_err());
    }

    #[test]
    fn retries_double_with_jitter_up_to_a_cap_then_stop() {
        let r = JobRetry {
            base: Duration::seconds(30),
            max: Duration::seconds(600),
            jitter: 0.2,
            max_attempts: 6,
        };
        assert_eq!(r.next_delay(1, 0.5), Some(Duration::seconds(30)));
        assert_eq!(r.next_delay(2, 0.5), Some(Duration::seconds(60)));
        assert_eq!(r.next_delay(3, 0.0), Some(Duration::seconds(96)));
        assert_eq!(r.next_delay(3, 1.0), Some(Duration::seconds(144)));
        assert_eq!(r.next_delay(5, 0.5), Some(Duration::seconds(480)));
        assert_eq!(r.next_delay(6, 0.5), None);
        let long = JobRetry {
            max_attempts: 50,
            ..r
        };
        assert_eq!(long.next_delay(40, 0.5), Some(Duration::seconds(600)));
    }
}
