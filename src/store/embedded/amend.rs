//! v1.2 in the embedded stores: edits, deletes (a tombstone, every
//! translation gone), corrections with the room's bounded memory of them,
//! and the versioned glossary — each one transaction, so a condition
//! (the message still live, the glossary still at its version) holds for
//! everything written.

use std::collections::{BTreeMap, HashSet};

use async_trait::async_trait;

use super::cache::Kind;
use super::rows::{MemoryIndexRow, TranslationRow, decode, live_message, read_message};
use super::{Backend, EmbeddedStore, Query, ReadTx, WriteTx, put_row};
use crate::model::{
    Glossary, Lang, MemoryEntry, Message, MessageKey, Requote, RoomName, Translation,
};
use crate::ports::{Amend, StoreError, corrected_translation};
use crate::store::keys;

/// Every translation of a message goes: one key per language.
fn delete_translations(tx: &mut dyn WriteTx, pk: &str, key: &MessageKey) -> Result<(), StoreError> {
    for lang in Lang::all() {
        tx.delete(pk, &keys::embedded_translation_sk(lang, key))?;
    }
    Ok(())
}

fn edit_message(
    tx: &mut dyn WriteTx,
    room: &RoomName,
    key: &MessageKey,
    text: String,
    edited_at: i64,
    translations: BTreeMap<Lang, Translation>,
) -> Result<bool, StoreError> {
    let Some(mut msg) = live_message(tx, room, key)? else {
        return Ok(false);
    };
    let pk = keys::room_pk(room);
    msg.text = text;
    msg.edited_at = Some(edited_at);
    msg.translations.clear();
    put_row(tx, &pk, &keys::message_sk(key), &msg, msg.ttl)?;
    delete_translations(tx, &pk, key)?;
    for (lang, translation) in translations {
        super::history::put_translation(tx, room, key, lang, translation, msg.ttl)?;
    }
    Ok(true)
}

fn delete_message(
    tx: &mut dyn WriteTx,
    room: &RoomName,
    key: &MessageKey,
    deleted_at: i64,
) -> Result<bool, StoreError> {
    let Some(msg) = live_message(tx, room, key)? else {
        return Ok(false);
    };
    let pk = keys::room_pk(room);
    let tombstone = Message {
        text: String::new(),
        translations: BTreeMap::new(),
        corrected: BTreeMap::new(),
        reply_to: None,
        deleted_at: Some(deleted_at),
        ..msg
    };
    put_row(tx, &pk, &keys::message_sk(key), &tombstone, tombstone.ttl)?;
    delete_translations(tx, &pk, key)?;
    super::social::drop_tally(tx, &pk, key)?;
    Ok(true)
}

fn put_correction(
    tx: &mut dyn WriteTx,
    room: &RoomName,
    key: &MessageKey,
    entry: MemoryEntry,
    bound: usize,
) -> Result<bool, StoreError> {
    let Some(msg) = live_message(tx, room, key)? else {
        return Ok(false);
    };
    let pk = keys::room_pk(room);
    let (translation, by) = corrected_translation(&entry);
    let row = TranslationRow {
        translation,
        by: Some(by),
        ttl: msg.ttl,
    };
    // No expiry entry of its own: a translation goes with its message.
    put_row(
        tx,
        &pk,
        &keys::embedded_translation_sk(entry.lang, key),
        &row,
        None,
    )?;
    // The room's memory: this entry newest, the oldest past the bound gone.
    let mut index = match tx.get(&pk, keys::MEMORY_INDEX)? {
        Some(bytes) => decode::<MemoryIndexRow>(&pk, keys::MEMORY_INDEX, &bytes)?,
        None => MemoryIndexRow::default(),
    };
    let this = (entry.source.clone(), entry.lang);
    index.entries.retain(|e| *e != this);
    index.entries.push(this);
    let excess = index.entries.len().saturating_sub(bound);
    for (source, lang) in index.entries.drain(..excess) {
        tx.delete(&pk, &keys::memory_sk(&source, lang))?;
    }
    put_row(
        tx,
        &pk,
        &keys::memory_sk(&entry.source, entry.lang),
        &entry,
        None,
    )?;
    put_row(tx, &pk, keys::MEMORY_INDEX, &index, None)?;
    Ok(true)
}

fn recall(tx: &dyn ReadTx, room: &RoomName, source: &str) -> Result<Vec<MemoryEntry>, StoreError> {
    let pk = keys::room_pk(room);
    let prefix = keys::memory_prefix(source);
    let q = Query {
        prefix: &prefix,
        ..Query::default()
    };
    tx.query(&pk, &q)?
        .iter()
        .map(|(sk, bytes)| decode(&pk, sk, bytes))
        .collect()
}

