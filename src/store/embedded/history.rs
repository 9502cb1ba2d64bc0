//! Messages in the embedded stores: the message row, one row per
//! translation (all of a message's together), and `clientMsgId` marks,
//! written in one transaction; history pages read a time range of
//! messages, then each one's translation by key.

use super::rows::{MarkerRow, TranslationRow, decode};
use super::{Query, ReadTx, WriteTx, put_row};
use crate::model::{ClientMsgId, Lang, Message, MessageKey, RoomName, Translation};
use crate::ports::{HistoryPage, HistoryQuery, PutOutcome, StoreError};
use crate::store::{client_msg_ttl, keys, now_s};

/// Whether a live `clientMsgId` marker is at `pk`/`sk`.
fn marker_live(get: Option<Vec<u8>>, pk: &str, sk: &str) -> Result<bool, StoreError> {
    match get {
        Some(bytes) => Ok(decode::<MarkerRow>(pk, sk, &bytes)?.ttl >= now_s()),
        None => Ok(false),
    }
}

pub fn has_client_msg(
    tx: &dyn ReadTx,
    room: &RoomName,
    scope: &str,
    id: &ClientMsgId,
) -> Result<bool, StoreError> {
    let (pk, sk) = keys::client_msg_key(room, scope, id);
    marker_live(tx.get(&pk, &sk)?, &pk, &sk)
}

pub fn put_message(
    tx: &mut dyn WriteTx,
    msg: &Message,
    scope: &str,
) -> Result<PutOutcome, StoreError> {
    let key = msg.key();
    let msg_sk = keys::message_sk(&key);
    if let Some(cmid) = &msg.client_msg_id {
        let (pk, sk) = keys::client_msg_key(&msg.room, scope, cmid);
        if marker_live(tx.get(&pk, &sk)?, &pk, &sk)? {
            return Ok(PutOutcome::Duplicate);
        }
        let marker = MarkerRow {
            message_sk: msg_sk.clone(),
            ttl: client_msg_ttl(msg.ts),
        };
        put_row(tx, &pk, &sk, &marker, Some(marker.ttl))?;
    }
    let pk = keys::room_pk(&msg.room);
    let bare = Message {
        translations: Default::default(),
        ..msg.clone()
    };
    put_row(tx, &pk, &msg_sk, &bare, msg.ttl)?;
    for (lang, translation) in &msg.translations {
        put_translation(tx, &msg.room, &key, *lang, translation.clone(), msg.ttl)?;
    }
    Ok(PutOutcome::Stored)
}

pub fn put_translation(
    tx: &mut dyn WriteTx,
    room: &RoomName,
    key: &MessageKey,
    lang: Lang,
    translation: Translation,
    ttl: Option<i64>,
) -> Result<(), StoreError> {
    let row = TranslationRow {
        translation,
        by: None,
        ttl,
    };
    // No expiry entry of its own: a translation goes with its message.
    put_row(
        tx,
        &keys::room_pk(room),
        &keys::embedded_translation_sk(lang, key),
        &row,
        None,
    )
}

/// A message's live translation into `lang`, if it has one.
pub fn translation(
    tx: &dyn ReadTx,
    pk: &str,
    key: &MessageKey,
    lang: Lang,
    now: i64,
) -> Result<Option<TranslationRow>, StoreError> {
    let sk = keys::embedded_translation_sk(lang, key);
    let Some(bytes) = tx.get(pk, &sk)? else {
        return Ok(None);
    };
    let row: TranslationRow = decode(pk, &sk, &bytes)?;
    Ok(live(row.ttl, now).then_some(row))
}

fn live(ttl: Option<i64>, now: i64) -> bool {
    ttl.is_none_or(|t| t >= now)
}

pub fn messages_before(
    tx: &dyn ReadTx,
    room: &RoomName,
    q: &HistoryQuery,
) -> Result<HistoryPage, StoreError> {
    let pk = keys::room_pk(room);
    let now = now_s();
    let since = keys::message_sk(&MessageKey {
        ts: q.since_ms.max(0),
        id: String::new(),
    });
    let mut to = q.before.as_ref().map(keys::message_sk);
    let want = q.limit.saturating_add(1);
    let mut messages: Vec<Message> = Vec::new();
    // Newest first; expired ones (a retention that was shorter when they
    // were written) are skipped.
    loop {
        let query = Query {
            prefix: keys::MESSAGE_PREFIX,
            from: Some(&since),
            to: to.as_deref(),
            reverse: true,
            limit: Some(want - messages.len()),
        };
        let rows = tx.query(&pk, &query)?;
        let exhausted = rows.len() < want - messages.len();
        for (sk, bytes) in &rows {
            let msg: Message = decode(&pk, sk, bytes)?;
            if live(msg.ttl, now) {
                messages.push(msg);
            }
        }
        to = rows.last().map(|(sk, _)| sk.clone());
        if exhausted || messages.len() >= want {
            break;
        }
    }
    let more = messages.len() > q.limit;
    messages.truncate(q.limit);
    messages.reverse();
    attach_translations(tx, &pk, &mut messages, q.lang, now)?;
    Ok(HistoryPage { messages, more })
}

/// The page's translations into `lang`: one lookup per message, each
/// beside its message's other translations.
fn attach_translations(
    tx: &dyn ReadTx,
    pk: &str,
    messages: &mut [Message],
    lang: Lang,
    now: i64,
) -> Result<(), StoreError> {
    for msg in messages {
        // Translations kept inside the message by earlier versions count too.
        msg.translations.retain(|l, _| *l == lang);
        if let Some(row) = translation(tx, pk, &msg.key(), lang, now)? {
            msg.translations.insert(lang, row.translation);
            if let Some(by) = row.by {
                msg.corrected.insert(lang, by);
            }
        }
    }
    Ok(())
}
