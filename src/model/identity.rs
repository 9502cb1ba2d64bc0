//! Who is who: the gateway's connection ids, and the identity a client
//! keeps across reconnects (`client`), of which only a derived key is
//! stored and only a per-room tag is ever shown.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{InvalidInput, RoomName};
use crate::limits::{CLIENT_MAX_CHARS, CLIENT_MIN_CHARS};

/// The gateway's id of one WebSocket connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConnectionId(String);

impl ConnectionId {
    /// Wraps the id the gateway gave.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the server keeps of a client's `client` secret: a SHA-256 of it.
/// The secret itself is never stored, echoed or logged; the key cannot
/// be turned back into it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientKey(String);

impl ClientKey {
    /// Checks `client` (16 to 64 of `A-Z a-z 0-9 _ -`) and derives the key.
    pub fn parse(client: &str) -> Result<Self, InvalidInput> {
        let n = client.len();
        let ok = (CLIENT_MIN_CHARS..=CLIENT_MAX_CHARS).contains(&n)
            && client
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err(InvalidInput::BadRequest(format!(
                "client must be {CLIENT_MIN_CHARS} to {CLIENT_MAX_CHARS} characters of \
                 A-Z, a-z, 0-9, _ and -"
            )));
        }
        Ok(Self(hex(&Sha256::digest(format!(
            "honyaku-client:{client}"
        )))))
    }

    /// A key as stored.
    pub fn from_stored(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key as stored (64 hex characters).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tag others see in `room`: 12 hex characters, the same for every
    /// message of this client in this room, different in another room.
    pub fn tag(&self, room: &RoomName) -> ClientTag {
        let digest = Sha256::digest(format!("{}:{}", self.0, room.as_str()));
        ClientTag(hex(&digest[..6]))
    }
}

// Never printed whole: it is as good as the identity.
impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientKey({}…)", &self.0[..self.0.len().min(6)])
    }
}

/// `from.tag`: 12 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientTag(String);

impl ClientTag {
    /// The tag as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A tag as stored.
    pub fn from_stored(tag: impl Into<String>) -> Self {
        Self(tag.into())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_keys_and_tags() {
        let good = "abcdefghijklmnop";
        assert!(ClientKey::parse(good).is_ok());
        assert!(ClientKey::parse(&"x".repeat(64)).is_ok());
        for bad in [
            "short",
            &"x".repeat(65),
            "abcdefghijklmno!",
            "abcdefghijklmnoé",
        ] {
            assert_eq!(ClientKey::parse(bad).unwrap_err().code(), "bad_request");
        }
        let key = ClientKey::parse(good).unwrap();
        assert!(!key.as_str().contains(good));
        let lobby = RoomName::parse("lobby").unwrap();
        let tag = key.tag(&lobby);
        assert_eq!(tag.as_str().len(), 12);
        assert!(
            tag.as_str()
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(tag, ClientKey::parse(good).unwrap().tag(&lobby));
        assert_ne!(tag, key.tag(&RoomName::parse("other").unwrap()));
        assert!(!format!("{key:?}").contains(key.as_str()));
    }
}
