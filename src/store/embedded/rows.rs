//! The rows of the single table as the embedded stores keep them: JSON
//! values under `(pk, sk)`, with the same fields the DynamoDB store writes
//! as attributes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::WriteTx;
use crate::limits::MAX_ITEM_BYTES;
use crate::model::{
    Author, ClientTag, Connection, ConnectionId, Lang, Message, MessageKey, RoomName, Translation,
    UserName,
};
use crate::ports::StoreError;
use crate::store::{keys, now_s};

/// `CONN#{id}` / `META`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ConnectionRow {
    #[serde(flatten)]
    pub conn: Connection,
    pub ttl: i64,
}

/// `ROOM#{room}` / `MEMBER#…`.
#[derive(Debug, Serialize, Deserialize)]
pub struct MemberRow {
    pub lang: Lang,
    pub name: UserName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<ClientTag>,
    pub ttl: i64,
}

/// A counter item: a few named whole numbers.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CounterRow {
    pub fields: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
}

/// `ROOM#{room}` / `TR#{lang}#…`; `by` when it is a reader's correction.
#[derive(Debug, Serialize, Deserialize)]
pub struct TranslationRow {
    #[serde(flatten)]
    pub translation: Translation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Author>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
}

/// `ROOM#{room}` / `CMID#…`: the message a `clientMsgId` produced.
#[derive(Debug, Serialize, Deserialize)]
pub struct MarkerRow {
    pub message_sk: String,
    /// Epoch seconds after which the id may be used again.
    pub ttl: i64,
}

/// `ROOM#{room}` / `CORRINDEX`: the remembered corrections, oldest
/// first, as `(sourceHash, lang)`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct MemoryIndexRow {
    pub entries: Vec<(String, Lang)>,
}

/// `CONN#{id}` / `TYPING`.
#[derive(Debug, Serialize, Deserialize)]
pub struct TypingRow {
    pub at: i64,
    pub ttl: i64,
}

/// `INST#{instance}` / `CONN#{id}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct InstanceRow {
    pub ttl: i64,
}

/// `FANOUT#{batch}` / `META`.
#[derive(Debug, Serialize, Deserialize)]
pub struct DeliveryRow {
    /// `None`: done.
    pub remaining: Option<Vec<ConnectionId>>,
    pub ttl: i64,
}

/// Just the `ttl` of any row, to tell whether it has expired.
#[derive(Debug, Deserialize)]
pub struct TtlOnly {
    #[serde(default)]
    pub ttl: Option<i64>,
}

/// A row's bytes, refused past DynamoDB's item limit (names and values
/// counted, as DynamoDB counts them; JSON is a close measure).
pub fn encode<T: Serialize>(pk: &str, sk: &str, item: &T) -> Result<Vec<u8>, StoreError> {
    let bytes = serde_json::to_vec(item).map_err(|e| StoreError::caused("encoding a row", e))?;
    let size = pk.len() + sk.len() + bytes.len();
    if size > MAX_ITEM_BYTES {
        return Err(StoreError::ItemTooLarge {
            pk: pk.to_owned(),
            sk: sk.to_owned(),
            bytes: size,
        });
    }
    Ok(bytes)
}

pub fn decode<T: for<'de> Deserialize<'de>>(
    pk: &str,
    sk: &str,
    bytes: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        pk: pk.to_owned(),
        sk: sk.to_owned(),
        reason: e.to_string(),
    })
}

/// A stored message, unless it expired.
pub(super) fn read_message(
    get: Option<Vec<u8>>,
    pk: &str,
    sk: &str,
) -> Result<Option<Message>, StoreError> {
    let Some(bytes) = get else {
        return Ok(None);
    };
    let msg: Message = decode(pk, sk, &bytes)?;
    Ok(msg.ttl.is_none_or(|t| t >= now_s()).then_some(msg))
}

/// The live (not deleted) message at `key`, read for writing.
pub(super) fn live_message(
    tx: &dyn WriteTx,
    room: &RoomName,
    key: &MessageKey,
) -> Result<Option<Message>, StoreError> {
    let (pk, sk) = (keys::room_pk(room), keys::message_sk(key));
    Ok(read_message(tx.get(&pk, &sk)?, &pk, &sk)?.filter(|m| !m.is_deleted()))
}
