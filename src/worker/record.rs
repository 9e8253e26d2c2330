//! Sends the provider took, written in batches. While one transaction
//! commits, the sends finishing meanwhile queue up and go in the next one:
//! under load one commit covers many texts; at a trickle a batch is one text
//! and nothing waits. If this process dies before a batch commits, those
//! messages are still `sending` under their lease, and the worker that takes
//! them over asks the provider before sending again.

use crate::app::{Accepted, App, Claimed};
use crate::notify::metrics::Attempt;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Most outcomes written in one transaction.
const MAX_BATCH: usize = 256;

pub struct Sent {
    pub n: Claimed,
    pub accepted: Accepted,
    /// When the attempt began, for the send-latency histogram.
    pub started: Instant,
}

/// The recorder's queue holds `capacity` outcomes; a send that finds it full
/// waits (holding its permit), so a slow database slows sending down rather
/// than piling up unrecorded texts.
pub fn spawn(app: App, capacity: usize) -> (mpsc::Sender<Sent>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (tx, tokio::spawn(run(app, rx)))
}

/// Runs until every sender is gone and the queue is empty.
async fn run(app: App, mut queue: mpsc::Receiver<Sent>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let started: Vec<Instant> = batch.iter().map(|s| s.started).collect();
        let sent = batch.drain(..).map(|s| (s.n, s.accepted)).collect();
        match app.deliveries_accepted(sent).await {
            Ok(()) => {
                for t in started {
                    app.outbox.metrics().record(Attempt::Sent, t.elapsed());
                }
            }
            Err(e) => tracing::error!(
                count = started.len(),
                error = %e,
                "recording sent messages failed; their leases bring them back for a check with the provider"
            ),
        }
    }
}
