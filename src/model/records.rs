//! What the store keeps: connections and their room membership, messages
//! with their translations, and the REST API's records.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    Author, ClientKey, ClientMsgId, ClientTag, ConnectionId, Lang, Quote, RoomName, UserName,
};
use crate::limits::{MAX_CONNECTION_DURATION, TTL_MARGIN};

/// A live connection: who is where, speaking what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The gateway's connection id.
    pub id: ConnectionId,
    /// The room it is in.
    pub room: RoomName,
    /// The language it reads and writes in.
    pub lang: Lang,
    /// Its display name.
    pub name: UserName,
    /// Milliseconds since the epoch.
    pub connected_at: i64,
    /// When it entered its current room (ms): members are listed oldest
    /// first.
    pub joined_at: i64,
    /// The derived key of the `client` it connected with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientKey>,
    /// The peer's address (`identity.sourceIp`), to key limits by when
    /// there is no `client`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// The local gateway instance holding the socket (local mode only), so
    /// a restart can remove what its crashed predecessor left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// It came in with an admin token (`honyaku token --admin`): it may
    /// change the room glossary when tokens are required.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub admin: bool,
}

impl Connection {
    /// Epoch seconds after which the rows of this connection are stale (the
    /// DynamoDB `ttl` attribute).
    pub fn ttl(&self) -> i64 {
        self.connected_at / 1000 + (MAX_CONNECTION_DURATION + TTL_MARGIN).as_secs() as i64
    }

    /// `from.tag` in its current room.
    pub fn tag(&self) -> Option<ClientTag> {
        self.client.as_ref().map(|c| c.tag(&self.room))
    }

    /// Its row in its room's member list.
    pub fn member(&self) -> Member {
        Member {
            connection_id: self.id.clone(),
            name: self.name.clone(),
            lang: self.lang,
            tag: self.tag(),
            joined_at: self.joined_at,
        }
    }
}

/// One member of a room, as the room's member rows hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The member's connection.
    pub connection_id: ConnectionId,
    /// Display name.
    pub name: UserName,
    /// Language it reads in.
    pub lang: Lang,
    /// `from.tag` in this room, when it connected with `client`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<ClientTag>,
    /// When it entered the room (ms since the epoch).
    pub joined_at: i64,
}

impl Member {
    /// Where it sits in the room's member list (oldest first).
    pub fn key(&self) -> MemberKey {
        MemberKey {
            joined_at: self.joined_at,
            id: self.connection_id.clone(),
        }
    }
}

/// A member's place in its room's list: join time, then connection id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MemberKey {
    /// When the member entered the room (ms since the epoch).
    pub joined_at: i64,
    /// Its connection, which breaks ties.
    pub id: ConnectionId,
}

/// One page of a room's members, oldest first, and its size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembersPage {
    /// The members on this page, oldest first.
    pub members: Vec<Member>,
    /// Where the next page starts, when there is one.
    pub next: Option<MemberKey>,
}

/// A translation kept with its message, so nobody pays for it twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    /// The translated text.
    pub text: String,
    /// What translated it (`amazon-translate`, `apertium`, `pseudo`).
    pub engine: String,
    /// The language a pivot translation went through (en→es→pt), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Lang>,
}

/// Where a message sits in its room's history: its sort key parts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MessageKey {
    /// Server time of sending (ms since the epoch).
    pub ts: i64,
    /// The message id, which breaks ties.
    pub id: String,
}

/// A chat message with the translations at hand (all of them when it is
/// sent; the reader's one when it comes back from history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Unique and sortable by time (a ULID).
    pub id: String,
    /// The room it was sent to.
    pub room: RoomName,
    /// Server time of sending (ms since the epoch).
    pub ts: i64,
    /// The sender's display name at the time.
    pub from_name: UserName,
    /// The sending connection.
    pub from_connection: ConnectionId,
    /// The sender's tag in this room, when it connected with `client`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_tag: Option<ClientTag>,
    /// The language it was written in (the detected one for `auto`).
    pub source_lang: Lang,
    /// The text as written.
    pub text: String,
    /// Translations by target language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<Lang, Translation>,
    /// The sender's `clientMsgId`, echoed on its own copy only.
    pub client_msg_id: Option<ClientMsgId>,
    /// Epoch seconds after which it is deleted (retention); `None` keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    /// The sender's `client` key, so that only it may edit or delete the
    /// message (never sent to anyone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_client: Option<ClientKey>,
    /// When the text was last edited (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<i64>,
    /// When it was deleted (ms): a tombstone, its text and every
    /// translation gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    /// Who corrected the translation into each language (of those at hand).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub corrected: BTreeMap<Lang, Author>,
    /// v1.2: the message it replies to, quoted as it read then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Quote>,
}

impl MessageKey {
    /// The key of the message with this id: a ULID, whose time part is
    /// the message's `ts` (the routes make them so).
    pub fn from_id(id: &str) -> Result<Self, super::InvalidInput> {
        let ulid = ulid::Ulid::from_string(id).map_err(|_| {
            super::InvalidInput::BadRequest("id must be a message id (26 characters)".into())
        })?;
        Ok(Self {
            ts: i64::try_from(ulid.timestamp_ms()).unwrap_or(i64::MAX),
            id: id.to_owned(),
        })
    }
}

impl Message {
    /// Whether it is a tombstone.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// Its place in the room's history.
    pub fn key(&self) -> MessageKey {
        MessageKey {
            ts: self.ts,
            id: self.id.clone(),
        }
    }
}

/// One call of the REST API (`POST /translate`), kept as its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationRecord {
    /// A ULID: unique, sortable by time.
    pub id: String,
    /// Server time in milliseconds since the epoch.
    pub ts: i64,
    /// The language translated from (detected, when the call said `auto`).
    pub source_lang: Lang,
    /// The language asked for.
    pub target_lang: Lang,
    /// The text as sent (trimmed).
    pub text: String,
    /// The translation (the text itself when the languages are the same).
    pub translated_text: String,
    /// What translated it; `None` when source and target were the same
    /// language and the text came back as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// Epoch seconds after which it is deleted (retention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
}

#[cfg(test)]
impl TranslationRecord {
    /// "Hello" → "Hola" on 2025-11-26, with no engine and no expiry: what
    /// the key and item tests start from.
    pub(crate) fn sample() -> Self {
        Self {
            id: "01JD".into(),
            ts: 1_764_150_000_000,
            source_lang: Lang::EN,
            target_lang: Lang::parse("es").unwrap(),
            text: "Hello".into(),
            translated_text: "Hola".into(),
            engine: None,
            ttl: None,
        }
    }
}
