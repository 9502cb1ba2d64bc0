//! Server → client frames (a message's own fields are in `message.rs`).

use serde::{Deserialize, Serialize};

use super::message::{AuthorView, HistoryItem, MessageFrame};
use crate::model::{GlossaryTerm, Member};
use crate::ports::Frame;

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
        /// v1.2, on a `join`: the same `client` left this room moments ago
        /// (a reload, a reconnect, a server restart). Clients update their
        /// list and show no "joined" line.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        returning: bool,
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
    /// v1.2: a message's new text, in the reader's language.
    Edited(MessageFrame),
    /// v1.2: a message is gone.
    Deleted {
        /// The room.
        room: String,
        /// The deleted message's id.
        id: String,
        /// When it was deleted, ms since the epoch.
        deleted_at: i64,
    },
    /// v1.2: a reader's better translation into `lang`.
    Corrected {
        /// The room.
        room: String,
        /// The corrected message's id.
        id: String,
        /// The language corrected into.
        lang: String,
        /// The corrected text.
        text: String,
        /// Who corrected it.
        by: AuthorView,
    },
    /// v1.2: the room glossary (`by`: who saved this version).
    Glossary {
        /// The room.
        room: String,
        /// The version (0: never saved).
        version: u64,
        /// The terms, in the order saved.
        terms: Vec<GlossaryTerm>,
        /// Who saved this version; absent for version 0.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<AuthorView>,
    },
    /// v1.2: a member's reaction to a message went on or off.
    Reaction {
        /// The room.
        room: String,
        /// The message's id.
        id: String,
        /// The emoji.
        emoji: String,
        /// Whether it is on now.
        on: bool,
        /// How many reacted with this emoji after the change.
        count: u32,
        /// Who toggled it.
        from: AuthorView,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ClientFrame;
    use crate::protocol::{DeletedEntry, Sender};

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
            returning: false,
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

    #[test]
    fn v12_frames_serialize_as_protocol_says() {
        let d = ServerFrame::Deleted {
            room: "lobby".into(),
            id: "01J".into(),
            deleted_at: 5,
        };
        assert_eq!(
            d.to_json(),
            r#"{"type":"deleted","room":"lobby","id":"01J","deletedAt":5}"#
        );
        let from = Sender {
            name: "Aki".into(),
            connection_id: "c1".into(),
            tag: None,
        };
        let gone = HistoryItem::Deleted(DeletedEntry {
            id: "01J".into(),
            ts: 1,
            from: from.clone(),
            deleted: true,
        });
        let json = serde_json::to_string(&gone).unwrap();
        assert_eq!(
            json,
            r#"{"id":"01J","ts":1,"from":{"name":"Aki","connectionId":"c1"},"deleted":true}"#
        );
        assert_eq!(serde_json::from_str::<HistoryItem>(&json).unwrap(), gone);
        let m = MessageFrame {
            id: "01J".into(),
            room: "lobby".into(),
            ts: 1,
            from,
            source_lang: "en".into(),
            lang: "es".into(),
            text: "hola".into(),
            original: Some("hi".into()),
            translated: true,
            engine: Some("memory".into()),
            via: None,
            error: None,
            client_msg_id: None,
            edited_at: Some(2),
            corrected_by: Some(AuthorView {
                name: "Bea".into(),
                tag: None,
            }),
            reply_to: None,
            reactions: None,
        };
        let item = HistoryItem::Message(m.clone());
        let json = serde_json::to_string(&item).unwrap();
        assert!(
            json.starts_with(r#"{"type":"message","id":"01J""#),
            "{json}"
        );
        assert!(
            json.ends_with(r#""editedAt":2,"correctedBy":{"name":"Bea"}}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<HistoryItem>(&json).unwrap(), item);
        let edited = ServerFrame::Edited(m).to_json();
        assert!(
            edited.starts_with(r#"{"type":"edited","id":"01J""#),
            "{edited}"
        );
        let g = ServerFrame::Glossary {
            room: "r".into(),
            version: 0,
            terms: vec![],
            by: None,
        };
        assert_eq!(
            g.to_json(),
            r#"{"type":"glossary","room":"r","version":0,"terms":[]}"#
        );
    }
}
