//! The embedded stores: the single table over any sorted key-value
//! [`Backend`] with transactions, written once so the memory and redb
//! stores cannot drift apart.
//!
//! - `rows.rs`: the rows as JSON values.
//! - `rooms.rs`: connections, members, the room count, typing marks.
//! - `members.rs`: rooms' members, decoded and paged.
//! - `cache.rs`: what the message path reads of a room (members,
//!   glossary, memory) and of a connection, kept until it changes.
//! - `history.rs`: messages, their translations, `clientMsgId` marks.
//! - `upkeep.rs`: counters, fan-out markers, REST records, expiry.
//! - `counters.rs`: the counters counted in memory, written behind.
//! - `amend.rs`: v1.2's edits, deletes, corrections, room memory, glossary.
//! - `social.rs`: v1.2's reply quotes and reactions.
//! - `quotes.rs`: a deleted message's text leaves the replies quoting it.
//! - `memory.rs`, `redb/`: the two backends (redb with its journals and
//!   checkpoints); `layout.rs`: the table layout version and its upgrade;
//!   `overlay.rs`: a write's changes kept aside until it succeeds.
//!
//! Rows with a `ttl` are also listed in an expiry index (`EXP` /
//! `{ttl}\x01{pk}\x01{sk}`), so deleting what has expired reads only that
//! (DynamoDB's TTL does the same job on AWS).

mod amend;
mod cache;
mod counters;
mod history;
#[cfg(feature = "local")]
mod layout;
mod members;
mod memory;
mod overlay;
mod quotes;
#[cfg(feature = "local")]
mod redb;
mod rejoins;
mod rooms;
mod rows;
mod social;
mod upkeep;

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::Serialize;

use self::cache::{Kind, RoomCache, Watched};
use self::counters::Counters;
pub use self::memory::MemoryStore;
pub use self::overlay::Overlay;
#[cfg(feature = "local")]
pub use self::redb::RedbStore;
use crate::model::{
    ClientMsgId, Connection, ConnectionId, Lang, MemberKey, MembersPage, Message, MessageKey,
    RoomName, Translation, TranslationRecord,
};
use crate::ports::{
    Admission, Counter, Delivery, Departure, HistoryPage, HistoryQuery, PutOutcome, Step, Store,
    StoreError, Tally,
};

/// Which rows of one partition a query returns.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    /// Sort keys must start with this.
    pub prefix: &'a str,
    /// Sort keys must be at or above this.
    pub from: Option<&'a str>,
    /// Sort keys must be strictly below this.
    pub to: Option<&'a str>,
    /// Highest key first.
    pub reverse: bool,
    pub limit: Option<usize>,
}

/// `(sort key, value)`, or `(partition key, value)` from a scan.
pub type Row = (String, Vec<u8>);

/// Reads inside one transaction.
pub trait ReadTx {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn query(&self, pk: &str, q: &Query<'_>) -> Result<Vec<Row>, StoreError>;
    /// Rows with sort key `sk` in every partition whose key starts with
    /// `pk_prefix` (a scan: for maintenance, never on a request's path).
    fn scan(&self, pk_prefix: &str, sk: &str) -> Result<Vec<Row>, StoreError>;
    /// Every row `(pk, sk, value)` of the table (for [`EmbeddedStore::dump`]).
    fn all(&self) -> Result<Vec<(String, String, Vec<u8>)>, StoreError>;
}

/// Point reads and writes inside one write transaction; all or nothing.
pub trait WriteTx {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn put(&mut self, pk: &str, sk: &str, value: Vec<u8>) -> Result<(), StoreError>;
    fn delete(&mut self, pk: &str, sk: &str) -> Result<(), StoreError>;
}

/// One write transaction's work.
pub type WriteFn<R> = Box<dyn FnOnce(&mut dyn WriteTx) -> Result<R, StoreError> + Send>;

/// A sorted key-value store of `(pk, sk) → bytes` with transactions.
pub trait Backend: Send + Sync + 'static {
    /// Whether reads block on disk and so belong on the blocking pool.
    const BLOCKING_READS: bool;
    fn read<R>(
        &self,
        f: impl FnOnce(&dyn ReadTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError>;
    /// Runs `f` in a write transaction; done once it is durable.
    fn write<R: Send + 'static>(
        &self,
        f: WriteFn<R>,
    ) -> impl Future<Output = Result<R, StoreError>> + Send;
    /// Runs `f` in the next write transaction, and is done once `f` has
    /// run there, before that transaction is durable. For the limits'
    /// counters: their answer decides whether a message may go, and
    /// acknowledges nothing to anyone, so a message need not wait for a
    /// commit of its own for each of them. Should that commit fail, its
    /// steps are lost: a limit then under-counts by one group's steps, and
    /// nothing acknowledged is lost. By default the same as [`write`].
    ///
    /// [`write`]: Backend::write
    fn write_early<R: Send + 'static>(
        &self,
        f: WriteFn<R>,
    ) -> impl Future<Output = Result<R, StoreError>> + Send {
        self.write(f)
    }
    /// Queues `f` for the next write transaction, after every write
    /// queued before it, and returns at once (nobody waits for it; a
    /// failure is logged). For the counters, counted in memory.
    fn write_later(&self, f: WriteFn<()>);
}

