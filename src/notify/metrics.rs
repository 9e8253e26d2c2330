//! Counters for /metrics: what the workers of this process did.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the send-latency histogram, in seconds.
pub const LATENCY_BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
pub struct Metrics {
    pub sent: AtomicU64,
    pub failed: AtomicU64,
    pub suppressed: AtomicU64,
    pub retried: AtomicU64,
    /// Worker passes that found nothing due and nothing in flight.
    pub idle_passes: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
}

impl Metrics {
    /// One send attempt ended with `outcome` after `took`.
    pub fn record(&self, outcome: &str, took: Duration) {
        let counter = match outcome {
            "sent" => &self.sent,
            "failed" => &self.failed,
            "suppressed" => &self.suppressed,
            _ => &self.retried,
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
