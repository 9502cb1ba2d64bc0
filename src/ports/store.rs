//! The store port: connections, rooms, history, counters and fan-out
//! markers in one table (docs/ARCHITECTURE.md, "One table").

use std::collections::BTreeMap;
use std::error::Error as StdError;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::limits::MAX_ITEM_BYTES;
use crate::model::{
    Author, ClientMsgId, ClientTag, Connection, ConnectionId, Glossary, Lang, MemberKey,
    MembersPage, MemoryEntry, Message, MessageKey, RoomName, Translation, TranslationRecord,
};

type Source = Box<dyn StdError + Send + Sync>;

/// What a store can fail with. The core turns any of these into an
/// `internal` error frame; details stay in the logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend failed; `source` keeps its own error for the logs.
    #[error("store backend: {context}")]
    Backend {
        /// What the store was doing, in words.
        context: String,
        /// The backend's own error, if there was one.
        #[source]
        source: Option<Source>,
    },
    /// An item that does not read back as what was written; says which and why.
    #[error("corrupt item {pk}/{sk}: {reason}")]
    Corrupt {
        /// The item's partition key.
        pk: String,
        /// The item's sort key.
        sk: String,
        /// What did not parse.
        reason: String,
    },
    /// DynamoDB's 400 KB item limit, enforced by every store.
    #[error("item {pk}/{sk} would be {bytes} bytes; the limit is {MAX_ITEM_BYTES}")]
    ItemTooLarge {
        /// The item's partition key.
        pk: String,
        /// The item's sort key.
        sk: String,
        /// The size it would have had (DynamoDB's way of counting).
        bytes: usize,
    },
}

impl StoreError {
    /// A backend failure described in words only.
    pub fn backend(context: impl Into<String>) -> Self {
        Self::Backend {
            context: context.into(),
            source: None,
        }
    }

    /// A backend failure with the error that caused it.
    pub fn caused(
        context: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self::Backend {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }
}

/// Result of writing a message that may repeat a `clientMsgId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// Written.
    Stored,
    /// The sender already had a message with this `clientMsgId`.
    Duplicate,
}

/// Whether a connection got a place in its room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// In, and the room's member count after it came in.
    Admitted {
        /// The room's member count, this connection included.
        count: usize,
    },
    /// The room already holds its maximum; nothing was written.
    Full,
}

/// A connection that was deleted, and its room's count after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departure {
    /// The connection as it was stored.
    pub conn: Connection,
    /// Its room's member count after it left.
    pub count: usize,
}

/// Which page of history to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Only messages strictly older than this.
    pub before: Option<MessageKey>,
    /// At most this many messages.
    pub limit: usize,
    /// The reader's language: the translation into it comes with each
    /// message, when one was made.
    pub lang: Lang,
    /// Only messages from this time on (ms): retention.
    pub since_ms: i64,
}

/// One page of a room's history, oldest first.
#[derive(Debug, Clone, Default)]
pub struct HistoryPage {
    /// The messages, oldest first, each with the reader's translation if made.
    pub messages: Vec<Message>,
    /// Whether older messages exist before the first one returned.
    pub more: bool,
}

/// Where a fan-out batch stands (its delivery marker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Every recipient has it (or is gone).
    Done,
    /// These recipients still wait; the others have it.
    Remaining(Vec<ConnectionId>),
}

/// An atomic counter (`UpdateItem ADD` with a condition), named by what
/// it counts; the store knows its key. The window (hour, day) is part of
/// the key, so a past window's counter is never read again and its `ttl`
/// only cleans it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Counter {
    /// One sender's counts in the hour of `at` (fields chosen by the
    /// caller: messages per minute, characters).
    Sender {
        /// The sender: its client key, else its address, else its connection.
        who: String,
        /// Any time in the hour counted.
        at: DateTime<Utc>,
    },
    /// The whole deployment's characters on the UTC day of `at`.
    Budget {
        /// Any time in the day counted.
        at: DateTime<Utc>,
    },
}

/// One field of a counter to add to, refused if it would pass `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<'a> {
    /// The counter's field to add to.
    pub field: &'a str,
    /// How much to add.
    pub add: i64,
    /// The field's limit, if any: the add is refused past it.
    pub max: Option<i64>,
}

