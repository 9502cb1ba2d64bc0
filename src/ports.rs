//! The three ports the core depends on. Adapters implement them: stores in
//! `store/`, engines in `translate/`, delivery in `push/` and `local/`.

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{
    ClientMsgId, Connection, ConnectionId, Lang, Member, Message, MessageKey, RoomName,
    Translation, TranslationRecord, UserName,
};

/// What a store can fail with. The core turns any of these into an
/// `internal` error frame; details stay in the logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store backend: {0}")]
    Backend(String),
    #[error("corrupt item {pk}/{sk}: {reason}")]
    Corrupt {
        pk: String,
        sk: String,
        reason: String,
    },
}

/// Result of writing a message that may repeat a `clientMsgId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Stored,
    /// The sender already had a message with this `clientMsgId`.
    Duplicate,
}

/// One page of a room's history, oldest first.
#[derive(Debug, Clone, Default)]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    /// Whether older messages exist before the first one returned.
    pub more: bool,
}

/// Connections, rooms and history in one table (see DESIGN.md "One table").
#[async_trait]
pub trait Store: Send + Sync {
    /// Writes the connection row and its room member row.
    async fn put_connection(&self, conn: &Connection) -> Result<(), StoreError>;
    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError>;
    /// Moves a connection to a new room, language or name: one update of the
    /// connection row, the member row replaced.
    async fn update_connection(&self, old: &Connection, new: &Connection)
    -> Result<(), StoreError>;
    /// Deletes every row of the connection; returns what it was, if anything.
    async fn delete_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError>;
    /// The live members of a room (expired rows skipped), in key order.
    async fn room_members(&self, room: &RoomName) -> Result<Vec<Member>, StoreError>;
    /// Whether this sender already sent a message with this id to this room
    /// (within `CLIENT_MSG_ID_TTL`, across reconnects).
    async fn has_client_msg(
        &self,
        room: &RoomName,
        sender: &UserName,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError>;
    /// Stores a message durably; with a `clientMsgId`, at most once per
    /// sender and room.
    async fn put_message(&self, msg: &Message) -> Result<PutOutcome, StoreError>;
    /// Up to `limit` of the newest messages strictly older than `before`.
    async fn messages_before(
        &self,
        room: &RoomName,
        before: Option<&MessageKey>,
        limit: usize,
    ) -> Result<HistoryPage, StoreError>;
    /// Connections stored before `cutoff_ms`, for a gateway that knows which
    /// are live to sweep the rest. Stores whose rows expire by themselves
    /// (DynamoDB's TTL) need not list anything.
    async fn connections_before(&self, _cutoff_ms: i64) -> Result<Vec<Connection>, StoreError> {
        Ok(Vec::new())
    }
    /// Adds a translation made later (history read in a new language).
    async fn put_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        translation: &Translation,
    ) -> Result<(), StoreError>;
    /// Keeps one call of the REST API as history, under its own partition
    /// per UTC day (`store::keys::rest_translation_key`). Records are
    /// never rewritten: each call has a fresh id.
    async fn put_rest_translation(&self, record: &TranslationRecord) -> Result<(), StoreError>;
    /// Up to `limit` of the REST API's records of one UTC day, newest first.
    async fn rest_translations(
        &self,
        day: NaiveDate,
        limit: usize,
    ) -> Result<Vec<TranslationRecord>, StoreError>;
}

/// Why an engine did not translate. Each maps to a PROTOCOL.md code carried in
/// the `message` frame; the original text is delivered either way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    #[error("the engine cannot translate {from} to {to}")]
    UnsupportedPair {
        from: &'static str,
        to: &'static str,
    },
    #[error("translation failed: {0}")]
    Failed(String),
    #[error("translation engine unavailable: {0}")]
    Unavailable(String),
    /// Translation is switched off (`--translator none`): not a failure.
    #[error("translation is switched off")]
    Disabled,
}

impl TranslateError {
    /// The code for the `error` field of a `message` frame, if any.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Self::UnsupportedPair { .. } => Some("unsupported_language_pair"),
            Self::Failed(_) => Some("translation_failed"),
            Self::Unavailable(_) => Some("translation_unavailable"),
            Self::Disabled => None,
        }
    }
}

/// A translation engine.
#[async_trait]
pub trait Translator: Send + Sync {
    /// Translates `text` from one language to another (never equal).
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError>;

    /// Detects the language of `text`; `None` when the engine cannot.
    async fn detect(&self, _text: &str) -> Option<Lang> {
        None
    }
}

/// Why a post to one connection failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The connection no longer exists (HTTP 410): its rows can go.
    #[error("connection is gone")]
    Gone,
    #[error("payload too large")]
    PayloadTooLarge,
    /// Throttled (`LimitExceededException`): worth another try shortly.
    #[error("throttled")]
    Throttled,
    #[error("push failed: {0}")]
    Other(String),
}

/// Delivery of one frame to one connection (`PostToConnection`).
#[async_trait]
pub trait Push: Send + Sync {
    async fn post(&self, to: &ConnectionId, frame: &str) -> Result<(), PushError>;

    /// Ends a connection (`DeleteConnection`). Gateways that can send a
    /// close code use `code`; API Gateway cannot and closes it its own way.
    async fn close(
        &self,
        _to: &ConnectionId,
        _code: u16,
        _reason: &'static str,
    ) -> Result<(), PushError> {
        Ok(())
    }
}

/// One slice of a message's fan-out: one rendered frame for some of its
/// recipients. Big rooms hand these to a fan-out worker through a
/// [`Queue`] (SQS on AWS, a channel locally) instead of posting inside
/// the `translate` invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FanoutBatch {
    /// `{message id}#{n}`: names the batch, so a redelivered batch can be
    /// told from a new one and never posts twice to one connection.
    pub id: String,
    pub room: RoomName,
    /// The frame, encoded once for every recipient of this batch.
    pub frame: String,
    pub to: Vec<ConnectionId>,
}

/// Why batches could not be queued; the message is then posted directly.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("fan-out queue: {0}")]
    Backend(String),
}

/// Hands fan-out batches to a worker (`SendMessageBatch` on SQS).
#[async_trait]
pub trait Queue: Send + Sync {
    /// Returns once the queue holds every batch (or fails as a whole).
    async fn enqueue(&self, batches: Vec<FanoutBatch>) -> Result<(), QueueError>;
}
