//! Client → server frames: what travels (`ClientFrame`), and the checked
//! request the core handles (`Command`).

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::FrameError;
use crate::limits::{HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT};
use crate::model::{ChatText, ClientMsgId, InvalidInput, Lang, RoomName, SourceLang, UserName};

/// The actions with a route of their own; anything else is `$default`.
pub const ACTIONS: &[&str] = &["translate", "join", "history", "members", "typing", "ping"];

/// A client → server frame as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
#[serde(rename_all_fields = "camelCase")]
pub enum ClientFrame {
    /// Send a chat message to the sender's room.
    Translate {
        /// The message (required; 1 to 10,000 UTF-8 bytes after trimming).
        text: Option<String>,
        /// The sender's own id for it: echoed on its own copy; a repeat is dropped.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
        /// The text's language: a code or `auto`; the sender's `lang` when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source_lang: Option<String>,
    },
    /// Change room, language or display name.
    Join {
        /// The room to move to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<String>,
        /// The new language.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        /// The new display name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Ask for a page of the room's older messages.
    History {
        /// How many (1–100, default 50).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
        /// The cursor (`next`) of an earlier `history`, for the page before it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<String>,
    },
    /// Ask for a page of the room's members.
    Members {
        /// The cursor (`next`) of an earlier `members` or `joined`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
    },
    /// Tell the other members the sender is typing.
    Typing {},
    /// Ask for a `pong`.
    Ping {},
}

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
    // serde_json keeps the last of two equal keys; a reader that keeps the
    // first would route the frame differently. One reading only.
    if let Err(e) = serde_json::from_str::<NoDuplicateKeys>(body) {
        return Err(FrameError::new("bad_request", field_error(&e), None));
    }
    let cmid = map
        .get("clientMsgId")
        .and_then(Value::as_str)
        .map(str::to_owned);
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
    // A refused `translate` names its clientMsgId, so the sender knows which.
    let refuse = |e: FrameError| match action.as_str() {
        "translate" => e.with_client_msg_id(cmid.clone()),
        _ => e,
    };
    let frame: ClientFrame = serde_json::from_value(value.clone()).map_err(|e| {
        refuse(FrameError::new(
            "bad_request",
            field_error(&e),
            Some(&action),
        ))
    })?;
    command(frame).map_err(|e| refuse(FrameError::invalid(e, &action)))
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
            let limit = limit.unwrap_or(HISTORY_DEFAULT_LIMIT as u32);
            if !(1..=HISTORY_MAX_LIMIT as u32).contains(&limit) {
                return Err(InvalidInput::BadRequest(format!(
                    "limit must be 1 to {HISTORY_MAX_LIMIT}; got {limit}"
                )));
            }
            Command::History { limit, before }
        }
        ClientFrame::Members { after } => Command::Members { after },
        ClientFrame::Typing {} => Command::Typing,
        ClientFrame::Ping {} => Command::Ping,
    })
}

/// Any JSON value, refusing an object that names one key twice (at any
/// depth).
struct NoDuplicateKeys;

impl<'de> Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> DeserializeSeed<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if !seen.insert(key.clone().into_owned()) {
                return Err(de::Error::custom(format!("duplicate key {key:?}")));
            }
            map.next_value_seed(NoDuplicateKeys)?;
        }
        Ok(NoDuplicateKeys)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element_seed(NoDuplicateKeys)?.is_some() {}
        Ok(NoDuplicateKeys)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
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
        assert_eq!(route_key(r#"{"action":"typing"}"#), Some("typing"));
        assert_eq!(route_key("nope"), None);
    }

    /// On AWS each action needs its route, or it arrives as `$default`.
    #[test]
    fn the_template_routes_every_action() {
        let template = include_str!("../../template.yaml");
        for action in ACTIONS {
            assert!(
                template.contains(&format!("RouteKey: {action}\n")),
                "template.yaml has no route for {action}"
            );
        }
    }

    #[test]
    fn duplicate_keys_are_a_bad_request() {
        assert_eq!(
            code(r#"{"action":"ping","action":"translate","text":"hi"}"#),
            "bad_request"
        );
        assert_eq!(
            code(r#"{"action":"translate","text":"a","text":"b"}"#),
            "bad_request"
        );
        assert_eq!(
            code(r#"{"action":"ping","x":{"y":1,"y":2}}"#),
            "bad_request"
        );
        assert_eq!(
            parse_command(r#"{"action":"ping","x":[{"y":1},{"y":2}]}"#).unwrap(),
            Command::Ping
        );
    }

    #[test]
    fn field_errors() {
        assert_eq!(code(r#"{"action":"translate"}"#), "bad_request");
        assert_eq!(code(r#"{"action":"translate","text":5}"#), "bad_request");
        assert_eq!(code(r#"{"action":"translate","text":"  "}"#), "empty_text");
        let long = format!(
            r#"{{"action":"translate","text":"{}","clientMsgId":"c-9"}}"#,
            "a".repeat(10_001)
        );
        let e = parse_command(&long).unwrap_err();
        assert_eq!(
            (e.code, e.client_msg_id.as_deref()),
            ("text_too_long", Some("c-9"))
        );
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
        assert_eq!(code(r#"{"action":"members","after":5}"#), "bad_request");
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
            parse_command(r#"{"action":"members","after":"x"}"#).unwrap(),
            Command::Members {
                after: Some("x".into())
            }
        );
        assert_eq!(
            parse_command(r#"{"action":"typing"}"#).unwrap(),
            Command::Typing
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
}
