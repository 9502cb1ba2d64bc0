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
    Message(MessageFrame),
    Presence {
        room: String,
        event: PresenceEvent,
        name: String,
        lang: String,
        count: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_name: Option<String>,
    },
    Joined {
        connection_id: String,
        room: String,
        lang: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        count: usize,
        members: Vec<MemberView>,
        next: Option<String>,
    },
    Members {
        room: String,
        count: usize,
        members: Vec<MemberView>,
        next: Option<String>,
    },
    Typing {
        room: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
    },
    History {
        room: String,
        lang: String,
        messages: Vec<HistoryItem>,
        next: Option<String>,
    },
    Pong {
        ts: i64,
    },
    Error {
        code: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
}

impl ServerFrame {
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
    Message(MessageFrame),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PresenceEvent {
    Join,
    Leave,
    /// The member changed only its name or language.
    Update,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub name: String,
    pub lang: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    pub name: String,
    pub connection_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// A chat message in one recipient's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageFrame {
    pub id: String,
    pub room: String,
    pub ts: i64,
    pub from: Sender,
    pub source_lang: String,
    pub lang: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    pub translated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The pivot language of a two-step translation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
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
