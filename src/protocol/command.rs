//! The checked request the core handles (`Command`), and the field
//! checks its parsers share.

use crate::model::{
    ChatText, ClientMsgId, Emoji, GlossaryTerm, InvalidInput, Lang, MessageKey, RoomName,
    SourceLang, UserName,
};

/// A validated client request.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send `text` to the sender's room.
    Translate {
        /// The text, trimmed and within the limit.
        text: ChatText,
        /// The sender's id for the message, if it gave one.
        client_msg_id: Option<ClientMsgId>,
        /// The text's language, if given; otherwise the sender's `lang`.
        source_lang: Option<SourceLang>,
        /// v1.2: the message it replies to (`replyTo`), if any.
        reply_to: Option<MessageKey>,
    },
    /// Change any of room, language and display name.
    Join {
        /// The new room, if given.
        room: Option<RoomName>,
        /// The new language, if given.
        lang: Option<Lang>,
        /// The new display name, if given.
        name: Option<UserName>,
    },
    /// A page of older messages.
    History {
        /// How many, within 1 to `HISTORY_MAX_LIMIT` (the default filled in).
        limit: u32,
        /// The cursor to continue before, still unchecked (the route decodes it).
        before: Option<String>,
    },
    /// A page of the room's members.
    Members {
        /// The cursor to continue after, still unchecked (the route decodes it).
        after: Option<String>,
    },
    /// Relay "typing" to the other members.
    Typing,
    /// Answer with a `pong`.
    Ping,
    /// v1.2: the sender rewrites its message.
    Edit {
        /// Where the message sits (its id, with the id's time).
        key: MessageKey,
        /// The new text.
        text: ChatText,
        /// Echoed on the sender's copy, and on a refusal.
        client_msg_id: Option<ClientMsgId>,
    },
    /// v1.2: the sender deletes its message.
    Delete {
        /// Where the message sits.
        key: MessageKey,
        /// Echoed on a refusal.
        client_msg_id: Option<ClientMsgId>,
    },
    /// v1.2: a reader corrects the translation into its language.
    Correct {
        /// Where the message sits.
        key: MessageKey,
        /// The better translation.
        text: ChatText,
        /// Echoed on a refusal.
        client_msg_id: Option<ClientMsgId>,
    },
    /// v1.2: the room glossary, to the sender.
    Glossary,
    /// v1.2: replace the room glossary, if still at `version`.
    GlossarySet {
        /// The version it replaces.
        version: u64,
        /// The whole new list, checked.
        terms: Vec<GlossaryTerm>,
        /// Echoed on a refusal.
        client_msg_id: Option<ClientMsgId>,
    },
    /// v1.2: toggle the sender's reaction to a message.
    React {
        /// Where the message sits.
        key: MessageKey,
        /// The emoji.
        emoji: Emoji,
        /// Echoed on a refusal.
        client_msg_id: Option<ClientMsgId>,
    },
}

impl Command {
    /// The route's name, as in `action`.
    pub fn action(&self) -> &'static str {
        match self {
            Self::Translate { .. } => "translate",
            Self::Join { .. } => "join",
            Self::History { .. } => "history",
            Self::Members { .. } => "members",
            Self::Typing => "typing",
            Self::Ping => "ping",
            Self::Edit { .. } => "edit",
            Self::Delete { .. } => "delete",
            Self::Correct { .. } => "correct",
            Self::Glossary => "glossary",
            Self::GlossarySet { .. } => "glossary_set",
            Self::React { .. } => "react",
        }
    }

    /// The request's `clientMsgId`, which its refusals name.
    pub fn client_msg_id(&self) -> Option<&ClientMsgId> {
        match self {
            Self::Translate { client_msg_id, .. }
            | Self::Edit { client_msg_id, .. }
            | Self::Delete { client_msg_id, .. }
            | Self::Correct { client_msg_id, .. }
            | Self::GlossarySet { client_msg_id, .. }
            | Self::React { client_msg_id, .. } => client_msg_id.as_ref(),
            _ => None,
        }
    }
}

pub(super) fn required<T>(v: Option<T>, field: &str) -> Result<T, InvalidInput> {
    v.ok_or_else(|| InvalidInput::BadRequest(format!("missing field `{field}`")))
}

pub(super) fn cmid(v: Option<String>) -> Result<Option<ClientMsgId>, InvalidInput> {
    v.as_deref().map(ClientMsgId::parse).transpose()
}

pub(super) fn message_key(id: Option<String>) -> Result<MessageKey, InvalidInput> {
    MessageKey::from_id(&required(id, "id")?)
}
