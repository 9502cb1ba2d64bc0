//! The wire frames of PROTOCOL.md, both directions, and the mapping from a
//! client frame to a typed [`Command`]. The CLI client reuses these types.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::limits::{HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT};
use crate::model::{
    ChatText, ClientMsgId, InvalidInput, Lang, Message, RoomName, SourceLang, UserName,
};
use crate::ports::TranslateError;

/// The actions with a route of their own; anything else is `$default`.
pub const ACTIONS: &[&str] = &["translate", "join", "history", "members", "ping"];

/// A client → server frame as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "action",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ClientFrame {
    Translate {
        text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source_lang: Option<String>,
    },
    Join {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    History {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<String>,
    },
    Members {},
    Ping {},
}

/// A validated client request.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Translate {
        text: ChatText,
        client_msg_id: Option<ClientMsgId>,
        source_lang: Option<SourceLang>,
    },
    Join {
        room: Option<RoomName>,
        lang: Option<Lang>,
        name: Option<UserName>,
    },
    History {
        limit: u32,
        before: Option<String>,
    },
    Members,
    Ping,
}

/// A refused frame: becomes an `error` frame to its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub code: &'static str,
    pub message: String,
    pub action: Option<String>,
}

impl FrameError {
    pub fn new(code: &'static str, message: impl Into<String>, action: Option<&str>) -> Self {
        Self {
            code,
            message: message.into(),
            action: action.map(str::to_owned),
        }
    }

    fn invalid(e: InvalidInput, action: &str) -> Self {
        Self::new(e.code(), e.to_string(), Some(action))
    }

    pub fn to_frame(&self) -> ServerFrame {
        ServerFrame::Error {
            code: self.code.to_owned(),
            message: self.message.clone(),
            action: self.action.clone(),
        }
    }
}

/// The `action` of a body when it is a JSON object naming a known route:
/// API Gateway's `$request.body.action` route selection.
pub fn route_key(body: &str) -> Option<&'static str> {
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(borrow)]
        action: Option<&'a str>,
    }
    let probe: Probe = serde_json::from_str(body).ok()?;
    let action = probe.action?;
    ACTIONS.iter().copied().find(|a| *a == action)
}

/// Parses and validates one client frame.
pub fn parse_command(body: &str) -> Result<Command, FrameError> {
    let value: Value = serde_json::from_str(body)
        .map_err(|_| FrameError::new("bad_request", "frame is not valid JSON", None))?;
    let Value::Object(map) = &value else {
        return Err(FrameError::new(
            "bad_request",
            "frame must be a JSON object",
            None,
        ));
    };
    let action = match map.get("action") {
        Some(Value::String(a)) if ACTIONS.contains(&a.as_str()) => a.clone(),
        Some(Value::String(a)) => {
            return Err(FrameError::new(
                "unknown_action",
                format!("unknown action; expected one of {}", ACTIONS.join(", ")),
                Some(a),
            ));
        }
        _ => {
            return Err(FrameError::new(
                "unknown_action",
                "frame has no string \"action\"",
                None,
            ));
        }
    };
    let frame: ClientFrame = serde_json::from_value(value)
        .map_err(|e| FrameError::new("bad_request", field_error(&e), Some(&action)))?;
    command(frame).map_err(|e| FrameError::invalid(e, &action))
}

