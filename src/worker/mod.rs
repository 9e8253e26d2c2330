//! The delivery worker: claims due messages from the outbox and hands them
//! to their provider, a bounded number at a time. It wakes when this process
//! commits messages, when another instance does (PostgreSQL NOTIFY), and on
//! a slow poll as a safety net. Scheduled jobs run from the same loop.
//!
//! Never lost: a message is claimed with a lease and marked `sending` before
//! the provider is called; if this process dies, another worker takes it
//! over when the lease ends. Never twice: that worker first asks the
//! provider whether the message already went.

mod deliver;
mod record;

use crate::app::App;
use crate::notify::transport::Transports;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// A running worker. `shutdown` stops claiming and lets in-flight sends
/// finish (up to `worker.shutdown_grace_seconds`).
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    done: tokio::task::JoinHandle<()>,
    listening: Arc<AtomicBool>,
}

impl WorkerHandle {
    pub async fn shutdown(self) {
        self.listening.store(false, Ordering::Relaxed);
        let _ = self.stop.send(true);
        let _ = self.done.await;
    }
}

pub fn spawn(app: App, transports: Arc<Transports>) -> WorkerHandle {
    let (stop, stopped) = watch::channel(false);
    let listening = Arc::new(AtomicBool::new(true));
    listen_to_other_instances(&app, listening.clone());
    let done = tokio::spawn(run(app, transports, stopped));
    WorkerHandle {
        stop,
        done,
        listening,
    }
}

/// What one worker holds while it runs.
struct Sender {
    app: App,
    transports: Arc<Transports>,
    permits: Arc<Semaphore>,
    inflight: JoinSet<()>,
    recorder: record::Recorder,
}

impl Sender {
    /// Claims up to `want` due messages and starts sending each; returns how
    /// many were claimed.
    async fn claim_and_send(&mut self, want: i64) -> i64 {
        let rows = match self.app.claim_notifications(want).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::error!(error = %e, "claiming messages failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                return 0;
            }
        };
        let claimed = rows.len() as i64;
        for n in rows {
            let Ok(permit) = self.permits.clone().try_acquire_owned() else {
                break;
            };
            let (app, transports) = (self.app.clone(), self.transports.clone());
            let recorder = self.recorder.clone();
            self.inflight.spawn(async move {
                deliver::one(&app, &transports, n, &recorder).await;
                drop(permit);
            });
        }
        claimed
    }

    /// Nothing claimed, sending or waiting to be recorded.
    fn is_idle(&self) -> bool {
        self.inflight.is_empty() && self.recorder.is_idle()
    }
}

async fn run(app: App, transports: Arc<Transports>, mut stop: watch::Receiver<bool>) {
    let settings = app.settings.worker.clone();
    let (recorder, recording) = record::spawn(app.clone(), settings.concurrency * 4);
    let mut sender = Sender {
        app: app.clone(),
        transports,
        permits: Arc::new(Semaphore::new(settings.concurrency)),
        inflight: JoinSet::new(),
        recorder,
    };
    let poll = Duration::from_secs(settings.poll_interval_seconds.max(1));
    let mut timed = TimedWork::new(&app);
    // Scheduled jobs are checked once per wake-up or poll, not on the passes
    // made because a send finished: under load those come once per message,
    // and a job's due time is minutes, not milliseconds.
    let mut check_jobs = true;
    loop {
        while sender.inflight.try_join_next().is_some() {}
        if *stop.borrow() {
            break;
        }
        let want = (sender.permits.available_permits() as i64).min(settings.batch_size);
        let claimed = if want > 0 {
            sender.claim_and_send(want).await
        } else {
            0
        };
        let jobs_checked = check_jobs;
        if check_jobs {
            timed.run(&app, settings.batch_size).await;
            check_jobs = false;
        }
        if want > 0 && claimed == want {
            continue; // A full batch: there may be more waiting.
        }
        if jobs_checked && claimed == 0 && sender.is_idle() {
            app.outbox
                .metrics()
                .idle_passes
                .fetch_add(1, Ordering::Relaxed);
        }
        tokio::select! {
            _ = app.outbox.woken() => check_jobs = true,
            _ = tokio::time::sleep(poll) => check_jobs = true,
            _ = stop.changed() => {}
            // A finished send frees a permit: claim again at once. (Guarding
            // this on "no permits left" stalled the loop until the next poll
            // whenever a send finished while the jobs ran — the bench found it.)
            Some(_) = sender.inflight.join_next(), if !sender.inflight.is_empty() => {}
        }
    }
    drain(
        sender,
        recording,
        Duration::from_secs(settings.shutdown_grace_seconds),
    )
    .await;
}

/// Scheduled jobs, online refunds, and now and then the purge of expired rows.
struct TimedWork {
    next_purge: chrono::DateTime<chrono::Utc>,
    purge_every: chrono::Duration,
}

impl TimedWork {
    fn new(app: &App) -> Self {
        Self {
            next_purge: app.clock.now(),
            purge_every: chrono::Duration::minutes(app.settings.retention.purge_interval_minutes),
        }
    }

    async fn run(&mut self, app: &App, limit: i64) {
        if let Err(e) = app.run_due_jobs(limit).await {
            tracing::error!(error = %e, "running scheduled jobs failed");
        }
        if let Err(e) = app.send_due_refunds(limit).await {
            tracing::error!(error = %e, "sending refunds failed");
        }
        if app.clock.now() >= self.next_purge {
            if let Err(e) = app.purge_expired().await {
                tracing::error!(error = %e, "purging expired rows failed");
            }
            self.next_purge = app.clock.now() + self.purge_every;
        }
    }
}

/// On shutdown: in-flight sends finish and their outcomes are written, up
/// to `grace`; what is left is taken over by another worker after its lease.
async fn drain(sender: Sender, recording: tokio::task::JoinHandle<()>, grace: Duration) {
    let Sender {
        mut inflight,
        recorder,
        ..
    } = sender;
    drop(recorder);
    let drained = tokio::time::timeout(grace, async {
        while inflight.join_next().await.is_some() {}
        // The last sends' outcomes, written before the process goes.
        let _ = recording.await;
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            in_flight = inflight.len(),
            "sends still in flight at shutdown; their leases will let another worker check and finish them"
        );
        inflight.abort_all();
    }
}

/// PostgreSQL: a thread holding a LISTEN connection wakes the worker when
/// another instance commits messages. (diesel's notifications are read
/// without blocking, so the connection is checked every `listen_poll_ms`.)
fn listen_to_other_instances(app: &App, listening: Arc<AtomicBool>) {
    if app.db.backend() != crate::db::Backend::Postgres {
        return;
    }
    let app = app.clone();
    let every = Duration::from_millis(app.settings.worker.listen_poll_ms.max(1));
    std::thread::spawn(move || {
        while listening.load(Ordering::Relaxed) {
            let mut listener = match app.db.listen_for_outbox() {
                Some(Ok(listener)) => listener,
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "LISTEN connection failed; retrying");
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
                None => return,
            };
            while listening.load(Ordering::Relaxed) {
                match listener.woken() {
                    Ok(true) => app.outbox.wake(),
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                        break;
                    }
                }
                std::thread::sleep(every);
            }
        }
    });
}
