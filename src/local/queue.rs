//! The fan-out queue in local mode: the same port SQS fills on AWS, as a
//! channel drained by a few worker tasks that call [`App::deliver`]. A
//! batch with recipients still waiting is handed out again after a pause,
//! as SQS redelivers after its visibility timeout, a few times at most.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{Mutex, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::core::App;
use crate::ports::{FanoutBatch, Queue, QueueError};

/// Workers delivering batches at once.
const WORKERS: usize = 4;
/// Tries per batch before it is given up on (SQS's maxReceiveCount).
const ATTEMPTS: u32 = 5;
/// Batches waiting at most; past it `enqueue` reports them unsent and the
/// core posts them directly.
const CAPACITY: usize = 4096;

/// The sending half, given to the core.
pub struct LocalQueue {
    tx: mpsc::Sender<(FanoutBatch, u32)>,
}

/// The receiving half, until the workers start.
pub struct Pending {
    rx: mpsc::Receiver<(FanoutBatch, u32)>,
    tx: mpsc::Sender<(FanoutBatch, u32)>,
}

/// A queue and what its workers will read.
pub fn channel() -> (LocalQueue, Pending) {
    let (tx, rx) = mpsc::channel(CAPACITY);
    (LocalQueue { tx: tx.clone() }, Pending { rx, tx })
}

#[async_trait]
impl Queue for LocalQueue {
    async fn enqueue(&self, batches: Vec<FanoutBatch>) -> Result<(), QueueError> {
        let mut unsent = Vec::new();
        for batch in batches {
            if let Err(e) = self.tx.try_send((batch, 1)) {
                unsent.push(e.into_inner().0);
            }
        }
        if unsent.is_empty() {
            Ok(())
        } else {
            Err(QueueError {
                reason: "the local fan-out queue is full".into(),
                unsent,
            })
        }
    }
}

impl Pending {
    /// Starts the workers on `tracker`; they stop at `shutdown`.
    pub fn start(self, app: App, tracker: &TaskTracker, shutdown: CancellationToken) {
        let rx = Arc::new(Mutex::new(self.rx));
        for _ in 0..WORKERS {
            let (rx, tx, app, shutdown) =
                (rx.clone(), self.tx.clone(), app.clone(), shutdown.clone());
            let tracker2 = tracker.clone();
            tracker.spawn(async move {
                loop {
                    let next = tokio::select! {
                        next = async { rx.lock().await.recv().await } => next,
                        _ = shutdown.cancelled() => return,
                    };
                    let Some((batch, attempt)) = next else { return };
                    if let Err(e) = app.deliver(batch.clone()).await {
                        if attempt >= ATTEMPTS {
                            tracing::error!(batch = %batch.id, error = %e, "fan-out batch given up");
                            continue;
                        }
                        tracing::info!(batch = %batch.id, attempt, error = %e, "fan-out batch again later");
                        let tx = tx.clone();
                        let pause = Duration::from_millis(200 << attempt);
                        tracker2.spawn(async move {
                            tokio::time::sleep(pause).await;
                            let _ = tx.send((batch, attempt + 1)).await;
                        });
                    }
                }
            });
        }
    }
}
