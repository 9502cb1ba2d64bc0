//! The fan-out queue: big rooms hand their recipients to a worker instead
//! of posting inside the `translate` invocation.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model::{ConnectionId, RoomName};

/// One slice of a message's fan-out: one rendered frame for some of its
/// recipients. Big rooms hand these to a fan-out worker through a
/// [`Queue`] (SQS on AWS, a channel locally) instead of posting inside
/// the `translate` invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FanoutBatch {
    /// `{message id}#{n}`: names the batch, so a redelivered batch can be
    /// told from a new one and never posts twice to one connection.
    pub id: String,
    /// The message's room.
    pub room: RoomName,
    /// The frame, encoded once for every recipient of this batch.
    pub frame: String,
    /// The connections to post the frame to.
    pub to: Vec<ConnectionId>,
}

impl FanoutBatch {
    /// The length of the batch as JSON, SQS's message body, counted
    /// without building the text.
    pub fn json_len(&self) -> usize {
        struct Count(usize);
        impl std::io::Write for Count {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0 += buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut count = Count(0);
        // Strings and ids only: serializing cannot fail.
        let _ = serde_json::to_writer(&mut count, self);
        count.0
    }
}

/// Why batches could not be queued. `unsent` holds the batches the queue
/// does not have (the others it does: posting those too would deliver
/// twice); the core posts them directly.
#[derive(Debug, thiserror::Error)]
#[error("fan-out queue: {reason} ({} batches unsent)", unsent.len())]
pub struct QueueError {
    /// Why the queue refused, for the logs.
    pub reason: String,
    /// The batches the queue does not hold.
    pub unsent: Vec<FanoutBatch>,
}

/// Hands fan-out batches to a worker (`SendMessageBatch` on SQS), which
/// calls `App::deliver` for each.
#[async_trait]
pub trait Queue: Send + Sync {
    /// Returns once the queue holds every batch, or says which it does not.
    async fn enqueue(&self, batches: Vec<FanoutBatch>) -> Result<(), QueueError>;
}
