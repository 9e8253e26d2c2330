//! Sends the provider took, written in batches. While one transaction
//! commits, the sends finishing meanwhile queue up and go in the next one:
//! under load one commit covers many texts; at a trickle a batch is one text
//! and nothing waits. If this process dies before a batch commits, those
//! messages are still `sending` under their lease, and the worker that takes
//! them over asks the provider before sending again.

use crate::app::{Accepted, App, Claimed};
use crate::notify::metrics::Attempt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Where sends hand their outcome; cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    queue: mpsc::Sender<Sent>,
    /// Outcomes handed over and not yet committed.
    unrecorded: Arc<AtomicUsize>,
}

impl Recorder {
    /// Queues an outcome; `Err` if the recorder has stopped.
    pub async fn send(&self, sent: Sent) -> Result<(), Sent> {
        self.unrecorded.fetch_add(1, Ordering::SeqCst);
        self.queue.send(sent).await.map_err(|e| {
            self.unrecorded.fetch_sub(1, Ordering::SeqCst);
            e.0
        })
    }

    /// Nothing handed over waits to be written.
    pub fn is_idle(&self) -> bool {
        self.unrecorded.load(Ordering::SeqCst) == 0
    }
}

/// The recorder's queue holds `capacity` outcomes; a send that finds it full
/// waits (holding its permit), so a slow database slows sending down rather
/// than piling up unrecorded texts.
pub fn spawn(app: App, capacity: usize) -> (Recorder, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let unrecorded = Arc::new(AtomicUsize::new(0));
    let done = tokio::spawn(run(app, rx, unrecorded.clone()));
    let recorder = Recorder {
        queue: tx,
        unrecorded,
    };
    (recorder, done)
}

/// Runs until every sender is gone and the queue is empty.
async fn run(app: App, mut queue: mpsc::Receiver<Sent>, unrecorded: Arc<AtomicUsize>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let count = batch.len();
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
        unrecorded.fetch_sub(count, Ordering::SeqCst);
    }
}