use crate::store::keys;
pub use crate::store::keys::prefix_end;

/// The smallest key after `key`: turns an inclusive bound exclusive.
fn after(key: &str) -> String {
    format!("{key}\u{0}")
}

/// Partition of the expiry index.
const EXPIRY_PK: &str = "EXP";

fn expiry_sk(ttl: i64, pk: &str, sk: &str) -> String {
    format!("{ttl:011}\u{1}{pk}\u{1}{sk}")
}

/// Writes a row (refused past the item limit) and, with a `ttl`, its
/// entry in the expiry index.
fn put_row<T: Serialize>(
    tx: &mut dyn WriteTx,
    pk: &str,
    sk: &str,
    row: &T,
    ttl: Option<i64>,
) -> Result<(), StoreError> {
    tx.put(pk, sk, rows::encode(pk, sk, row)?)?;
    if let Some(ttl) = ttl {
        tx.put(EXPIRY_PK, &expiry_sk(ttl, pk, sk), Vec::new())?;
    }
    Ok(())
}

/// [`Store`] over a [`Backend`]: [`MemoryStore`] and `RedbStore`.
pub struct EmbeddedStore<B> {
    backend: Arc<B>,
    cache: Arc<RoomCache>,
    counters: Counters,
}

impl<B: Backend> EmbeddedStore<B> {
    /// A store on `backend`, with an empty cache.
    pub fn new(backend: B) -> Self {
        Self {
            backend: Arc::new(backend),
            cache: Arc::default(),
            counters: Counters::default(),
        }
    }

    /// Every row `(pk, sk, value)`, for tests that must prove something
    /// is gone from the store (never on a request's path).
    pub async fn dump(&self) -> Result<Vec<(String, String, Vec<u8>)>, StoreError> {
        self.read(|tx| tx.all()).await
    }

    /// What `read` gives for partition `pk`, kept as `kind` until a write
    /// changes that partition's kept rows (see `cache.rs`).
    async fn kept<T: Send + Sync + 'static>(
        &self,
        pk: &str,
        kind: Kind,
        read: impl FnOnce(&dyn ReadTx) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<Arc<T>, StoreError> {
        if let Some(value) = self.cache.get::<T>(pk, kind) {
            return Ok(value);
        }
        let ticket = self.cache.ticket();
        let value = Arc::new(self.read(read).await?);
        self.cache.put(pk, kind, ticket, value.clone());
        Ok(value)
    }

    async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn ReadTx) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        if B::BLOCKING_READS {
            let backend = self.backend.clone();
            tokio::task::spawn_blocking(move || backend.read(f))
                .await
                .map_err(|e| StoreError::caused("store task", e))?
        } else {
            self.backend.read(f)
        }
    }

    async fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn WriteTx) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let cache = self.cache.clone();
        let watched = move |tx: &mut dyn WriteTx| {
            let mut tx = Watched::new(tx);
            let result = f(&mut tx)?;
            Ok((result, tx.changed(&cache)))
        };
        // The second half, dropped here or (if this future is) wherever the
        // result ends up, after the commit, lets go of stale entries.
        let (result, _changed) = self.backend.write(Box::new(watched)).await?;
        Ok(result)
    }
}

impl<B: Backend> EmbeddedStore<B> {
    /// A room that looks full loses its stale member rows (a lost
    /// `$disconnect`), each with its place; whether any went.
    async fn reap_stale(&self, room: &RoomName) -> Result<bool, StoreError> {
        let r = room.clone();
        let stale = self.read(move |tx| rooms::stale_members(tx, &r)).await?;
        if stale.is_empty() {
            return Ok(false);
        }
        tracing::warn!(
            room = room.as_str(),
            stale = stale.len(),
            "stale members reaped"
        );
        let r = room.clone();
        self.write(move |tx| rooms::reap(tx, &r, &stale)).await?;
        Ok(true)
    }
}

