//! The rows of the single table as they are stored (JSON in the embedded
//! stores; the DynamoDB store maps the same fields to attributes).

use serde::{Deserialize, Serialize};

use crate::model::{Connection, Lang, Message, UserName};
use crate::ports::StoreError;

/// `CONN#{id}` / `META`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ConnectionItem {
    #[serde(flatten)]
    pub conn: Connection,
    pub ttl: i64,
}

/// `ROOM#{room}` / `CONN#{id}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct MemberItem {
    pub lang: Lang,
    pub name: UserName,
    pub ttl: i64,
}

/// `CONN#{id}` / `CMID#{clientMsgId}`: the message it produced.
#[derive(Debug, Serialize, Deserialize)]
pub struct ClientMsgItem {
    pub message_sk: String,
}

/// `ROOM#{room}` / `MSG#{ts}#{id}`.
pub type MessageItem = Message;

pub fn encode<T: Serialize>(item: &T) -> Vec<u8> {
    serde_json::to_vec(item).expect("store items always serialize")
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

/// Epoch seconds, to compare with `ttl`.
pub fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}
