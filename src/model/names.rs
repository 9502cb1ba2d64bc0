//! Room names, display names, chat text and `clientMsgId`: parsed once at
//! the edge ("parse, don't validate").

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::name_chars::{MAX_MARKS_PER_BASE, is_format, is_separator, longest_mark_run};
use super::{ConnectionId, InvalidInput};
use crate::limits::{MAX_CLIENT_MSG_ID_CHARS, MAX_NAME_CHARS, MAX_ROOM_CHARS, MAX_TEXT_BYTES};

/// A room name: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoomName(String);

impl RoomName {
    /// Checks `s` as is (no trimming); `invalid_room` says why not.
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

    /// `lobby`, the room of a connection that names none.
    pub fn lobby() -> Self {
        Self("lobby".into())
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: 1 to 32 Unicode characters once stripped of characters
/// that show nothing or reorder what follows (so "\u{202E}nimda" cannot
/// pass for "admin"), normalized to NFC and trimmed; no control, format or
/// separator characters, and at most a few combining marks per letter
/// (`name_chars.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserName(String);

/// Format characters (bidi controls, zero-width ones, tags), variation
/// selectors and fillers that render as nothing: stripped silently. Other
/// format characters are refused.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

impl UserName {
    /// Normalizes, strips and trims `s`, then checks it; `invalid_name` says why not.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        // Printable ASCII is NFC already and holds nothing invisible and no
        // control character: only trimming and the length are left to
        // check. (Every stored member's name is parsed again when a room is
        // read, once per message.)
        if s.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
            let t = s.trim();
            if t.is_empty() || t.len() > MAX_NAME_CHARS {
                return Err(InvalidInput::Name(format!(
                    "name must be 1 to {MAX_NAME_CHARS} visible characters after trimming; got {}",
                    t.len()
                )));
            }
            return Ok(Self(t.to_owned()));
        }
        // Stripped first, then normalized: "Jose\u{200B}\u{301}" must become
        // "José", not keep a lone combining accent.
        let visible: String = s.chars().filter(|c| !invisible(*c)).nfc().collect();
        let t = visible.trim();
        if t.chars().any(char::is_control) {
            return Err(InvalidInput::Name(
                "name must not contain control characters".into(),
            ));
        }
        if t.chars().any(|c| is_format(c) || is_separator(c)) {
            return Err(InvalidInput::Name(
                "name must not contain format characters or line separators".into(),
            ));
        }
        if longest_mark_run(t) > MAX_MARKS_PER_BASE {
            return Err(InvalidInput::Name(format!(
                "name must not stack more than {MAX_MARKS_PER_BASE} combining marks on one letter"
            )));
        }
        let n = t.chars().count();
        if n == 0 || n > MAX_NAME_CHARS {
            return Err(InvalidInput::Name(format!(
                "name must be 1 to {MAX_NAME_CHARS} visible characters after trimming; got {n}"
            )));
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

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Chat text: 1 to 10,000 UTF-8 bytes after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatText(String);

impl ChatText {
    /// Trims `s` and checks its length: `empty_text` or `text_too_long` if it fails.
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

    /// The trimmed text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The trimmed text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A client-chosen id echoed on the sender's copy: 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientMsgId(String);

impl ClientMsgId {
    /// Checks the length; `bad_request` if it is empty or too long.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let n = s.chars().count();
        if n == 0 || n > MAX_CLIENT_MSG_ID_CHARS {
            return Err(InvalidInput::BadRequest(format!(
                "clientMsgId must be 1 to {MAX_CLIENT_MSG_ID_CHARS} characters; got {n}"
            )));
        }
        Ok(Self(s.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_conversions {
    ($($t:ty),*) => {$(
        impl TryFrom<String> for $t {
            type Error = InvalidInput;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> Self {
                v.0
            }
        }
    )*};
}
string_conversions!(RoomName, UserName, ClientMsgId);

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
    fn names_that_impersonate_are_stripped_or_refused() {
        // Right-to-left override: would display as "admin".
        assert_eq!(UserName::parse("\u{202E}nimda").unwrap().as_str(), "nimda");
        assert_eq!(UserName::parse("ad\u{200B}min").unwrap().as_str(), "admin");
        assert_eq!(
            UserName::parse("\u{FEFF}Aki\u{2066}").unwrap().as_str(),
            "Aki"
        );
        for blank in [
            "\u{3164}",
            "\u{200B}\u{200D}",
            " \u{3164} ",
            "\u{2800}",
            "\u{115F}\u{1160}",
        ] {
            assert_eq!(
                UserName::parse(blank).unwrap_err().code(),
                "invalid_name",
                "{blank:?}"
            );
        }
        // NFC: "e" + combining acute is stored as "é", one character.
        assert_eq!(UserName::parse("Jose\u{301}").unwrap().as_str(), "José");
        assert!(UserName::parse(&"e\u{301}".repeat(32)).is_ok());
    }

    #[test]
    fn normalized_after_stripping() {
        // The zero-width space went first, so the accent composes.
        assert_eq!(
            UserName::parse("Jose\u{200B}\u{301}").unwrap().as_str(),
            "Jos\u{E9}"
        );
        assert_eq!(UserName::parse("Ana\u{FE0F}").unwrap().as_str(), "Ana");
        assert_eq!(
            UserName::parse("I \u{2764}\u{FE0F} tea").unwrap().as_str(),
            "I \u{2764} tea"
        );
    }

    #[test]
    fn format_separator_and_stacked_marks_are_refused() {
        for bad in [
            "a\u{600}b",
            "a\u{6DD}",
            "\u{70F}a",
            "a\u{110BD}",
            "a\u{1BCA0}",
            "a\u{13430}b",
            "a\u{2028}b",
            "a\u{2029}b",
        ] {
            assert_eq!(
                UserName::parse(bad).unwrap_err().code(),
                "invalid_name",
                "{bad:?}"
            );
        }
        let tower = format!(
            "Z{}",
            "\u{301}\u{302}\u{303}"
                .repeat(11)
                .chars()
                .take(31)
                .collect::<String>()
        );
        assert_eq!(UserName::parse(&tower).unwrap_err().code(), "invalid_name");
        // A few marks, as real scripts use, are fine.
        assert!(UserName::parse("ệ").is_ok());
        assert!(UserName::parse("a\u{323}\u{302}\u{301}").is_ok());
        assert!(UserName::parse("क्षत्रिय").is_ok());
        assert!(UserName::parse("Nguyễn").is_ok());
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
        // Deserializing parses too.
        assert!(serde_json::from_str::<ClientMsgId>(&format!("\"{}\"", "x".repeat(65))).is_err());
    }

    #[test]
    fn guest_name() {
        let id = ConnectionId::new("L0SM9cOFvHcCIhw=");
        assert_eq!(UserName::guest(&id).as_str(), "guest-L0SM");
    }
}
