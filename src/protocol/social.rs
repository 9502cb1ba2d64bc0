//! v1.2's replies and reactions on the wire: `translate`'s `replyTo`,
//! and the quote and reactions a message frame carries.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::command::{Command, cmid, message_key, required};
use super::{AuthorView, FrameError};
use crate::model::{Emoji, InvalidInput, Lang, MessageKey, Quote, Reaction};

/// `translate`'s `replyTo`, if any: a message id (`null` is none). Read
/// beside the frame's own fields, so clients built on `ClientFrame`
/// before v1.2 keep compiling; other actions ignore it.
pub(super) fn reply_to(
    map: &Map<String, Value>,
    action: &str,
) -> Result<Option<MessageKey>, FrameError> {
    match map.get("replyTo").filter(|_| action == "translate") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) => MessageKey::from_id(id)
            .map(Some)
            .map_err(|e| FrameError::invalid(e, action)),
        Some(_) => Err(FrameError::new(
            "bad_request",
            "replyTo must be a message id",
            Some(action),
        )),
    }
}

/// `react`'s fields, checked.
pub(super) fn react(
    id: Option<String>,
    emoji: Option<String>,
    client_msg_id: Option<String>,
) -> Result<Command, InvalidInput> {
    Ok(Command::React {
        key: message_key(id)?,
        emoji: Emoji::parse(&required(emoji, "emoji")?)?,
        client_msg_id: cmid(client_msg_id)?,
    })
}

impl Command {
    /// A `translate` answering `key`; any other command as it is.
    pub(super) fn with_reply_to(self, key: Option<MessageKey>) -> Self {
        match self {
            Self::Translate {
                text,
                client_msg_id,
                source_lang,
                ..
            } => Self::Translate {
                text,
                client_msg_id,
                source_lang,
                reply_to: key,
            },
            other => other,
        }
    }
}

/// v1.2's `replyTo`: the quoted message as one reader reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteView {
    /// The quoted message's id.
    pub id: String,
    /// Its sender.
    pub from: AuthorView,
    /// Its text in the reader's language, at most 200 characters; absent
    /// when it was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Present (true) when the quoted message was deleted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

impl QuoteView {
    /// `q` as a reader of `lang` sees it.
    pub fn render(q: &Quote, lang: Lang) -> Self {
        Self {
            id: q.id.clone(),
            from: AuthorView::from(&q.from),
            text: q.text_in(lang).map(str::to_owned),
            deleted: q.deleted,
        }
    }
}

/// v1.2: one emoji's tally in a `history` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionView {
    /// The emoji.
    pub emoji: String,
    /// How many reacted with it.
    pub count: u32,
    /// The tags of the first (at most 20) who did, oldest first.
    pub tags: Vec<String>,
}

impl From<&Reaction> for ReactionView {
    fn from(r: &Reaction) -> Self {
        Self {
            emoji: r.emoji.clone(),
            count: r.count,
            tags: r.tags.iter().map(|t| t.as_str().to_owned()).collect(),
        }
    }
}