/// What an increment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tally {
    /// Every step applied: the values after, in step order.
    Counted(Vec<i64>),
    /// A step would pass its `max`: nothing changed. The values as they
    /// are, in step order (0 for a field not yet counted).
    Refused(Vec<i64>),
}

/// What v1.2 changes in a room's text (docs/ARCHITECTURE.md, "One
/// table"): edits, deletes, corrections and the room's memory of them,
/// the glossary. A supertrait of [`Store`], so every store has it and the
/// core reaches it through the same `dyn Store`.
#[async_trait]
pub trait Amend: Send + Sync {
    /// One message by its key, a tombstone included; `None` if there is
    /// none (or it expired).
    async fn get_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
    ) -> Result<Option<Message>, StoreError>;
    /// Replaces a live message's text (marked `edited_at`) and every
    /// translation of it with `translations`, and every reply quoting it
    /// then quotes the new text (in its language only: the translated
    /// snapshots go); `false` if it is gone or deleted (nothing written).
    async fn edit_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
        text: &str,
        edited_at: i64,
        translations: &BTreeMap<Lang, Translation>,
    ) -> Result<bool, StoreError>;
    /// Leaves a tombstone (who and when, no text) in a live message's
    /// place and deletes every translation of it, and every reply
    /// quoting it keeps the quote without its text (`deleted`); `false` if
    /// it was gone or deleted already — the translations and quotes are
    /// cleared even then, so repeating a delete finishes one.
    async fn delete_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
        deleted_at: i64,
    ) -> Result<bool, StoreError>;
    /// A reader's translation into `entry.lang`, by `entry.by`: it
    /// replaces the message's translation into that language, and the
    /// room remembers it (at most `bound` entries a room, the oldest
    /// going first). `false` if the message is gone or deleted.
    async fn put_correction(
        &self,
        room: &RoomName,
        key: &MessageKey,
        entry: &MemoryEntry,
        bound: usize,
    ) -> Result<bool, StoreError>;
    /// What the room remembers for a source text (a `source_hash`), in
    /// every language it was corrected into.
    async fn recall(&self, room: &RoomName, source: &str) -> Result<Vec<MemoryEntry>, StoreError>;
    /// The room glossary; version 0 and no terms when nobody saved one.
    async fn glossary(&self, room: &RoomName) -> Result<Glossary, StoreError>;
    /// Saves `glossary` (its `version` one more than `expected`) if the
    /// stored one is still at `expected`; `false` if it is not.
    async fn put_glossary(
        &self,
        room: &RoomName,
        glossary: &Glossary,
        expected: u64,
    ) -> Result<bool, StoreError>;
}

/// The translation a correction stands for, as history serves it.
pub fn corrected_translation(entry: &MemoryEntry) -> (Translation, Author) {
    (
        Translation {
            text: entry.text.clone(),
            engine: MEMORY_ENGINE.to_owned(),
            via: None,
        },
        entry.by.clone(),
    )
}

/// `engine` of a translation the room's memory gave (v1.2).
pub const MEMORY_ENGINE: &str = "memory";