/// serde's message without line/column noise.
fn field_error(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

fn command(frame: ClientFrame) -> Result<Command, InvalidInput> {
    Ok(match frame {
        ClientFrame::Translate {
            text,
            client_msg_id,
            source_lang,
        } => Command::Translate {
            text: ChatText::parse(
                &text.ok_or_else(|| InvalidInput::BadRequest("missing field `text`".into()))?,
            )?,
            client_msg_id: client_msg_id
                .as_deref()
                .map(ClientMsgId::parse)
                .transpose()?,
            source_lang: source_lang.as_deref().map(SourceLang::parse).transpose()?,
        },
        ClientFrame::Join { room, lang, name } => Command::Join {
            room: room.as_deref().map(RoomName::parse).transpose()?,
            lang: lang.as_deref().map(Lang::parse).transpose()?,
            name: name.as_deref().map(UserName::parse).transpose()?,
        },
        ClientFrame::History { limit, before } => {
            let limit = limit.unwrap_or(HISTORY_DEFAULT_LIMIT);
            if !(1..=HISTORY_MAX_LIMIT).contains(&limit) {
                return Err(InvalidInput::BadRequest(format!(
                    "limit must be 1 to {HISTORY_MAX_LIMIT}; got {limit}"
                )));
            }
            Command::History { limit, before }
        }
        ClientFrame::Members {} => Command::Members,
        ClientFrame::Ping {} => Command::Ping,
    })
}

/// A server → client frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ServerFrame {
    Message(MessageFrame),
    Presence {
        room: String,
        event: PresenceEvent,
        name: String,
        lang: String,
        count: usize,
    },
    Joined {
        connection_id: String,
        room: String,
        lang: String,
        name: String,
        members: Vec<MemberView>,
    },
    Members {
        room: String,
        members: Vec<MemberView>,
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
    },
}

impl ServerFrame {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("server frames always serialize")
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub name: String,
    pub lang: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    pub name: String,
    pub connection_id: String,
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

    fn code(body: &str) -> &'static str {
        parse_command(body).unwrap_err().code
    }

    #[test]
    fn default_route_errors() {
        assert_eq!(code("not json"), "bad_request");
        assert_eq!(code("[1,2]"), "bad_request");
        assert_eq!(code("\"translate\""), "bad_request");
        assert_eq!(code("{}"), "unknown_action");
        assert_eq!(code(r#"{"action":"dance"}"#), "unknown_action");
        assert_eq!(code(r#"{"action":5}"#), "unknown_action");
        assert_eq!(route_key(r#"{"action":"dance"}"#), None);
        assert_eq!(route_key(r#"{"action":"ping"}"#), Some("ping"));
        assert_eq!(route_key("nope"), None);
    }

    #[test]
    fn field_errors() {
        assert_eq!(code(r#"{"action":"translate"}"#), "bad_request");
        assert_eq!(code(r#"{"action":"translate","text":5}"#), "bad_request");
        assert_eq!(code(r#"{"action":"translate","text":"  "}"#), "empty_text");
        let long = format!(
            r#"{{"action":"translate","text":"{}"}}"#,
            "a".repeat(10_001)
        );
        assert_eq!(code(&long), "text_too_long");
        assert_eq!(
            code(r#"{"action":"translate","text":"hi","sourceLang":"xx"}"#),
            "invalid_lang"
        );
        assert_eq!(code(r#"{"action":"join","room":"a b"}"#), "invalid_room");
        assert_eq!(code(r#"{"action":"join","name":""}"#), "invalid_name");
        assert_eq!(code(r#"{"action":"join","lang":7}"#), "bad_request");
        assert_eq!(code(r#"{"action":"history","limit":0}"#), "bad_request");
        assert_eq!(code(r#"{"action":"history","limit":101}"#), "bad_request");
        assert_eq!(code(r#"{"action":"history","limit":"5"}"#), "bad_request");
        let e = parse_command(r#"{"action":"translate","text":5}"#).unwrap_err();
        assert_eq!(e.action.as_deref(), Some("translate"));
    }

    #[test]
    fn good_frames() {
        assert_eq!(
            parse_command(r#"{"action":"history"}"#).unwrap(),
            Command::History {
                limit: 50,
                before: None
            }
        );
        assert_eq!(
            parse_command(r#"{"action":"history","limit":100}"#).unwrap(),
            Command::History {
                limit: 100,
                before: None
            }
        );
        assert_eq!(
            parse_command(r#"{"action":"ping","x":1}"#).unwrap(),
            Command::Ping
        );
        let Command::Translate {
            text, source_lang, ..
        } = parse_command(r#"{"action":"translate","text":" hi ","sourceLang":"auto"}"#).unwrap()
        else {
            panic!("not a translate");
        };
        assert_eq!(text.as_str(), "hi");
        assert_eq!(source_lang, Some(SourceLang::Auto));
    }

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
            members: vec![],
        }
        .to_json();
        assert!(j.contains(r#""connectionId":"c1""#), "{j}");
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