#[async_trait]
impl<B: Backend> Store for EmbeddedStore<B> {
    async fn put_connection(
        &self,
        conn: &Connection,
        max_members: usize,
    ) -> Result<Admission, StoreError> {
        let c = conn.clone();
        let first = self
            .write(move |tx| rooms::put_connection(tx, &c, max_members))
            .await?;
        if first == Admission::Full && self.reap_stale(&conn.room).await? {
            let c = conn.clone();
            return self
                .write(move |tx| rooms::put_connection(tx, &c, max_members))
                .await;
        }
        Ok(first)
    }

    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        let pk = keys::connection_pk(id);
        let i = id.clone();
        let row = self
            .kept(&pk, Kind::Connection, move |tx| {
                rooms::connection_row(tx, &i)
            })
            .await?;
        Ok(row
            .as_ref()
            .as_ref()
            .filter(|(_, ttl)| *ttl >= crate::store::now_s())
            .map(|(conn, _)| conn.clone()))
    }

    async fn update_connection(
        &self,
        old: &Connection,
        new: &Connection,
        max_members: usize,
    ) -> Result<Admission, StoreError> {
        let (o, n) = (old.clone(), new.clone());
        let first = self
            .write(move |tx| rooms::update_connection(tx, &o, &n, max_members))
            .await?;
        if first == Admission::Full && self.reap_stale(&new.room).await? {
            let (o, n) = (old.clone(), new.clone());
            return self
                .write(move |tx| rooms::update_connection(tx, &o, &n, max_members))
                .await;
        }
        Ok(first)
    }

    async fn delete_connection(&self, id: &ConnectionId) -> Result<Option<Departure>, StoreError> {
        let id = id.clone();
        self.write(move |tx| rooms::delete_connection(tx, &id))
            .await
    }

    async fn room_count(&self, room: &RoomName) -> Result<usize, StoreError> {
        let room = room.clone();
        self.read(move |tx| rooms::room_count(tx, &room)).await
    }

    async fn room_members(
        &self,
        room: &RoomName,
        after: Option<&MemberKey>,
        limit: usize,
    ) -> Result<MembersPage, StoreError> {
        let pk = keys::room_pk(room);
        let p = pk.clone();
        let list = self
            .kept(&pk, Kind::Members, move |tx| members::read_all(tx, &p))
            .await?;
        Ok(members::page(&list, after, limit, crate::store::now_s()))
    }

    async fn touch_typing(
        &self,
        id: &ConnectionId,
        now_ms: i64,
        interval_ms: i64,
    ) -> Result<bool, StoreError> {
        let id = id.clone();
        self.write(move |tx| rooms::touch_typing(tx, &id, now_ms, interval_ms))
            .await
    }

    async fn connections_of_instance(&self, instance: &str) -> Result<Vec<Connection>, StoreError> {
        let instance = instance.to_owned();
        self.read(move |tx| rooms::connections_of_instance(tx, &instance))
            .await
    }

    async fn connections_before(&self, cutoff_ms: i64) -> Result<Vec<Connection>, StoreError> {
        self.read(move |tx| rooms::connections_before(tx, cutoff_ms))
            .await
    }

    async fn has_client_msg(
        &self,
        room: &RoomName,
        scope: &str,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError> {
        let (room, scope, id) = (room.clone(), scope.to_owned(), id.clone());
        self.read(move |tx| history::has_client_msg(tx, &room, &scope, &id))
            .await
    }

    async fn put_message(&self, msg: &Message, scope: &str) -> Result<PutOutcome, StoreError> {
        let (msg, scope) = (msg.clone(), scope.to_owned());
        self.write(move |tx| history::put_message(tx, &msg, &scope))
            .await
    }

    async fn messages_before(
        &self,
        room: &RoomName,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, StoreError> {
        let (room, query) = (room.clone(), query.clone());
        self.read(move |tx| history::messages_before(tx, &room, &query))
            .await
    }

    async fn put_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        translation: &Translation,
        ttl: Option<i64>,
    ) -> Result<(), StoreError> {
        let (room, key, translation) = (room.clone(), key.clone(), translation.clone());
        // Nothing is kept for a message deleted (or gone) meanwhile.
        self.write(move |tx| {
            if rows::live_message(&*tx, &room, &key)?.is_none() {
                return Ok(());
            }
            history::put_translation(tx, &room, &key, lang, translation, ttl)
        })
        .await
    }

    async fn increment(&self, counter: &Counter, steps: &[Step<'_>]) -> Result<Tally, StoreError> {
        let counter = counter.clone();
        let steps: Vec<(String, i64, Option<i64>)> = steps
            .iter()
            .map(|s| (s.field.to_owned(), s.add, s.max))
            .collect();
        // Counters touch no kept rows: no cache to watch.
        self.count(&counter, &steps).await
    }

    async fn delivery(&self, batch: &str) -> Result<Option<Delivery>, StoreError> {
        let batch = batch.to_owned();
        self.read(move |tx| upkeep::delivery(tx, &batch)).await
    }

    async fn put_delivery(&self, batch: &str, delivery: &Delivery) -> Result<(), StoreError> {
        let (batch, delivery) = (batch.to_owned(), delivery.clone());
        self.write(move |tx| upkeep::put_delivery(tx, &batch, &delivery))
            .await
    }

    async fn put_rest_translation(&self, record: &TranslationRecord) -> Result<(), StoreError> {
        let record = record.clone();
        self.write(move |tx| upkeep::put_rest_translation(tx, &record))
            .await
    }

    async fn rest_translations(
        &self,
        day: NaiveDate,
        limit: usize,
    ) -> Result<Vec<TranslationRecord>, StoreError> {
        self.read(move |tx| upkeep::rest_translations(tx, day, limit))
            .await
    }

    async fn purge_expired(&self, now_s: i64, max: usize) -> Result<usize, StoreError> {
        let due = self.read(move |tx| upkeep::expired(tx, now_s, max)).await?;
        if due.is_empty() {
            return Ok(0);
        }
        self.write(move |tx| upkeep::purge(tx, due, now_s)).await
    }
}
