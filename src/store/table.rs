//! The store logic over any sorted key-value backend holding the single
//! table: written once, so the memory and redb stores cannot drift apart.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;

use super::items::{
    ClientMsgItem, ConnectionItem, MemberItem, MessageItem, client_msg_ttl, decode, encode, now_s,
};
use super::keys;
use crate::model::{
    ClientMsgId, Connection, ConnectionId, Lang, Member, Message, MessageKey, RoomName,
    Translation, TranslationRecord, UserName,
};
use crate::ports::{HistoryPage, PutOutcome, Store, StoreError};

/// Which rows of one partition a query returns.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    /// Sort keys must start with this.
    pub prefix: &'a str,
    /// Sort keys must be strictly below this.
    pub below: Option<&'a str>,
    /// Newest (highest key) first.
    pub reverse: bool,
    pub limit: Option<usize>,
}

pub type Row = (String, Vec<u8>);

/// Reads inside one transaction.
pub trait ReadTx {
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn query(&self, pk: &str, q: &Query<'_>) -> Result<Vec<Row>, StoreError>;
    /// Rows with sort key `sk` in every partition whose key starts with
    /// `pk_prefix` (a scan: for maintenance, never on a request's path).
    fn scan(&self, pk_prefix: &str, sk: &str) -> Result<Vec<Row>, StoreError>;
}

/// Reads and writes inside one transaction; all or nothing.
pub trait WriteTx: ReadTx {
    fn put(&mut self, pk: &str, sk: &str, value: &[u8]) -> Result<(), StoreError>;
    fn delete(&mut self, pk: &str, sk: &str) -> Result<(), StoreError>;
}

/// A sorted key-value store of `(pk, sk) → bytes` with transactions.
pub trait Backend: Send + Sync + 'static {
    /// Whether calls block on disk and so belong on the blocking pool.
    const BLOCKING: bool;
    fn read<R>(
        &self,
        f: impl FnOnce(&dyn ReadTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError>;
    fn write<R>(
        &self,
        f: impl FnOnce(&mut dyn WriteTx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError>;
}

/// The upper bound of all keys starting with `prefix`.
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

/// [`Store`] over a [`Backend`].
pub struct TableStore<B> {
    backend: Arc<B>,
}

impl<B: Backend> TableStore<B> {
    pub fn new(backend: B) -> Self {
        Self {
            backend: Arc::new(backend),
        }
    }

    async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&B) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        if B::BLOCKING {
            let backend = self.backend.clone();
            tokio::task::spawn_blocking(move || f(&backend))
                .await
                .map_err(|e| StoreError::Backend(format!("store task: {e}")))?
        } else {
            f(&self.backend)
        }
    }
}

fn get_connection(tx: &dyn ReadTx, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
    let pk = keys::connection_pk(id);
    match tx.get(&pk, keys::META)? {
        Some(bytes) => {
            let item: ConnectionItem = decode(&pk, keys::META, &bytes)?;
            Ok((item.ttl >= now_s()).then_some(item.conn))
        }
        None => Ok(None),
    }
}

/// Whether a live `clientMsgId` marker is at `pk`/`sk`.
fn client_msg_used(tx: &dyn ReadTx, pk: &str, sk: &str) -> Result<bool, StoreError> {
    match tx.get(pk, sk)? {
        Some(bytes) => Ok(decode::<ClientMsgItem>(pk, sk, &bytes)?.ttl >= now_s()),
        None => Ok(false),
    }
}

fn put_member(tx: &mut dyn WriteTx, conn: &Connection) -> Result<(), StoreError> {
    let item = MemberItem {
        lang: conn.lang,
        name: conn.name.clone(),
        ttl: conn.ttl(),
    };
    tx.put(
        &keys::room_pk(&conn.room),
        &keys::member_sk(&conn.id),
        &encode(&item),
    )
}

fn put_meta(tx: &mut dyn WriteTx, conn: &Connection) -> Result<(), StoreError> {
    let item = ConnectionItem {
        conn: conn.clone(),
        ttl: conn.ttl(),
    };
    tx.put(&keys::connection_pk(&conn.id), keys::META, &encode(&item))
}

#[async_trait]
impl<B: Backend> Store for TableStore<B> {
    async fn put_connection(&self, conn: &Connection) -> Result<(), StoreError> {
        let conn = conn.clone();
        self.run(move |b| {
            b.write(|tx| {
                put_meta(tx, &conn)?;
                put_member(tx, &conn)
            })
        })
        .await
    }

    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        let id = id.clone();
        self.run(move |b| b.read(|tx| get_connection(tx, &id)))
            .await
    }

    async fn update_connection(
        &self,
        old: &Connection,
        new: &Connection,
    ) -> Result<(), StoreError> {
        let (old, new) = (old.clone(), new.clone());
        self.run(move |b| {
            b.write(|tx| {
                put_meta(tx, &new)?;
                if old.room != new.room {
                    tx.delete(&keys::room_pk(&old.room), &keys::member_sk(&old.id))?;
                }
                put_member(tx, &new)
            })
        })
        .await
    }

    async fn delete_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        let id = id.clone();
        self.run(move |b| {
            b.write(|tx| {
                let pk = keys::connection_pk(&id);
                let meta = match tx.get(&pk, keys::META)? {
                    Some(bytes) => Some(decode::<ConnectionItem>(&pk, keys::META, &bytes)?.conn),
                    None => None,
                };
                for (sk, _) in tx.query(&pk, &Query::default())? {
                    tx.delete(&pk, &sk)?;
                }
                if let Some(conn) = &meta {
                    tx.delete(&keys::room_pk(&conn.room), &keys::member_sk(&conn.id))?;
                }
                Ok(meta)
            })
        })
        .await
    }

