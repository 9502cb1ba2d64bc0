//! A stored message as one recipient reads it: its `from`, the text in the
//! reader's language, the `history` entry it becomes, and who changed it.

use serde::{Deserialize, Serialize};

use super::social::{QuoteView, ReactionView};
use crate::model::{Author, Lang, Message};
use crate::ports::TranslateError;

/// Who sent a message: its `from` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    /// Display name at the time of sending.
    pub name: String,
    /// The sending connection's id.
    pub connection_id: String,
    /// 12 hex characters derived from the sender's `client` and the room, when it
    /// gave one: the same for all its messages in that room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// A chat message in one recipient's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageFrame {
    /// Unique, sortable by time.
    pub id: String,
    /// The room it was sent in.
    pub room: String,
    /// Server time of sending, ms since the epoch.
    pub ts: i64,
    /// The sender.
    pub from: Sender,
    /// The language the text was written in (the detected one for `auto`).
    pub source_lang: String,
    /// The reader's language: the language of `text` when `translated`.
    pub lang: String,
    /// The text for this reader: the translation, or the original as written.
    pub text: String,
    /// The original text, present when `lang` differs from `sourceLang`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// False when `text` comes as written (same language, or no translation).
    pub translated: bool,
    /// What translated it (`amazon-translate`, `apertium`, `pseudo`); absent when
    /// not translated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The pivot language of a two-step translation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Why a translation failed: `unsupported_language_pair`,
    /// `translation_failed` or `translation_unavailable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// On the sender's own copy only: the `clientMsgId` its `translate` carried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
    /// v1.2: when the text was last edited (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<i64>,
    /// v1.2: who corrected this translation (`text` is theirs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_by: Option<AuthorView>,
    /// v1.2: the message this one replies to, quoted in the reader's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<QuoteView>,
    /// v1.2, in `history` entries: the reactions, when there are any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reactions: Option<Vec<ReactionView>>,
}

impl MessageFrame {
    /// `msg` as `lang` reads it: its stored translation if there is one,
    /// otherwise the original marked with why (`failure`).
    pub fn render(msg: &Message, lang: Lang, failure: Option<&TranslateError>) -> Self {
        let same = lang == msg.source_lang;
        let translation = (!same).then(|| msg.translations.get(&lang)).flatten();
        Self {
            id: msg.id.clone(),
            room: msg.room.as_str().to_owned(),
            ts: msg.ts,
            from: Self::sender(msg),
            source_lang: msg.source_lang.as_str().to_owned(),
            lang: lang.as_str().to_owned(),
            text: translation.map_or_else(|| msg.text.clone(), |t| t.text.clone()),
            original: (!same).then(|| msg.text.clone()),
            translated: translation.is_some(),
            engine: translation.map(|t| t.engine.clone()),
            via: translation
                .and_then(|t| t.via)
                .map(|l| l.as_str().to_owned()),
            error: match (same, translation) {
                (false, None) => failure.and_then(TranslateError::code).map(str::to_owned),
                _ => None,
            },
            client_msg_id: None,
            edited_at: msg.edited_at,
            corrected_by: translation
                .and_then(|_| msg.corrected.get(&lang))
                .map(AuthorView::from),
            reply_to: msg.reply_to.as_ref().map(|q| QuoteView::render(q, lang)),
            reactions: None,
        }
    }

    /// The sender of a stored message.
    pub fn sender(msg: &Message) -> Sender {
        Sender {
            name: msg.from_name.as_str().to_owned(),
            connection_id: msg.from_connection.as_str().to_owned(),
            tag: msg.from_tag.as_ref().map(|t| t.as_str().to_owned()),
        }
    }
}

impl HistoryItem {
    /// `msg` as a `history` entry in `lang`: a tombstone shows only who
    /// and when.
    pub fn render(msg: &Message, lang: Lang, failure: Option<&TranslateError>) -> Self {
        match msg.deleted_at {
            Some(_) => Self::Deleted(DeletedEntry {
                id: msg.id.clone(),
                ts: msg.ts,
                from: MessageFrame::sender(msg),
                deleted: true,
            }),
            None => Self::Message(MessageFrame::render(msg, lang, failure)),
        }
    }
}

/// A message inside a `history` frame: the same object as a `message` frame,
/// `"type":"message"` included; a deleted one (v1.2) is only
/// `{"id","ts","from","deleted":true}`.
// Most entries are messages: boxing them would cost an allocation each to
// save space on the rare tombstone.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HistoryItem {
    /// A message rendered in the reader's language.
    Message(#[serde(with = "tagged")] MessageFrame),
    /// A deleted message's place (v1.2).
    Deleted(DeletedEntry),
}

impl HistoryItem {
    /// The message, unless it was deleted.
    pub fn as_message(&self) -> Option<&MessageFrame> {
        match self {
            Self::Message(m) => Some(m),
            Self::Deleted(_) => None,
        }
    }
}

/// A deleted message's place in `history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedEntry {
    /// The message's id.
    pub id: String,
    /// Its server time, ms since the epoch.
    pub ts: i64,
    /// Who sent it.
    pub from: Sender,
    /// Always true.
    pub deleted: bool,
}

/// A message frame with its `"type":"message"`, inside an untagged item.
mod tagged {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::MessageFrame;

    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "camelCase")]
    enum Out<'a> {
        Message(&'a MessageFrame),
    }

    #[derive(Deserialize)]
    #[serde(tag = "type", rename_all = "camelCase")]
    enum In {
        Message(MessageFrame),
    }

    pub fn serialize<S: Serializer>(m: &MessageFrame, s: S) -> Result<S::Ok, S::Error> {
        Out::Message(m).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MessageFrame, D::Error> {
        let In::Message(m) = In::deserialize(d)?;
        Ok(m)
    }
}

/// Who did it: `{"name","tag"}` (v1.2's `by` and `correctedBy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorView {
    /// The display name.
    pub name: String,
    /// `from.tag`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

impl From<&Author> for AuthorView {
    fn from(a: &Author) -> Self {
        Self {
            name: a.name.as_str().to_owned(),
            tag: a.tag.as_ref().map(|t| t.as_str().to_owned()),
        }
    }
}