/// Who left a room moments ago (v1.2): a member whose `client` comes back
/// within [`crate::limits::REJOIN_GRACE`] is `returning`, and nobody sees
/// it "join" again. Keyed by the client's tag in the room, never its key.
/// A supertrait of [`Store`].
#[async_trait]
pub trait Rejoins: Send + Sync {
    /// Notes that the member with `tag` left `room` at `at_ms`; the note
    /// expires [`crate::limits::REJOIN_GRACE`] later.
    async fn note_left(
        &self,
        room: &RoomName,
        tag: &ClientTag,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// When the member with `tag` last left `room`, while the note lasts.
    async fn left_at(&self, room: &RoomName, tag: &ClientTag) -> Result<Option<i64>, StoreError>;
}

/// Connections, rooms and history in one table.
#[async_trait]
pub trait Store: Amend + Rejoins + super::Social + Send + Sync {
    /// Writes the connection row and its member row, taking one place in
    /// its room unless the room already holds `max_members` (checked and
    /// counted atomically: concurrent joins cannot overfill a room).
    async fn put_connection(
        &self,
        conn: &Connection,
        max_members: usize,
    ) -> Result<Admission, StoreError>;
    /// The connection row, if it exists.
    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError>;
    /// Moves a connection to a new room, language or name. A new room is
    /// entered like [`Store::put_connection`] (its count in `Admitted`)
    /// and the old one left; otherwise the count is the room's.
    async fn update_connection(
        &self,
        old: &Connection,
        new: &Connection,
        max_members: usize,
    ) -> Result<Admission, StoreError>;
    /// Deletes every row of the connection and frees its place; returns
    /// what it was, if it existed (a second delete finds nothing).
    async fn delete_connection(&self, id: &ConnectionId) -> Result<Option<Departure>, StoreError>;
    /// How many members a room has: one item read, whatever its size.
    async fn room_count(&self, room: &RoomName) -> Result<usize, StoreError>;
    /// Up to `limit` live members, oldest first, after `after`.
    async fn room_members(
        &self,
        room: &RoomName,
        after: Option<&MemberKey>,
        limit: usize,
    ) -> Result<MembersPage, StoreError>;
    /// Records that the connection is typing at `now_ms`, unless it did
    /// less than `interval_ms` ago: whether this one counts.
    async fn touch_typing(
        &self,
        id: &ConnectionId,
        now_ms: i64,
        interval_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Connections held by one local gateway instance.
    async fn connections_of_instance(&self, instance: &str) -> Result<Vec<Connection>, StoreError>;
    /// Connections stored before `cutoff_ms`, for a gateway that knows which
    /// are live to sweep the rest. DynamoDB lists nothing: its rows expire
    /// by themselves and API Gateway always runs `$disconnect`.
    async fn connections_before(&self, cutoff_ms: i64) -> Result<Vec<Connection>, StoreError>;

    /// Whether `scope` (a sender: its client key, or its connection) used
    /// this `clientMsgId` in this room within `CLIENT_MSG_ID_TTL`.
    async fn has_client_msg(
        &self,
        room: &RoomName,
        scope: &str,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError>;
    /// Stores a message and each of its translations as items of their
    /// own (none can outgrow an item); with a `clientMsgId`, at most once
    /// per `scope` and room.
    async fn put_message(&self, msg: &Message, scope: &str) -> Result<PutOutcome, StoreError>;
    /// Up to `limit` of the newest messages the query names.
    async fn messages_before(
        &self,
        room: &RoomName,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, StoreError>;
    /// Adds a translation made later (history read in a new language);
    /// `ttl` is the message's. Nothing is kept when the message is gone or
    /// deleted, so no text comes back after a delete.
    async fn put_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        translation: &Translation,
        ttl: Option<i64>,
    ) -> Result<(), StoreError>;

    /// Adds to a counter atomically (see [`Counter`]).
    async fn increment(&self, counter: &Counter, steps: &[Step<'_>]) -> Result<Tally, StoreError>;

    /// A fan-out batch's delivery marker, if it was ever written.
    async fn delivery(&self, batch: &str) -> Result<Option<Delivery>, StoreError>;
    /// Writes a fan-out batch's delivery marker (replacing any earlier one).
    async fn put_delivery(&self, batch: &str, delivery: &Delivery) -> Result<(), StoreError>;

    /// Keeps one call of the REST API as history, under its own partition
    /// per UTC day (`store::keys::rest_translation_key`). Records are
    /// never rewritten: each call has a fresh id.
    async fn put_rest_translation(&self, record: &TranslationRecord) -> Result<(), StoreError>;
    /// Up to `limit` of the REST API's live records of one UTC day, newest
    /// first.
    async fn rest_translations(
        &self,
        day: NaiveDate,
        limit: usize,
    ) -> Result<Vec<TranslationRecord>, StoreError>;

    /// Deletes up to `max` rows whose `ttl` has passed; returns how many.
    /// DynamoDB's TTL does this by itself (0).
    async fn purge_expired(&self, now_s: i64, max: usize) -> Result<usize, StoreError>;
}
