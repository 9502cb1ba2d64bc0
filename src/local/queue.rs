//! The fan-out queue in local mode: the same port SQS fills on AWS, as a
//! channel drained by one worker task that calls [`App::deliver`] on up to
//! [`QUEUE_BATCH_MAX`] batches at once, as one SQS event hands them to one
//! invocation. A batch with recipients still waiting is handed out again
//! after a pause, as SQS redelivers after its visibility timeout, a few
//! times at most.
//!
//! One worker, not several: every batch of a big room goes to the same
//! sockets, and workers on both threads contended for them (1 room ×
//! 5,000 members, saturated: 82,000 frames/s with four workers, 337,000
//! with one).

use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::join_all;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::core::{App, DeliverError};
use crate::limits::{MAX_QUEUE_MESSAGE_BYTES, QUEUE_BATCH_MAX};
use crate::ports::{FanoutBatch, Queue, QueueError};

/// Tries per batch before it is given up on (SQS's maxReceiveCount).
const ATTEMPTS: u32 = 5;
/// Batches waiting at most; past it `enqueue` reports them unsent and the
/// core posts them directly.
const CAPACITY: usize = 4096;

/// The sending half, given to the core.
pub struct LocalQueue {
    tx: mpsc::Sender<(FanoutBatch, u32)>,
}

/// The receiving half, until the worker starts.
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
    /// Refuses, as SQS does, a batch over its 256 KiB per message (the
    /// core keeps batches well under it; this is what catches it if not).
    async fn enqueue(&self, batches: Vec<FanoutBatch>) -> Result<(), QueueError> {
        let mut unsent = Vec::new();
        let mut reason = "the local fan-out queue is full".to_owned();
        for batch in batches {
            if batch.json_len() > MAX_QUEUE_MESSAGE_BYTES {
                reason = format!("a fan-out batch is over SQS's {MAX_QUEUE_MESSAGE_BYTES} bytes");
                unsent.push(batch);
            } else if let Err(e) = self.tx.try_send((batch, 1)) {
                unsent.push(e.into_inner().0);
            }
        }
        if unsent.is_empty() {
            Ok(())
        } else {
            Err(QueueError { reason, unsent })
        }
    }
}

impl Pending {
    /// Starts the worker on `tracker`; it stops at `shutdown`.
    pub fn start(self, app: App, tracker: &TaskTracker, shutdown: CancellationToken) {
        let Pending { mut rx, tx } = self;
        let retries = tracker.clone();
        tracker.spawn(async move {
            let mut taken = Vec::with_capacity(QUEUE_BATCH_MAX);
            loop {
                let open = tokio::select! {
                    n = rx.recv_many(&mut taken, QUEUE_BATCH_MAX) => n > 0,
                    _ = shutdown.cancelled() => return,
                };
                if !open {
                    return;
                }
                let tries = taken.drain(..).map(|(batch, attempt)| {
                    let app = &app;
                    async move { (app.deliver(batch.clone()).await, batch, attempt) }
                });
                for (result, batch, attempt) in join_all(tries).await {
                    if let Err(e) = result {
                        again_later(&tx, &retries, batch, attempt, &e);
                    }
                }
            }
        });
    }
}

/// Hands a batch out again after a pause, unless it had its tries.
fn again_later(
    tx: &mpsc::Sender<(FanoutBatch, u32)>,
    tracker: &TaskTracker,
    batch: FanoutBatch,
    attempt: u32,
    e: &DeliverError,
) {
    if attempt >= ATTEMPTS {
        tracing::error!(batch = %batch.id, error = %e, "fan-out batch given up");
        return;
    }
    tracing::info!(batch = %batch.id, attempt, error = %e, "fan-out batch again later");
    let tx = tx.clone();
    let pause = Duration::from_millis(200 << attempt);
    tracker.spawn(async move {
        tokio::time::sleep(pause).await;
        let _ = tx.send((batch, attempt + 1)).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConnectionId, RoomName};

    fn batch(id: &str, frame_bytes: usize) -> FanoutBatch {
        FanoutBatch {
            id: id.into(),
            room: RoomName::parse("r").unwrap(),
            frame: "x".repeat(frame_bytes),
            to: vec![ConnectionId::new("c1")],
        }
    }

    #[tokio::test]
    async fn a_batch_over_sqs_message_size_comes_back_unsent() {
        let (queue, mut pending) = channel();
        let small = batch("m#0", 10);
        let big = batch("m#1", MAX_QUEUE_MESSAGE_BYTES);
        assert!(big.json_len() > MAX_QUEUE_MESSAGE_BYTES);
        let err = queue
            .enqueue(vec![small.clone(), big.clone()])
            .await
            .unwrap_err();
        assert_eq!(err.unsent, [big]);
        assert!(err.reason.contains("over SQS's"), "{}", err.reason);
        let (queued, _) = pending.rx.try_recv().unwrap();
        assert_eq!(queued, small);
        assert!(pending.rx.try_recv().is_err());
    }

    #[test]
    fn json_len_is_the_body_length() {
        let b = batch("m#0", 100);
        assert_eq!(b.json_len(), serde_json::to_string(&b).unwrap().len());
    }
}
