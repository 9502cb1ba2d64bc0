//! Domain types, parsed once at the edge so that the rest of the code never
//! sees an unchecked room, language, name or text ("parse, don't validate").
//! No I/O here.
//!
//! - `lang.rs`: language codes (from `web/contract.json`).
//! - `names.rs`: rooms, display names, chat text, `clientMsgId`;
//!   `name_chars.rs` which characters a name may hold.
//! - `identity.rs`: connection ids, the `client` key and its tag.
//! - `records.rs`: connections, members, messages, REST records.
//! - `amend.rs`: authors, the room memory's entries, the glossary (v1.2).
//! - `social.rs`: a reply's quote, reactions and their tally (v1.2).

mod amend;
mod identity;
mod lang;
mod name_chars;
mod names;
mod records;
mod social;

pub use amend::{
    Author, Glossary, GlossaryTerm, MemoryEntry, check_terms as check_glossary_terms, source_hash,
};
pub use identity::{ClientKey, ClientTag, ConnectionId};
pub use lang::{Lang, SourceLang};
pub use names::{ChatText, ClientMsgId, RoomName, UserName};
pub use records::{
    Connection, Member, MemberKey, MembersPage, Message, MessageKey, Translation, TranslationRecord,
};
pub use social::{
    Emoji, Quote, Reaction, ReactionToggle, Toggled, apply_toggle as apply_reaction_toggle,
    cut_quote,
};

/// Why a value from the wire was refused; each maps to one protocol error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInput {
    /// Not a valid room name (`invalid_room`); says why.
    #[error("{0}")]
    Room(String),
    /// Not a supported language code (`invalid_lang`); says why.
    #[error("{0}")]
    Lang(String),
    /// Not a valid display name (`invalid_name`); says why.
    #[error("{0}")]
    Name(String),
    /// Text that is blank once trimmed (`empty_text`).
    #[error("text is empty")]
    EmptyText,
    /// Text over `MAX_TEXT_BYTES` (`text_too_long`).
    #[error(
        "text is {bytes} bytes; the limit is {}",
        crate::limits::MAX_TEXT_BYTES
    )]
    TextTooLong {
        /// The text's length in UTF-8 bytes.
        bytes: usize,
    },
    /// Any other malformed field (`bad_request`); says which and why.
    #[error("{0}")]
    BadRequest(String),
}

impl InvalidInput {
    /// The docs/PROTOCOL.md error code.
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

/// Keeps error messages short when echoing bad input.
fn truncate(s: &str) -> String {
    s.chars().take(16).collect()
}
