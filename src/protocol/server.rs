//! Server → client frames, and how a stored message reads in one
//! recipient's language.

use serde::{Deserialize, Serialize};

use crate::model::{ClientTag, Lang, Member, Message};
use crate::ports::{Frame, TranslateError};

/// A server → client frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
#[serde(rename_all_fields = "camelCase")]
pub enum ServerFrame {
    /// A chat message in the reader's language.
    Message(MessageFrame),
    /// Someone joined, left or changed name or language (sent to the other
    /// members only, and not in rooms over the presence threshold).
    Presence {
        /// The room the change happened in.
        room: String,
        /// What changed.
        event: PresenceEvent,
        /// The member's display name (the new one after a rename).
        name: String,
        /// The member's language.
        lang: String,
        /// The room's size after the change.
        count: usize,
        /// The member's tag (as `from.tag`), when it connected with `client`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        /// The old name, on an `update` that renamed the member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_name: Option<String>,
    },
    /// The answer to `join`: who the sender now is, and the first page of members.
    Joined {
        /// The sender's connection id.
        connection_id: String,
        /// The room joined.
        room: String,
        /// The sender's language.
        lang: String,
        /// The sender's display name.
        name: String,
        /// The sender's tag, when it connected with `client`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        /// The room's size.
        count: usize,
        /// The first page of members (at most 500, oldest first).
        members: Vec<MemberView>,
        /// The `after` for the next page of `members`; null on the last page.
        next: Option<String>,
    },
    /// The answer to `members`: one page of the room's members.
    Members {
        /// The sender's room.
        room: String,
        /// The room's size.
        count: usize,
        /// This page (at most 500, oldest first).
        members: Vec<MemberView>,
        /// The `after` for the next page; null on the last page.
        next: Option<String>,
    },
    /// Another member is typing (relayed at most once every 3 seconds).
    Typing {
        /// The room.
        room: String,
        /// The typing member's display name.
        name: String,
        /// The typing member's tag, when it connected with `client`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
    },
    /// The answer to `history`: one page of older messages, oldest first.
    History {
        /// The sender's room.
        room: String,
        /// The language the messages are rendered in (the sender's current `lang`).
        lang: String,
        /// The messages, oldest first, each a whole `message`.
        messages: Vec<HistoryItem>,
        /// The `before` for the next older page; null when there is nothing older.
        next: Option<String>,
    },
    /// The answer to `ping`.
    Pong {
        /// Server time, ms since the epoch.
        ts: i64,
    },
    /// A refused frame: what was wrong, for its sender.
    Error {
        /// One of the error codes of docs/PROTOCOL.md (`bad_request`, `rate_limited`, …).
        code: String,
        /// A sentence for people; never internals or secrets.
        message: String,
        /// The action of the refused frame, when it named a known one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        /// The refused `translate`'s `clientMsgId`, when it carried one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
}

impl ServerFrame {
    /// The frame as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("server frames always serialize")
    }

    /// Encoded once, to be shared by every recipient.
    pub fn to_frame(&self) -> Frame {
        Frame::new(self.to_json())
    }
}

/// A message inside a `history` frame: the same object as a `message` frame,
/// `"type":"message"` included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum HistoryItem {
    /// A message rendered in the reader's language.
    Message(MessageFrame),
}

/// What a `presence` frame reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PresenceEvent {
    /// The member arrived (connected, or switched into this room).
    Join,
    /// The member left (disconnected, or switched to another room).
    Leave,
    /// The member changed only its name or language.
    Update,
}

/// One member as `joined` and `members` list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// Display name.
    pub name: String,
    /// Language.
    pub lang: String,
    /// Tag, when the member connected with `client`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

impl From<&Member> for MemberView {
    fn from(m: &Member) -> Self {
        Self {
            name: m.name.as_str().to_owned(),
            lang: m.lang.as_str().to_owned(),
            tag: m.tag.as_ref().map(|t| t.as_str().to_owned()),
        }
    }
}

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
            from: Sender {
                name: msg.from_name.as_str().to_owned(),
                connection_id: msg.from_connection.as_str().to_owned(),
                tag: msg
                    .from_tag
                    .as_ref()
                    .map(ClientTag::as_str)
                    .map(str::to_owned),
            },
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ClientFrame;

    #[test]
    fn frames_serialize_as_protocol_says() {
        let f = ServerFrame::History {
            room: "lobby".into(),
            lang: "es".into(),
            messages: vec![],
            next: None,
        };
        assert_eq!(
            f.to_json(),
            r#"{"type":"history","room":"lobby","lang":"es","messages":[],"next":null}"#
        );
        let j = ServerFrame::Joined {
            connection_id: "c1".into(),
            room: "r".into(),
            lang: "ja".into(),
            name: "Aki".into(),
            tag: Some("3f9a0c21be47".into()),
            count: 1,
            members: vec![],
            next: None,
        }
        .to_json();
        assert_eq!(
            j,
            r#"{"type":"joined","connectionId":"c1","room":"r","lang":"ja","name":"Aki","tag":"3f9a0c21be47","count":1,"members":[],"next":null}"#
        );
        let p = ServerFrame::Presence {
            room: "r".into(),
            event: PresenceEvent::Update,
            name: "Aki".into(),
            lang: "ja".into(),
            count: 2,
            tag: None,
            previous_name: Some("A".into()),
        }
        .to_json();
        assert_eq!(
            p,
            r#"{"type":"presence","room":"r","event":"update","name":"Aki","lang":"ja","count":2,"previousName":"A"}"#
        );
        let e = ServerFrame::Error {
            code: "rate_limited".into(),
            message: "slow down".into(),
            action: Some("translate".into()),
            client_msg_id: Some("c-17".into()),
        }
        .to_json();
        assert!(
            e.ends_with(r#""action":"translate","clientMsgId":"c-17"}"#),
            "{e}"
        );
        let c = serde_json::to_string(&ClientFrame::Translate {
            text: Some("hi".into()),
            client_msg_id: Some("c-1".into()),
            source_lang: None,
        })
        .unwrap();
        assert_eq!(
            c,
            r#"{"action":"translate","text":"hi","clientMsgId":"c-1"}"#
        );
    }
}
