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

async fn run(app: App, transports: Arc<Transports>, mut stop: watch::Receiver<bool>) {
    let settings = app.settings.worker.clone();
    let permits = Arc::new(Semaphore::new(settings.concurrency));
    let mut inflight = JoinSet::new();
    let (recorder, recording) = record::spawn(app.clone(), settings.concurrency * 4);
    let poll = Duration::from_secs(settings.poll_interval_seconds.max(1));
    // Scheduled jobs are checked once per wake-up or poll, not on the passes
    // made because a send finished: under load those come once per message,
    // and a job's due time is minutes, not milliseconds.
    let mut check_jobs = true;
    let purge_every = chrono::Duration::minutes(app.settings.retention.purge_interval_minutes);
    let mut next_purge = app.clock.now();
    loop {
        while inflight.try_join_next().is_some() {}
        if *stop.borrow() {
            break;
        }
        let want = (permits.available_permits() as i64).min(settings.batch_size);
        let mut claimed = 0;
        if want > 0 {
            match app.claim_notifications(want).await {
                Ok(rows) => {
                    claimed = rows.len() as i64;
                    for n in rows {
                        let Ok(permit) = permits.clone().try_acquire_owned() else {
                            break;
                        };
                        let (app, transports) = (app.clone(), transports.clone());
                        let recorder = recorder.clone();
                        inflight.spawn(async move {
                            deliver::one(&app, &transports, n, &recorder).await;
                            drop(permit);
                        });
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "claiming messages failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        let jobs_checked = check_jobs;
        if check_jobs {
            if let Err(e) = app.run_due_jobs(settings.batch_size).await {
                tracing::error!(error = %e, "running scheduled jobs failed");
            }
            if app.clock.now() >= next_purge {
                if let Err(e) = app.purge_expired().await {
                    tracing::error!(error = %e, "purging expired rows failed");
                }
                next_purge = app.clock.now() + purge_every;
            }
            check_jobs = false;
        }
        if want > 0 && claimed == want {
            continue; // A full batch: there may be more waiting.
        }
        if jobs_checked && claimed == 0 && inflight.is_empty() && recorder.is_idle() {
            app.outbox
                .metrics()
                .idle_passes
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        tokio::select! {
            _ = app.outbox.woken() => check_jobs = true,
            _ = tokio::time::sleep(poll) => check_jobs = true,
            _ = stop.changed() => {}
            // A finished send frees a permit: claim again at once. (Guarding
            // this on "no permits left" stalled the loop until the next poll
            // whenever a send finished while the jobs ran — the bench found it.)
            Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
        }
    }
    let grace = Duration::from_secs(settings.shutdown_grace_seconds);
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
