//! [`Hooked`]: any store with a [`StoreHook`] around every call — the one
//! forwarding wrapper, so counting (metrics, the cost bench) and fault
//! injection (tests) never forward the port's methods by hand.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::model::{
    Author, ClientMsgId, ClientTag, Connection, ConnectionId, Glossary, Lang, MemberKey,
    MembersPage, MemoryEntry, Message, MessageKey, Reaction, ReactionToggle, RoomName, Toggled,
    Translation, TranslationRecord,
};
use crate::ports::{
    Admission, Amend, Counter, Delivery, Departure, HistoryPage, HistoryQuery, PutOutcome, Rejoins,
    Social, Step, Store, StoreError, Tally,
};

/// Which store call is being made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreOp {
    /// [`Store::put_connection`].
    PutConnection,
    /// [`Store::get_connection`].
    GetConnection,
    /// [`Store::update_connection`].
    UpdateConnection,
    /// [`Store::delete_connection`].
    DeleteConnection,
    /// [`Store::room_count`].
    RoomCount,
    /// [`Store::room_members`].
    RoomMembers,
    /// [`Store::touch_typing`].
    TouchTyping,
    /// [`Store::connections_of_instance`].
    ConnectionsOfInstance,
    /// [`Store::connections_before`].
    ConnectionsBefore,
    /// [`Store::has_client_msg`].
    HasClientMsg,
    /// [`Store::put_message`].
    PutMessage,
    /// [`Store::messages_before`].
    MessagesBefore,
    /// [`Store::put_translation`].
    PutTranslation,
    /// A sender's counter.
    IncrementSender,
    /// The daily budget.
    IncrementBudget,
    /// [`Store::delivery`].
    Delivery,
    /// [`Store::put_delivery`].
    PutDelivery,
    /// [`Store::put_rest_translation`].
    PutRestTranslation,
    /// [`Store::rest_translations`].
    RestTranslations,
    /// [`Store::purge_expired`].
    PurgeExpired,
    /// `get_message`.
    GetMessage,
    /// `edit_message`.
    EditMessage,
    /// `delete_message`.
    DeleteMessage,
    /// `put_correction`.
    PutCorrection,
    /// `recall`.
    Recall,
    /// `glossary`.
    Glossary,
    /// `put_glossary`.
    PutGlossary,
    /// `translations_of` (v1.2: a reply's quote).
    TranslationsOf,
    /// `toggle_reaction`.
    ToggleReaction,
    /// `reactions`.
    Reactions,
    /// `note_left`.
    NoteLeft,
    /// `left_at`.
    LeftAt,
}

/// How a call ended, as far as a hook cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The call succeeded (and is none of the cases below).
    Ok,
    /// `put_message` found the `clientMsgId` already used.
    Duplicate,
    /// `increment` counted: the first field's value after.
    Counted(i64),
    /// `increment` refused: a limit was reached.
    Refused,
    /// The call returned an error.
    Failed,
}

/// What runs around each call of a [`Hooked`] store.
pub trait StoreHook: Send + Sync {
    /// Before the call; an error is returned instead of making it.
    fn before(&self, op: StoreOp) -> Result<(), StoreError>;
    /// After the call, with how it ended.
    fn after(&self, op: StoreOp, outcome: Outcome);
}

/// A store whose every call passes through `hook`.
pub struct Hooked<H> {
    inner: Arc<dyn Store>,
    hook: H,
}

impl<H: StoreHook> Hooked<H> {
    /// Wraps `inner`, calling `hook` around each of its calls.
    pub fn new(inner: Arc<dyn Store>, hook: H) -> Self {
        Self { inner, hook }
    }

    /// The hook, to read what it gathered.
    pub fn hook(&self) -> &H {
        &self.hook
    }

    fn done<T>(&self, op: StoreOp, result: Result<T, StoreError>) -> Result<T, StoreError> {
        let outcome = if result.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Failed
        };
        self.hook.after(op, outcome);
        result
    }
}

