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
    /// Epoch seconds after which the id may be used again.
    #[serde(default = "never")]
    pub ttl: i64,
}

fn never() -> i64 {
    i64::MAX
}

/// The `ttl` of a `clientMsgId` marker for a message sent at `ts_ms`.
pub fn client_msg_ttl(ts_ms: i64) -> i64 {
    ts_ms / 1000 + crate::limits::CLIENT_MSG_ID_TTL.as_secs() as i64
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