    async fn room_members(&self, room: &RoomName) -> Result<Vec<Member>, StoreError> {
        let room = room.clone();
        self.run(move |b| {
            b.read(|tx| {
                let pk = keys::room_pk(&room);
                let q = Query {
                    prefix: keys::MEMBER_PREFIX,
                    ..Query::default()
                };
                let now = now_s();
                let mut members = Vec::new();
                for (sk, bytes) in tx.query(&pk, &q)? {
                    let item: MemberItem = decode(&pk, &sk, &bytes)?;
                    if item.ttl >= now {
                        members.push(Member {
                            connection_id: ConnectionId::new(&sk[keys::MEMBER_PREFIX.len()..]),
                            name: item.name,
                            lang: item.lang,
                        });
                    }
                }
                Ok(members)
            })
        })
        .await
    }

    async fn connections_before(&self, cutoff_ms: i64) -> Result<Vec<Connection>, StoreError> {
        self.run(move |b| {
            b.read(|tx| {
                let mut out = Vec::new();
                for (pk, bytes) in tx.scan(keys::CONNECTION_PREFIX, keys::META)? {
                    let item: ConnectionItem = decode(&pk, keys::META, &bytes)?;
                    if item.conn.connected_at < cutoff_ms {
                        out.push(item.conn);
                    }
                }
                Ok(out)
            })
        })
        .await
    }

    async fn has_client_msg(
        &self,
        room: &RoomName,
        sender: &UserName,
        id: &ClientMsgId,
    ) -> Result<bool, StoreError> {
        let (pk, sk) = keys::client_msg_key(room, sender, id);
        self.run(move |b| b.read(|tx| client_msg_used(tx, &pk, &sk)))
            .await
    }

    async fn put_message(&self, msg: &Message) -> Result<PutOutcome, StoreError> {
        let msg = msg.clone();
        self.run(move |b| {
            b.write(|tx| {
                let msg_sk = keys::message_sk(&msg.key());
                if let Some(cmid) = &msg.client_msg_id {
                    let (pk, sk) = keys::client_msg_key(&msg.room, &msg.from_name, cmid);
                    if client_msg_used(tx, &pk, &sk)? {
                        return Ok(PutOutcome::Duplicate);
                    }
                    let marker = ClientMsgItem {
                        message_sk: msg_sk.clone(),
                        ttl: client_msg_ttl(msg.ts),
                    };
                    tx.put(&pk, &sk, &encode(&marker))?;
                }
                tx.put(
                    &keys::room_pk(&msg.room),
                    &msg_sk,
                    &encode::<MessageItem>(&msg),
                )?;
                Ok(PutOutcome::Stored)
            })
        })
        .await
    }

    async fn messages_before(
        &self,
        room: &RoomName,
        before: Option<&MessageKey>,
        limit: usize,
    ) -> Result<HistoryPage, StoreError> {
        let pk = keys::room_pk(room);
        let below = before.map(keys::message_sk);
        self.run(move |b| {
            b.read(|tx| {
                let q = Query {
                    prefix: keys::MESSAGE_PREFIX,
                    below: below.as_deref(),
                    reverse: true,
                    limit: Some(limit + 1),
                };
                let mut rows = tx.query(&pk, &q)?;
                let more = rows.len() > limit;
                rows.truncate(limit);
                let mut messages = rows
                    .iter()
                    .map(|(sk, bytes)| decode::<MessageItem>(&pk, sk, bytes))
                    .collect::<Result<Vec<_>, _>>()?;
                messages.reverse();
                Ok(HistoryPage { messages, more })
            })
        })
        .await
    }

    async fn put_translation(
        &self,
        room: &RoomName,
        key: &MessageKey,
        lang: Lang,
        translation: &Translation,
    ) -> Result<(), StoreError> {
        let (pk, sk) = (keys::room_pk(room), keys::message_sk(key));
        let translation = translation.clone();
        self.run(move |b| {
            b.write(|tx| {
                let Some(bytes) = tx.get(&pk, &sk)? else {
                    return Ok(());
                };
                let mut msg: MessageItem = decode(&pk, &sk, &bytes)?;
                msg.translations.insert(lang, translation);
                tx.put(&pk, &sk, &encode(&msg))
            })
        })
        .await
    }

    async fn put_rest_translation(&self, record: &TranslationRecord) -> Result<(), StoreError> {
        let (pk, sk) = keys::rest_translation_key(record);
        let bytes = encode(record);
        self.run(move |b| b.write(|tx| tx.put(&pk, &sk, &bytes)))
            .await
    }

    async fn rest_translations(
        &self,
        day: NaiveDate,
        limit: usize,
    ) -> Result<Vec<TranslationRecord>, StoreError> {
        let pk = keys::rest_day_pk(day);
        self.run(move |b| {
            b.read(|tx| {
                // The day's partition holds nothing else: no prefix needed.
                let q = Query {
                    reverse: true,
                    limit: Some(limit),
                    ..Query::default()
                };
                tx.query(&pk, &q)?
                    .iter()
                    .map(|(sk, bytes)| decode(&pk, sk, bytes))
                    .collect()
            })
        })
        .await
    }
}
