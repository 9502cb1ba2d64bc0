//! The pieces of a simulated AWS deployment: the real `ApiGatewayPush`
//! (SigV4, HTTP) behind an injected per-post latency, and an SQS stand-in
//! that hands each batch to a "worker Lambda" after a queue hop, with a
//! bounded number of them running at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use honyaku::core::App;
use honyaku::model::ConnectionId;
use honyaku::ports::{FanoutBatch, Frame, Push, PushError, Queue, QueueError};
use tokio::sync::{OnceCell, Semaphore};

/// A push that waits `delay` before each post, as API Gateway's Management
/// API takes its time from inside a Lambda.
pub struct Slow<P> {
    pub inner: P,
    pub delay: Duration,
    pub posts: AtomicUsize,
}

#[async_trait]
impl<P: Push> Push for Slow<P> {
    async fn post(&self, to: &ConnectionId, frame: &Frame) -> Result<(), PushError> {
        self.posts.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(self.delay).await;
        self.inner.post(to, frame).await
    }

    async fn close(
        &self,
        to: &ConnectionId,
        code: u16,
        why: &'static str,
    ) -> Result<(), PushError> {
        self.inner.close(to, code, why).await
    }
}

/// SQS and its event source mapping, simulated: each batch reaches a
/// worker after `hop`; at most `concurrency` workers run at once; a batch
/// the worker reports unfinished comes back after `hop` again.
pub struct SimSqs {
    pub app: OnceCell<App>,
    pub hop: Duration,
    pub lanes: Arc<Semaphore>,
    pub batches: AtomicUsize,
    pub send_calls: AtomicUsize,
    /// Worker time, summed over invocations (µs).
    pub worker_us: AtomicU64,
}

impl SimSqs {
    pub fn new(hop: Duration, concurrency: usize) -> Arc<Self> {
        Arc::new(Self {
            app: OnceCell::new(),
            hop,
            lanes: Arc::new(Semaphore::new(concurrency)),
            batches: AtomicUsize::new(0),
            send_calls: AtomicUsize::new(0),
            worker_us: AtomicU64::new(0),
        })
    }
}

/// The queue the core sees.
pub struct SimQueue(pub Arc<SimSqs>);

#[async_trait]
impl Queue for SimQueue {
    async fn enqueue(&self, batches: Vec<FanoutBatch>) -> Result<(), QueueError> {
        let sqs = self.0.clone();
        sqs.send_calls
            .fetch_add(batches.len().div_ceil(10), Ordering::Relaxed);
        sqs.batches.fetch_add(batches.len(), Ordering::Relaxed);
        for batch in batches {
            let sqs = sqs.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(sqs.hop).await;
                    let _lane = sqs.lanes.acquire().await.expect("open");
                    let app = sqs.app.get().expect("the app is set").clone();
                    let t = std::time::Instant::now();
                    let done = app.deliver(batch.clone()).await;
                    sqs.worker_us
                        .fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
                    if done.is_ok() {
                        return;
                    }
                }
            });
        }
        Ok(())
    }
}
