//! Domain types, parsed once at the edge so that the rest of the code never
//! sees an unchecked room, language, name or text ("parse, don't validate").
//! No I/O here.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::limits::{
    MAX_CLIENT_MSG_ID_CHARS, MAX_CONNECTION_DURATION, MAX_NAME_CHARS, MAX_ROOM_CHARS,
    MAX_TEXT_BYTES, TTL_MARGIN,
};

/// Why a value from the wire was refused; each maps to one protocol error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInput {
    #[error("{0}")]
    Room(String),
    #[error("{0}")]
    Lang(String),
    #[error("{0}")]
    Name(String),
    #[error("text is empty")]
    EmptyText,
    #[error("text is {bytes} bytes; the limit is {MAX_TEXT_BYTES}")]
    TextTooLong { bytes: usize },
    #[error("{0}")]
    BadRequest(String),
}

impl InvalidInput {
    /// The PROTOCOL.md error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Room(_) => "invalid_room",
            Self::Lang(_) => "invalid_lang",
            Self::Name(_) => "invalid_name",
            Self::EmptyText => "empty_text",
            Self::TextTooLong { .. } => "text_too_long",
            Self::BadRequest(_) => "bad_request",
        }
    }
}

/// A room name: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoomName(String);

impl RoomName {
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let n = s.chars().count();
        if n == 0 || n > MAX_ROOM_CHARS {
            return Err(InvalidInput::Room(format!(
                "room must be 1 to {MAX_ROOM_CHARS} characters; got {n}"
            )));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(InvalidInput::Room(
                "room may contain only A-Z, a-z, 0-9, _ and -".into(),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn lobby() -> Self {
        Self("lobby".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A language code from Amazon Translate's list (PROTOCOL.md "Languages").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Lang(&'static str);

// By hand: a derive would demand `'de: 'static` for the `&'static str`.
impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Lang::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Amazon Translate's language codes, the only ones the protocol accepts.
pub const LANGUAGES: &[&str] = &[
    "af", "sq", "am", "ar", "hy", "az", "bn", "bs", "bg", "ca", "zh", "zh-TW", "hr", "cs", "da",
    "fa-AF", "nl", "en", "et", "fa", "tl", "fi", "fr", "fr-CA", "ka", "de", "el", "gu", "ht", "ha",
    "he", "hi", "hu", "is", "id", "ga", "it", "ja", "kn", "kk", "ko", "lv", "lt", "mk", "ms", "ml",
    "mt", "mr", "mn", "no", "ps", "pl", "pt", "pt-PT", "pa", "ro", "ru", "sr", "si", "sk", "sl",
    "so", "es", "es-MX", "sw", "sv", "ta", "te", "th", "tr", "uk", "ur", "uz", "vi", "cy",
];

impl Lang {
    pub const EN: Lang = Lang("en");

    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        LANGUAGES
            .iter()
            .find(|code| **code == s)
            .map(|code| Lang(code))
            .ok_or_else(|| InvalidInput::Lang(format!("unknown language code {:?}", truncate(s))))
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

/// The source of a `translate`: a code, or `auto` (detect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceLang {
    Auto,
    Code(Lang),
}

impl SourceLang {
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        if s == "auto" {
            Ok(Self::Auto)
        } else {
            Lang::parse(s).map(Self::Code)
        }
    }
}

/// A display name: 1 to 32 Unicode characters after trimming, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserName(String);

impl UserName {
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let t = s.trim();
        let n = t.chars().count();
        if n == 0 || n > MAX_NAME_CHARS {
            return Err(InvalidInput::Name(format!(
                "name must be 1 to {MAX_NAME_CHARS} characters after trimming; got {n}"
            )));
        }
        if t.chars().any(char::is_control) {
            return Err(InvalidInput::Name(
                "name must not contain control characters".into(),
            ));
        }
        Ok(Self(t.to_owned()))
    }

    /// `guest-` and the first 4 characters of the connection id.
    pub fn guest(id: &ConnectionId) -> Self {
        let tag: String = id
            .as_str()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .take(4)
            .collect();
        Self(format!("guest-{tag}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Chat text: 1 to 10,000 UTF-8 bytes after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatText(String);

impl ChatText {
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let t = s.trim();
        if t.is_empty() {
            return Err(InvalidInput::EmptyText);
        }
        if t.len() > MAX_TEXT_BYTES {
            return Err(InvalidInput::TextTooLong { bytes: t.len() });
        }
        Ok(Self(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A client-chosen id echoed on the sender's copy: 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientMsgId(String);

impl ClientMsgId {
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let n = s.chars().count();
        if n == 0 || n > MAX_CLIENT_MSG_ID_CHARS {
            return Err(InvalidInput::BadRequest(format!(
                "clientMsgId must be 1 to {MAX_CLIENT_MSG_ID_CHARS} characters; got {n}"
            )));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The gateway's id of one WebSocket connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConnectionId(String);

impl ConnectionId {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A live connection: who is where, speaking what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: ConnectionId,
    pub room: RoomName,
    pub lang: Lang,
    pub name: UserName,
    /// Milliseconds since the epoch.
    pub connected_at: i64,
}

impl Connection {
    /// Epoch seconds after which the rows of this connection are stale (the
    /// DynamoDB `ttl` attribute).
    pub fn ttl(&self) -> i64 {
        self.connected_at / 1000 + (MAX_CONNECTION_DURATION + TTL_MARGIN).as_secs() as i64
    }

    pub fn member(&self) -> Member {
        Member {
            connection_id: self.id.clone(),
            name: self.name.clone(),
            lang: self.lang,
        }
    }
}

/// One member of a room, as the room's member rows hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub connection_id: ConnectionId,
    pub name: UserName,
    pub lang: Lang,
}

/// A translation kept with its message, so nobody pays for it twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    pub text: String,
    pub engine: String,
    /// The language a pivot translation went through (en→es→pt), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Lang>,
}

/// Where a message sits in its room's history: its sort key parts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MessageKey {
    pub ts: i64,
    pub id: String,
}

/// A stored chat message with every translation made so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub room: RoomName,
    pub ts: i64,
    pub from_name: UserName,
    pub from_connection: ConnectionId,
    pub source_lang: Lang,
    pub text: String,
    pub translations: BTreeMap<Lang, Translation>,
    pub client_msg_id: Option<ClientMsgId>,
}

impl Message {
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
    pub target_lang: Lang,
    pub text: String,
    pub translated_text: String,
    /// What translated it; `None` when source and target were the same
    /// language and the text came back as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
}

impl TryFrom<String> for RoomName {
    type Error = InvalidInput;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<RoomName> for String {
    fn from(v: RoomName) -> Self {
        v.0
    }
}
impl From<Lang> for String {
    fn from(v: Lang) -> Self {
        v.0.to_owned()
    }
}
impl TryFrom<String> for UserName {
    type Error = InvalidInput;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<UserName> for String {
    fn from(v: UserName) -> Self {
        v.0
    }
}

/// Keeps error messages short when echoing bad input.
fn truncate(s: &str) -> String {
    s.chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_limits() {
        assert!(RoomName::parse(&"a".repeat(64)).is_ok());
        assert_eq!(
            RoomName::parse(&"a".repeat(65)).unwrap_err().code(),
            "invalid_room"
        );
        assert_eq!(RoomName::parse("").unwrap_err().code(), "invalid_room");
        assert!(RoomName::parse("A-z_09").is_ok());
        for bad in ["a b", "a/b", "ä", "a.b"] {
            assert!(RoomName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lang_codes() {
        assert_eq!(Lang::parse("zh-TW").unwrap().as_str(), "zh-TW");
        assert!(Lang::parse("zh-tw").is_err());
        assert!(Lang::parse("auto").is_err());
        assert_eq!(SourceLang::parse("auto").unwrap(), SourceLang::Auto);
        assert_eq!(LANGUAGES.len(), 75);
    }

    #[test]
    fn name_limits() {
        assert_eq!(UserName::parse("  Aki  ").unwrap().as_str(), "Aki");
        assert!(UserName::parse(&"語".repeat(32)).is_ok());
        assert!(UserName::parse(&"語".repeat(33)).is_err());
        assert!(UserName::parse("   ").is_err());
        assert!(UserName::parse("").is_err());
        assert!(UserName::parse("a\u{7}b").is_err());
        assert!(UserName::parse("a\nb").is_err());
    }

    #[test]
    fn text_limits() {
        assert!(ChatText::parse(&"a".repeat(10_000)).is_ok());
        assert_eq!(
            ChatText::parse(&"a".repeat(10_001)).unwrap_err(),
            InvalidInput::TextTooLong { bytes: 10_001 }
        );
        // Limits are in bytes, after trimming.
        assert!(ChatText::parse(&format!("  {}  ", "a".repeat(10_000))).is_ok());
        assert!(ChatText::parse(&"é".repeat(5_000)).is_ok());
        assert!(ChatText::parse(&format!("{}a", "é".repeat(5_000))).is_err());
        assert_eq!(
            ChatText::parse(" \n\t ").unwrap_err(),
            InvalidInput::EmptyText
        );
    }

    #[test]
    fn client_msg_id_limits() {
        assert!(ClientMsgId::parse(&"x".repeat(64)).is_ok());
        assert!(ClientMsgId::parse(&"x".repeat(65)).is_err());
        assert!(ClientMsgId::parse("").is_err());
    }

    #[test]
    fn guest_name() {
        let id = ConnectionId::new("L0SM9cOFvHcCIhw=");
        assert_eq!(UserName::guest(&id).as_str(), "guest-L0SM");
    }
}
