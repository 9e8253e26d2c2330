//! The line for a pooled connection. A request waits here as an async task,
//! not as a blocking thread parked in the pool: with 32 clients on 8
//! connections, 24 threads used to sleep on the pool's condition variable
//! and each hand-over woke one (BENCHMARKS.md, round 8: the status change's
//! throughput fell from 8 clients to 32 while pgbench's rose). One turn per
//! connection, so a thread that has its turn finds a connection free.

use super::pool::DbError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Clone)]
pub(super) struct ConnectionQueue {
    turns: Arc<Semaphore>,
    /// As long as the pool itself waits for a connection (`database.connect_timeout_seconds`).
    patience: Duration,
}

/// A turn with a connection; the next in line goes when it is dropped.
pub(super) struct Turn {
    _permit: OwnedSemaphorePermit,
}

impl ConnectionQueue {
    pub fn new(connections: u32, patience: Duration) -> Self {
        let turns = usize::try_from(connections.max(1)).unwrap_or(1);
        Self {
            turns: Arc::new(Semaphore::new(turns)),
            patience,
        }
    }

    /// Waits in line (first come, first served) for at most `patience`.
    pub async fn turn(&self) -> Result<Turn, DbError> {
        let waiting = self.turns.clone().acquire_owned();
        match tokio::time::timeout(self.patience, waiting).await {
            Ok(Ok(permit)) => Ok(Turn { _permit: permit }),
            // The semaphore is never closed; a closed one has no turns left.
            Ok(Err(_)) | Err(_) => Err(DbError::NoTurn(self.patience)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_next_in_line_goes_when_a_turn_ends() {
        let queue = ConnectionQueue::new(1, Duration::from_secs(5));
        let first = queue.turn().await.unwrap();
        let next = tokio::spawn({
            let queue = queue.clone();
            async move { queue.turn().await.map(drop) }
        });
        tokio::task::yield_now().await;
        assert!(!next.is_finished(), "one connection, one turn");
        drop(first);
        next.await.unwrap().unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_that_waits_too_long_is_told_so() {
        let queue = ConnectionQueue::new(1, Duration::from_secs(2));
        let _held = queue.turn().await.unwrap();
        let refused = queue.turn().await.err().unwrap();
        assert!(matches!(refused, DbError::NoTurn(d) if d == Duration::from_secs(2)));
        assert_eq!(
            refused.to_string(),
            "no database connection came free within 2 s"
        );
    }
}
