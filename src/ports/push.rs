//! Delivery of frames to connections (`PostToConnection`).

use async_trait::async_trait;
use bytes::Bytes;

use crate::model::ConnectionId;

/// A server → client frame, encoded once and shared by every recipient:
/// cloning it copies a pointer, not the text. Always UTF-8 JSON.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame(Bytes);

impl Frame {
    /// Wraps a frame's JSON text.
    pub fn new(json: String) -> Self {
        Self(Bytes::from(json))
    }

    /// Its length in bytes, as API Gateway counts it.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it holds no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The shared bytes (for adapters that hand them on without a copy).
    pub fn bytes(&self) -> &Bytes {
        &self.0
    }

    /// The frame as text.
    pub fn as_str(&self) -> &str {
        // Built from a `String` only, so always valid.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Frames carry message bodies: never into the logs.
        write!(f, "Frame({} bytes)", self.0.len())
    }
}

/// Why a post to one connection failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The connection no longer exists (HTTP 410): its rows can go.
    #[error("connection is gone")]
    Gone,
    /// Over API Gateway's 128 KB: never sent. By construction it should
    /// not happen; when it does it is logged and counted.
    #[error("payload too large")]
    PayloadTooLarge,
    /// Throttled (`LimitExceededException`): worth another try shortly.
    #[error("throttled")]
    Throttled,
    /// Any other failure; says what, for the logs.
    #[error("push failed: {0}")]
    Other(String),
}

/// Delivery of one frame to one connection (`PostToConnection`).
#[async_trait]
pub trait Push: Send + Sync {
    /// Sends `frame` to connection `to`, as one WebSocket text frame.
    async fn post(&self, to: &ConnectionId, frame: &Frame) -> Result<(), PushError>;

    /// Ends a connection (`DeleteConnection`). Gateways that can send a
    /// close code use `code`; API Gateway cannot and closes it its own way.
    async fn close(
        &self,
        to: &ConnectionId,
        code: u16,
        reason: &'static str,
    ) -> Result<(), PushError>;
}
