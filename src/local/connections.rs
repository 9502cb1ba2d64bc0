//! The live sockets of the local gateway, by connection id, and the
//! in-process [`Push`] that delivers to them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

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

struct Handle {
    tx: mpsc::Sender<Outbound>,
    info: Arc<ConnInfo>,
}

/// Live connections; a connection is here from the end of a successful
/// `$connect` until its socket ends.
#[derive(Default)]
pub struct Registry {
    conns: Mutex<HashMap<ConnectionId, Handle>>,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConnectionId, Handle>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn register(&self, id: ConnectionId, tx: mpsc::Sender<Outbound>, info: Arc<ConnInfo>) {
        self.lock().insert(id, Handle { tx, info });
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

    /// Queues `out` for a connection without waiting: a reader too slow to
    /// drain its queue loses the frame rather than stalling everyone else.
    pub fn send(&self, id: &ConnectionId, out: Outbound) -> Result<(), PushError> {
        let tx = self
            .lock()
            .get(id)
            .map(|h| h.tx.clone())
            .ok_or(PushError::Gone)?;
        tx.try_send(out).map_err(|e| match e {
            TrySendError::Closed(_) => PushError::Gone,
            TrySendError::Full(_) => PushError::Other("the connection's send queue is full".into()),
        })
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
