//! v1.2's replies and reactions in the embedded stores. A toggle is one
//! write transaction — the message still live, the reactor's mark, the
//! message's tally — so concurrent toggles are serialized by the store.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::history;
use super::rows::live_message;
use super::rows::{TtlOnly, decode};
use super::{Backend, EmbeddedStore, Query, ReadTx, WriteTx, after, put_row};
use crate::model::{
    Author, Lang, MessageKey, Reaction, ReactionToggle, RoomName, Toggled, Translation,
    apply_reaction_toggle,
};
use crate::ports::{Social, StoreError};
use crate::store::{keys, now_s};

/// `ROOM#{room}` / `REACT#…`: a message's tally, first emoji first.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ReactionsRow {
    message_id: String,
    reactions: Vec<Reaction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ttl: Option<i64>,
}

/// `ROOM#{room}` / `REACTOR#…`: one reaction, for as long as it is on.
#[derive(Debug, Serialize, Deserialize)]
struct ReactorRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ttl: Option<i64>,
}

fn live(ttl: Option<i64>) -> bool {
    ttl.is_none_or(|t| t >= now_s())
}

fn toggle(
    tx: &mut dyn WriteTx,
    room: &RoomName,
    key: &MessageKey,
    t: &ReactionToggle,
    ttl: Option<i64>,
) -> Result<Toggled, StoreError> {
    if live_message(tx, room, key)?.is_none() {
        return Ok(Toggled::Gone);
    }
    let pk = keys::room_pk(room);
    let mark = keys::reactor_sk(key, &t.who, t.emoji.as_str());
    let was_on = match tx.get(&pk, &mark)? {
        Some(bytes) => live(decode::<TtlOnly>(&pk, &mark, &bytes)?.ttl),
        None => false,
    };
    let sk = keys::reactions_sk(key);
    let mut row = match tx.get(&pk, &sk)? {
        Some(bytes) => decode::<ReactionsRow>(&pk, &sk, &bytes)?,
        None => ReactionsRow::default(),
    };
    let done = apply_reaction_toggle(&mut row.reactions, t, was_on);
    let Toggled::Done { on, .. } = done else {
        return Ok(done);
    };
    if on {
        put_row(tx, &pk, &mark, &ReactorRow { ttl }, ttl)?;
    } else {
        tx.delete(&pk, &mark)?;
    }
    if row.reactions.is_empty() {
        tx.delete(&pk, &sk)?;
    } else {
        row.message_id = key.id.clone();
        row.ttl = ttl;
        put_row(tx, &pk, &sk, &row, ttl)?;
    }
    Ok(done)
}

/// A deleted message's tally goes with its tombstone (same transaction).
pub(super) fn drop_tally(
    tx: &mut dyn WriteTx,
    pk: &str,
    key: &MessageKey,
) -> Result<(), StoreError> {
    tx.delete(pk, &keys::reactions_sk(key))
}

impl<B: Backend> EmbeddedStore<B> {
    /// Then its marks: read, then deleted. None can be added between,
    /// since a toggle needs the message live and it is a tombstone now.
    pub(super) async fn drop_reactors(
        &self,
        room: &RoomName,
        key: &MessageKey,
    ) -> Result<(), StoreError> {
        let (pk, prefix) = (keys::room_pk(room), keys::reactor_prefix(key));
        let marks = {
            let (pk, prefix) = (pk.clone(), prefix.clone());
            self.read(move |tx| {
                let q = Query {
                    prefix: &prefix,
                    ..Query::default()
                };
                tx.query(&pk, &q)
            })
            .await?
        };
        if marks.is_empty() {
            return Ok(());
        }
        self.write(move |tx| {
            for (sk, _) in marks {
                tx.delete(&pk, &sk)?;
            }
            Ok(())
        })
        .await
    }
}

fn reactions(
    tx: &dyn ReadTx,
    room: &RoomName,
    first: &MessageKey,
    last: &MessageKey,
) -> Result<BTreeMap<String, Vec<Reaction>>, StoreError> {
    let pk = keys::room_pk(room);
    let (from, to) = (keys::reactions_sk(first), after(&keys::reactions_sk(last)));
    let rows = tx.query(
        &pk,
        &Query {
            prefix: keys::REACTIONS_PREFIX,
            from: Some(&from),
            to: Some(&to),
            ..Query::default()
        },
    )?;
    let mut out = BTreeMap::new();
    for (sk, bytes) in rows {
        let row: ReactionsRow = decode(&pk, &sk, &bytes)?;
        if live(row.ttl) && !row.reactions.is_empty() {
            out.insert(row.message_id, row.reactions);
        }
    }
    Ok(out)
}

fn translations_of(
    tx: &dyn ReadTx,
    room: &RoomName,
    key: &MessageKey,
    langs: &[Lang],
) -> Result<BTreeMap<Lang, (Translation, Option<Author>)>, StoreError> {
    let pk = keys::room_pk(room);
    let mut out = BTreeMap::new();
    for lang in langs {
        if let Some(row) = history::translation(tx, &pk, key, *lang, now_s())? {
            out.insert(*lang, (row.translation, row.by));
        }
    }
    Ok(out)
}

#[async_trait]
impl<B: Backend> Social for EmbeddedStore<B> {
    async fn translations_of(
        &self,
        room: &RoomName,
        key: &MessageKey,
        langs: &[Lang],
    ) -> Result<BTreeMap<Lang, (Translation, Option<Author>)>, StoreError> {
        let (room, key, langs) = (room.clone(), key.clone(), langs.to_vec());
        self.read(move |tx| translations_of(tx, &room, &key, &langs))
            .await
    }

    async fn toggle_reaction(
        &self,
        room: &RoomName,
        key: &MessageKey,
        t: &ReactionToggle,
        ttl: Option<i64>,
    ) -> Result<Toggled, StoreError> {
        let (room, key, t) = (room.clone(), key.clone(), t.clone());
        self.write(move |tx| toggle(tx, &room, &key, &t, ttl)).await
    }

    async fn reactions(
        &self,
        room: &RoomName,
        first: &MessageKey,
        last: &MessageKey,
    ) -> Result<BTreeMap<String, Vec<Reaction>>, StoreError> {
        let (room, first, last) = (room.clone(), first.clone(), last.clone());
        self.read(move |tx| reactions(tx, &room, &first, &last))
            .await
    }
}