#[async_trait]
impl<H: StoreHook> Store for Hooked<H> {
    async fn put_connection(&self, c: &Connection, max: usize) -> Result<Admission, StoreError> {
        self.hook.before(StoreOp::PutConnection)?;
        let r = self.inner.put_connection(c, max).await;
        self.done(StoreOp::PutConnection, r)
    }

    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.hook.before(StoreOp::GetConnection)?;
        let r = self.inner.get_connection(id).await;
        self.done(StoreOp::GetConnection, r)
    }

    async fn update_connection(
        &self,
        old: &Connection,
        new: &Connection,
        max: usize,
    ) -> Result<Admission, StoreError> {
        self.hook.before(StoreOp::UpdateConnection)?;
        let r = self.inner.update_connection(old, new, max).await;
        self.done(StoreOp::UpdateConnection, r)
    }

    async fn delete_connection(&self, id: &ConnectionId) -> Result<Option<Departure>, StoreError> {
        self.hook.before(StoreOp::DeleteConnection)?;
        let r = self.inner.delete_connection(id).await;
        self.done(StoreOp::DeleteConnection, r)
    }

    async fn room_count(&self, room: &RoomName) -> Result<usize, StoreError> {
        self.hook.before(StoreOp::RoomCount)?;
        let r = self.inner.room_count(room).await;
        self.done(StoreOp::RoomCount, r)
    }

    async fn room_members(
        &self,
        room: &RoomName,
        after: Option<&MemberKey>,
        limit: usize,
    ) -> Result<MembersPage, StoreError> {
        self.hook.before(StoreOp::RoomMembers)?;
        let r = self.inner.room_members(room, after, limit).await;
        self.done(StoreOp::RoomMembers, r)
    }

    async fn touch_typing(
        &self,
        id: &ConnectionId,
        now_ms: i64,
        interval_ms: i64,
    ) -> Result<bool, StoreError> {
        self.hook.before(StoreOp::TouchTyping)?;
        let r = self.inner.touch_typing(id, now_ms, interval_ms).await;
        self.done(StoreOp::TouchTyping, r)
    }

    async fn connections_of_instance(&self, i: &str) -> Result<Vec<Connection>, StoreError> {
        self.hook.before(StoreOp::ConnectionsOfInstance)?;
        let r = self.inner.connections_of_instance(i).await;
        self.done(StoreOp::ConnectionsOfInstance, r)
    }

    async fn connections_before(&self, cutoff_ms: i64) -> Result<Vec<Connection>, StoreError> {
        self.hook.before(StoreOp::ConnectionsBefore)?;
        let r = self.inner.connections_before(cutoff_ms).await;
        self.done(StoreOp::ConnectionsBefore, r)
    }

    async fn has_client_msg(
        &self,
        room: &RoomName,
        scope: &str,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError> {
        self.hook.before(StoreOp::HasClientMsg)?;
        let r = self.inner.has_client_msg(room, scope, id).await;
        self.done(StoreOp::HasClientMsg, r)
    }

    async fn put_message(&self, msg: &Message, scope: &str) -> Result<PutOutcome, StoreError> {
        self.hook.before(StoreOp::PutMessage)?;
        let r = self.inner.put_message(msg, scope).await;
        let outcome = match &r {
            Ok(PutOutcome::Stored) => Outcome::Ok,
            Ok(PutOutcome::Duplicate) => Outcome::Duplicate,
            Err(_) => Outcome::Failed,
        };
        self.hook.after(StoreOp::PutMessage, outcome);
        r
    }

    async fn messages_before(
        &self,
        room: &RoomName,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, StoreError> {
        self.hook.before(StoreOp::MessagesBefore)?;
        let r = self.inner.messages_before(room, query).await;
        self.done(StoreOp::MessagesBefore, r)
    }

    async fn put_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        t: &Translation,
        ttl: Option<i64>,
    ) -> Result<(), StoreError> {
        self.hook.before(StoreOp::PutTranslation)?;
        let r = self.inner.put_translation(room, key, lang, t, ttl).await;
        self.done(StoreOp::PutTranslation, r)
    }

    async fn increment(&self, counter: &Counter, steps: &[Step<'_>]) -> Result<Tally, StoreError> {
        let op = match counter {
            Counter::Sender { .. } => StoreOp::IncrementSender,
            Counter::Budget { .. } => StoreOp::IncrementBudget,
        };
        self.hook.before(op)?;
        let r = self.inner.increment(counter, steps).await;
        let outcome = match &r {
            Ok(Tally::Counted(v)) => Outcome::Counted(v.first().copied().unwrap_or(0)),
            Ok(Tally::Refused(_)) => Outcome::Refused,
            Err(_) => Outcome::Failed,
        };
        self.hook.after(op, outcome);
        r
    }

    async fn delivery(&self, batch: &str) -> Result<Option<Delivery>, StoreError> {
        self.hook.before(StoreOp::Delivery)?;
        let r = self.inner.delivery(batch).await;
        self.done(StoreOp::Delivery, r)
    }

    async fn put_delivery(&self, batch: &str, d: &Delivery) -> Result<(), StoreError> {
        self.hook.before(StoreOp::PutDelivery)?;
        let r = self.inner.put_delivery(batch, d).await;
        self.done(StoreOp::PutDelivery, r)
    }

    async fn put_rest_translation(&self, record: &TranslationRecord) -> Result<(), StoreError> {
        self.hook.before(StoreOp::PutRestTranslation)?;
        let r = self.inner.put_rest_translation(record).await;
        self.done(StoreOp::PutRestTranslation, r)
    }

    async fn rest_translations(
        &self,
        day: NaiveDate,
        limit: usize,
    ) -> Result<Vec<TranslationRecord>, StoreError> {
        self.hook.before(StoreOp::RestTranslations)?;
        let r = self.inner.rest_translations(day, limit).await;
        self.done(StoreOp::RestTranslations, r)
    }

    async fn purge_expired(&self, now_s: i64, max: usize) -> Result<usize, StoreError> {
        self.hook.before(StoreOp::PurgeExpired)?;
        let r = self.inner.purge_expired(now_s, max).await;
        self.done(StoreOp::PurgeExpired, r)
    }
}

#[async_trait]
impl<H: StoreHook> Rejoins for Hooked<H> {
    async fn note_left(
        &self,
        room: &RoomName,
        tag: &ClientTag,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.hook.before(StoreOp::NoteLeft)?;
        let r = self.inner.note_left(room, tag, at_ms).await;
        self.done(StoreOp::NoteLeft, r)
    }

    async fn left_at(&self, room: &RoomName, tag: &ClientTag) -> Result<Option<i64>, StoreError> {
        self.hook.before(StoreOp::LeftAt)?;
        let r = self.inner.left_at(room, tag).await;
        self.done(StoreOp::LeftAt, r)
    }
}

#[async_trait]
impl<H: StoreHook> Amend for Hooked<H> {
    async fn get_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
    ) -> Result<Option<Message>, StoreError> {
        self.hook.before(StoreOp::GetMessage)?;
        let r = self.inner.get_message(room, key).await;
        self.done(StoreOp::GetMessage, r)
    }

    async fn edit_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
        text: &str,
        edited_at: i64,
        translations: &BTreeMap<Lang, Translation>,
    ) -> Result<bool, StoreError> {
        self.hook.before(StoreOp::EditMessage)?;
        let r = self
            .inner
            .edit_message(room, key, text, edited_at, translations)
            .await;
        self.done(StoreOp::EditMessage, r)
    }

    async fn delete_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
        deleted_at: i64,
    ) -> Result<bool, StoreError> {
        self.hook.before(StoreOp::DeleteMessage)?;
        let r = self.inner.delete_message(room, key, deleted_at).await;
        self.done(StoreOp::DeleteMessage, r)
    }

    async fn put_correction(
        &self,
        room: &RoomName,
        key: &MessageKey,
        entry: &MemoryEntry,
        bound: usize,
    ) -> Result<bool, StoreError> {
        self.hook.before(StoreOp::PutCorrection)?;
        let r = self.inner.put_correction(room, key, entry, bound).await;
        self.done(StoreOp::PutCorrection, r)
    }

    async fn recall(&self, room: &RoomName, source: &str) -> Result<Vec<MemoryEntry>, StoreError> {
        self.hook.before(StoreOp::Recall)?;
        let r = self.inner.recall(room, source).await;
        self.done(StoreOp::Recall, r)
    }

    async fn glossary(&self, room: &RoomName) -> Result<Glossary, StoreError> {
        self.hook.before(StoreOp::Glossary)?;
        let r = self.inner.glossary(room).await;
        self.done(StoreOp::Glossary, r)
    }

    async fn put_glossary(
        &self,
        room: &RoomName,
        glossary: &Glossary,
        expected: u64,
    ) -> Result<bool, StoreError> {
        self.hook.before(StoreOp::PutGlossary)?;
        let r = self.inner.put_glossary(room, glossary, expected).await;
        self.done(StoreOp::PutGlossary, r)
    }
}

#[async_trait]
impl<H: StoreHook> Social for Hooked<H> {
    async fn translations_of(
        &self,
        room: &RoomName,
        key: &MessageKey,
        langs: &[Lang],
    ) -> Result<BTreeMap<Lang, (Translation, Option<Author>)>, StoreError> {
        self.hook.before(StoreOp::TranslationsOf)?;
        let r = self.inner.translations_of(room, key, langs).await;
        self.done(StoreOp::TranslationsOf, r)
    }

    async fn toggle_reaction(
        &self,
        room: &RoomName,
        key: &MessageKey,
        toggle: &ReactionToggle,
        ttl: Option<i64>,
    ) -> Result<Toggled, StoreError> {
        self.hook.before(StoreOp::ToggleReaction)?;
        let r = self.inner.toggle_reaction(room, key, toggle, ttl).await;
        self.done(StoreOp::ToggleReaction, r)
    }

    async fn reactions(
        &self,
        room: &RoomName,
        first: &MessageKey,
        last: &MessageKey,
    ) -> Result<BTreeMap<String, Vec<Reaction>>, StoreError> {
        self.hook.before(StoreOp::Reactions)?;
        let r = self.inner.reactions(room, first, last).await;
        self.done(StoreOp::Reactions, r)
    }
}
