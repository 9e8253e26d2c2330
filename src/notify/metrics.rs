//! Counters for /metrics: what the workers of this process did.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the send-latency histogram, in seconds.
pub const LATENCY_BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Upper bounds of the colleague-answer-time histogram, in minutes.
pub const ANSWER_BUCKETS: [f64; 8] = [5.0, 15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 1440.0];

/// How one send attempt ended, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    Failed,
    Suppressed,
    Retried,
}

#[derive(Default)]
pub struct Metrics {
    pub sent: AtomicU64,
    pub failed: AtomicU64,
    pub suppressed: AtomicU64,
    pub retried: AtomicU64,
    /// Worker passes that found nothing due and nothing in flight.
    pub idle_passes: AtomicU64,
    /// Scheduled jobs given up on (attempts spent, or unreadable).
    pub jobs_failed: AtomicU64,
    /// Rows removed by the retention purge, per table.
    purged: std::sync::Mutex<std::collections::BTreeMap<&'static str, u64>>,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    answer_buckets: [AtomicU64; ANSWER_BUCKETS.len()],
    answer_count: AtomicU64,
    answer_minutes: AtomicU64,
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
}

impl Metrics {
    /// One send attempt ended with `outcome` after `took`.
    pub fn record(&self, outcome: Attempt, took: Duration) {
        let counter = match outcome {
            Attempt::Sent => &self.sent,
            Attempt::Failed => &self.failed,
            Attempt::Suppressed => &self.suppressed,
            Attempt::Retried => &self.retried,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// A colleague's request was answered `minutes` after it was asked.
    pub fn request_answered(&self, minutes: i64) {
        let m = minutes.max(0) as u64;
        for (i, bound) in ANSWER_BUCKETS.iter().enumerate() {
            if m as f64 <= *bound {
                self.answer_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.answer_count.fetch_add(1, Ordering::Relaxed);
        self.answer_minutes.fetch_add(m, Ordering::Relaxed);
    }

    /// The answer-time histogram: cumulative counts per bucket, count, sum (minutes).
    pub fn answers(&self) -> (Vec<(f64, u64)>, u64, u64) {
        let buckets = ANSWER_BUCKETS
            .iter()
            .zip(&self.answer_buckets)
            .map(|(b, c)| (*b, c.load(Ordering::Relaxed)))
            .collect();
        (
            buckets,
            self.answer_count.load(Ordering::Relaxed),
            self.answer_minutes.load(Ordering::Relaxed),
        )
    }

    pub fn job_failed(&self) {
        self.jobs_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// `rows` were purged from `table`.
    pub fn purged(&self, table: &'static str, rows: u64) {
        if let Ok(mut purged) = self.purged.lock() {
            *purged.entry(table).or_default() += rows;
        }
    }

    /// Rows purged so far, per table.
    pub fn purged_totals(&self) -> Vec<(&'static str, u64)> {
        self.purged
            .lock()
            .map(|p| p.iter().map(|(t, n)| (*t, *n)).collect())
            .unwrap_or_default()
    }

    /// The latency histogram: cumulative counts per bucket, total count, sum in seconds.
    pub fn latency(&self) -> (Vec<(f64, u64)>, u64, f64) {
        let buckets = LATENCY_BUCKETS
            .iter()
            .zip(&self.latency_buckets)
            .map(|(b, c)| (*b, c.load(Ordering::Relaxed)))
            .collect();
        (
            buckets,
            self.latency_count.load(Ordering::Relaxed),
            self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6,
        )
    }
}