/// The source texts the room's memory holds corrections of (its index).
fn memory_sources(tx: &dyn ReadTx, pk: &str) -> Result<HashSet<String>, StoreError> {
    Ok(match tx.get(pk, keys::MEMORY_INDEX)? {
        Some(bytes) => decode::<MemoryIndexRow>(pk, keys::MEMORY_INDEX, &bytes)?
            .entries
            .into_iter()
            .map(|(source, _)| source)
            .collect(),
        None => HashSet::new(),
    })
}

fn glossary(tx: &dyn ReadTx, room: &RoomName) -> Result<Glossary, StoreError> {
    let pk = keys::room_pk(room);
    match tx.get(&pk, keys::GLOSSARY)? {
        Some(bytes) => decode(&pk, keys::GLOSSARY, &bytes),
        None => Ok(Glossary::default()),
    }
}

fn put_glossary(
    tx: &mut dyn WriteTx,
    room: &RoomName,
    glossary: Glossary,
    expected: u64,
) -> Result<bool, StoreError> {
    let pk = keys::room_pk(room);
    let current = match tx.get(&pk, keys::GLOSSARY)? {
        Some(bytes) => decode::<Glossary>(&pk, keys::GLOSSARY, &bytes)?.version,
        None => 0,
    };
    if current != expected {
        return Ok(false);
    }
    put_row(tx, &pk, keys::GLOSSARY, &glossary, None)?;
    Ok(true)
}

#[async_trait]
impl<B: Backend> Amend for EmbeddedStore<B> {
    async fn get_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
    ) -> Result<Option<Message>, StoreError> {
        let (pk, sk) = (keys::room_pk(room), keys::message_sk(key));
        self.read(move |tx| read_message(tx.get(&pk, &sk)?, &pk, &sk))
            .await
    }

    async fn edit_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
        text: &str,
        edited_at: i64,
        translations: &BTreeMap<Lang, Translation>,
    ) -> Result<bool, StoreError> {
        let (room, key, text, translations) = (
            room.clone(),
            key.clone(),
            text.to_owned(),
            translations.clone(),
        );
        let done = {
            let (room, key, text) = (room.clone(), key.clone(), text.clone());
            self.write(move |tx| edit_message(tx, &room, &key, text, edited_at, translations))
                .await?
        };
        if done {
            self.requote(&room, &key, Requote::Edited(text)).await?;
        }
        Ok(done)
    }

    async fn delete_message(
        &self,
        room: &RoomName,
        key: &MessageKey,
        deleted_at: i64,
    ) -> Result<bool, StoreError> {
        let (room, key) = (room.clone(), key.clone());
        let done = {
            let (room, key) = (room.clone(), key.clone());
            self.write(move |tx| delete_message(tx, &room, &key, deleted_at))
                .await?
        };
        // Even when it was deleted already: a delete cut short earlier (or
        // a reply that raced it) leaves no quote of its text behind.
        self.drop_reactors(&room, &key).await?;
        self.requote(&room, &key, Requote::Deleted).await?;
        Ok(done)
    }

    async fn put_correction(
        &self,
        room: &RoomName,
        key: &MessageKey,
        entry: &MemoryEntry,
        bound: usize,
    ) -> Result<bool, StoreError> {
        let (room, key, entry) = (room.clone(), key.clone(), entry.clone());
        self.write(move |tx| put_correction(tx, &room, &key, entry, bound))
            .await
    }

    async fn recall(&self, room: &RoomName, source: &str) -> Result<Vec<MemoryEntry>, StoreError> {
        // Most texts were never corrected: the room's index (kept until the
        // room's memory changes) says so without a read.
        let pk = keys::room_pk(room);
        let p = pk.clone();
        let sources = self
            .kept(&pk, Kind::MemorySources, move |tx| memory_sources(tx, &p))
            .await?;
        if !sources.contains(source) {
            return Ok(Vec::new());
        }
        let (room, source) = (room.clone(), source.to_owned());
        self.read(move |tx| recall(tx, &room, &source)).await
    }

    async fn glossary(&self, room: &RoomName) -> Result<Glossary, StoreError> {
        let r = room.clone();
        let kept = self
            .kept(&keys::room_pk(room), Kind::Glossary, move |tx| {
                glossary(tx, &r)
            })
            .await?;
        Ok(kept.as_ref().clone())
    }

    async fn put_glossary(
        &self,
        room: &RoomName,
        glossary: &Glossary,
        expected: u64,
    ) -> Result<bool, StoreError> {
        let (room, glossary) = (room.clone(), glossary.clone());
        self.write(move |tx| put_glossary(tx, &room, glossary, expected))
            .await
    }
}
