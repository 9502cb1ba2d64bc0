//! The live sockets of the local gateway, by connection id, and the
//! in-process [`Push`] that delivers to them. A reader too slow to drain
//! its send queue is closed with 1013 (try again later) rather than
//! silently losing frames: it reconnects and catches up from history.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio_util::sync::CancellationToken;

use bytes::Bytes;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::limits::MAX_MESSAGE_BYTES;
use crate::model::ConnectionId;
use crate::ports::{Frame, Push, PushError};

/// What the socket writer of one connection is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Shared bytes: a frame fanned out to many is not copied per socket.
    Text(Utf8Bytes),
    Binary(Bytes),
    /// Send a close frame with this code and reason, then stop.
    Close(u16, &'static str),
}

/// What the management API reports about a connection.
#[derive(Debug)]
pub struct ConnInfo {
    pub connected_at_ms: i64,
    pub last_active_ms: AtomicI64,
    pub source_ip: String,
    pub user_agent: Option<String>,
}

impl ConnInfo {
    pub fn touch(&self) {
        self.last_active_ms
            .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
    }
}

/// A close the socket writer sends ahead of anything still queued: for a
/// queue that is full, or a reader that stopped reading.
#[derive(Debug, Default)]
pub struct Closer {
    token: CancellationToken,
    why: OnceLock<(u16, &'static str)>,
}

impl Closer {
    /// Asks for the close; true the first time.
    pub fn close(&self, code: u16, reason: &'static str) -> bool {
        let first = self.why.set((code, reason)).is_ok();
        self.token.cancel();
        first
    }

    /// Resolves once a close was asked for, with its code and reason.
    pub async fn closed(&self) -> (u16, &'static str) {
        self.token.cancelled().await;
        self.why().unwrap_or((1000, "Connection closed by server"))
    }

    pub fn why(&self) -> Option<(u16, &'static str)> {
        self.why.get().copied()
    }
}

/// What the sending side of one live connection needs.
pub struct Handle {
    pub tx: mpsc::Sender<Outbound>,
    pub info: Arc<ConnInfo>,
    pub closer: Arc<Closer>,
}

/// Live connections; a connection is here from the end of a successful
/// `$connect` until its socket ends.
#[derive(Default)]
pub struct Registry {
    conns: Mutex<HashMap<ConnectionId, Handle>>,
    /// Connections closed with 1013 because their send queue was full.
    slow_closed: AtomicU64,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConnectionId, Handle>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn register(&self, id: ConnectionId, handle: Handle) {
        self.lock().insert(id, handle);
    }

    pub fn remove(&self, id: &ConnectionId) {
        self.lock().remove(id);
    }

    pub fn info(&self, id: &ConnectionId) -> Option<Arc<ConnInfo>> {
        self.lock().get(id).map(|h| h.info.clone())
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Connections closed so far because they read too slowly.
    pub fn slow_closed(&self) -> u64 {
        self.slow_closed.load(Ordering::Relaxed)
    }

    /// Queues `out` for a connection without waiting. A reader too slow to
    /// drain its queue is not allowed to stall everyone else, nor to miss
    /// frames without knowing: it is closed with 1013.
    pub fn send(&self, id: &ConnectionId, out: Outbound) -> Result<(), PushError> {
        let (tx, closer) = self
            .lock()
            .get(id)
            .map(|h| (h.tx.clone(), h.closer.clone()))
            .ok_or(PushError::Gone)?;
        match tx.try_send(out) {
            Ok(()) => Ok(()),
            Err(TrySendError::Closed(_)) => Err(PushError::Gone),
            // A close jumps the queue.
            Err(TrySendError::Full(Outbound::Close(code, reason))) => {
                closer.close(code, reason);
                Ok(())
            }
            Err(TrySendError::Full(_)) => {
                if closer.close(1013, "Try Again Later") {
                    let total = self.slow_closed.fetch_add(1, Ordering::Relaxed) + 1;
                    tracing::warn!(conn = %id, slow_closed_total = total,
                        "send queue full: closing the connection with 1013");
                }
                Err(PushError::Other(
                    "the connection's send queue was full; it is being closed with 1013".into(),
                ))
            }
        }
    }
}

#[async_trait]
impl Push for Registry {
    /// Refuses what API Gateway refuses: a frame over 128 KB.
    async fn post(&self, to: &ConnectionId, frame: &Frame) -> Result<(), PushError> {
        if frame.len() > MAX_MESSAGE_BYTES {
            return Err(PushError::PayloadTooLarge);
        }
        let text = Utf8Bytes::try_from(frame.bytes().clone())
            .map_err(|_| PushError::Other("a frame that is not UTF-8".into()))?;
        self.send(to, Outbound::Text(text))
    }

    async fn close(
        &self,
        to: &ConnectionId,
        code: u16,
        reason: &'static str,
    ) -> Result<(), PushError> {
        self.send(to, Outbound::Close(code, reason))
    }
}
