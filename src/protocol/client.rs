//! Client → server frames: what travels (`ClientFrame`), and the checked
//! request the core handles (`Command`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::FrameError;
use super::strict::NoDuplicateKeys;
use crate::limits::{HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT};
use crate::model::{
    ChatText, ClientMsgId, GlossaryTerm, InvalidInput, Lang, MessageKey, RoomName, SourceLang,
    UserName, check_glossary_terms,
};

/// The actions with a route of their own; anything else is `$default`.
pub const ACTIONS: &[&str] = &[
    "translate",
    "join",
    "history",
    "members",
    "typing",
    "ping",
    "edit",
    "delete",
    "correct",
    "glossary",
    "glossary_set",
];

/// The actions whose refusals name their `clientMsgId`.
const NAMES_CLIENT_MSG_ID: &[&str] = &["translate", "edit", "delete", "correct", "glossary_set"];

/// A glossary term as it travels (v1.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermFrame {
    pub term: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub render: Option<String>,
}

/// A client → server frame as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
#[serde(rename_all_fields = "camelCase")]
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
    Members {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
    },
    Typing {},
    Ping {},
    /// v1.2: the sender rewrites its message.
    Edit {
        id: Option<String>,
        text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
    /// v1.2: the sender deletes its message.
    Delete {
        id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
    /// v1.2: a reader corrects the translation into its language.
    Correct {
        id: Option<String>,
        text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
    /// v1.2: the room glossary, please.
    Glossary {},
    /// v1.2: replace the room glossary, if it is still at `version`.
    #[serde(rename = "glossary_set")]
    GlossarySet {
        version: Option<u64>,
        terms: Option<Vec<TermFrame>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
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
    Members {
        after: Option<String>,
    },
    Typing,
    Ping,
    Edit {
        key: MessageKey,
        text: ChatText,
        client_msg_id: Option<ClientMsgId>,
    },
    Delete {
        key: MessageKey,
        client_msg_id: Option<ClientMsgId>,
    },
    Correct {
        key: MessageKey,
        text: ChatText,
        client_msg_id: Option<ClientMsgId>,
    },
    Glossary,
    GlossarySet {
        version: u64,
        terms: Vec<GlossaryTerm>,
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
        }
    }

    /// The request's `clientMsgId`, which its refusals name.
    pub fn client_msg_id(&self) -> Option<&ClientMsgId> {
        match self {
            Self::Translate { client_msg_id, .. }
            | Self::Edit { client_msg_id, .. }
            | Self::Delete { client_msg_id, .. }
            | Self::Correct { client_msg_id, .. }
            | Self::GlossarySet { client_msg_id, .. } => client_msg_id.as_ref(),
            _ => None,
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
    // A refused `translate` (or v1.2 change) names its clientMsgId, so the
    // sender knows which.
    let refuse = |e: FrameError| match NAMES_CLIENT_MSG_ID.contains(&action.as_str()) {
        true => e.with_client_msg_id(cmid.clone()),
        false => e,
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
        ClientFrame::Edit {
            id,
            text,
            client_msg_id,
        } => Command::Edit {
            key: message_key(id)?,
            text: ChatText::parse(&required(text, "text")?)?,
            client_msg_id: cmid(client_msg_id)?,
        },
        ClientFrame::Delete { id, client_msg_id } => Command::Delete {
            key: message_key(id)?,
            client_msg_id: cmid(client_msg_id)?,
        },
        ClientFrame::Correct {
            id,
            text,
            client_msg_id,
        } => Command::Correct {
            key: message_key(id)?,
            text: ChatText::parse(&required(text, "text")?)?,
            client_msg_id: cmid(client_msg_id)?,
        },
        ClientFrame::Glossary {} => Command::Glossary,
        ClientFrame::GlossarySet {
            version,
            terms,
            client_msg_id,
        } => {
            let terms = required(terms, "terms")?
                .iter()
                .map(|t| GlossaryTerm::parse(&t.term, t.lang.as_deref(), t.render.as_deref()))
                .collect::<Result<Vec<_>, _>>()?;
            check_glossary_terms(&terms)?;
            Command::GlossarySet {
                version: required(version, "version")?,
                terms,
                client_msg_id: cmid(client_msg_id)?,
            }
        }
    })
}

fn required<T>(v: Option<T>, field: &str) -> Result<T, InvalidInput> {
    v.ok_or_else(|| InvalidInput::BadRequest(format!("missing field `{field}`")))
}

fn cmid(v: Option<String>) -> Result<Option<ClientMsgId>, InvalidInput> {
    v.as_deref().map(ClientMsgId::parse).transpose()
}

fn message_key(id: Option<String>) -> Result<MessageKey, InvalidInput> {
    MessageKey::from_id(&required(id, "id")?)
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

    #[test]
    fn v12_frames() {
        let id = "01JD0000000000000000000000";
        let Command::Edit {
            key,
            text,
            client_msg_id,
        } = parse_command(&format!(
            r#"{{"action":"edit","id":"{id}","text":" new ","clientMsgId":"c-18"}}"#
        ))
        .unwrap()
        else {
            panic!("not an edit");
        };
        assert_eq!((key.id.as_str(), text.as_str()), (id, "new"));
        assert_eq!(key, MessageKey::from_id(id).unwrap());
        assert_eq!(client_msg_id.unwrap().as_str(), "c-18");
        let e = parse_command(r#"{"action":"edit","id":"x","text":"a","clientMsgId":"c-2"}"#)
            .unwrap_err();
        assert_eq!(
            (e.code, e.client_msg_id.as_deref()),
            ("bad_request", Some("c-2"))
        );
        assert_eq!(code(r#"{"action":"delete"}"#), "bad_request");
        assert_eq!(
            code(&format!(r#"{{"action":"correct","id":"{id}","text":" "}}"#)),
            "empty_text"
        );
        assert_eq!(
            parse_command(r#"{"action":"glossary"}"#).unwrap(),
            Command::Glossary
        );
        let set = parse_command(
            r#"{"action":"glossary_set","version":3,"terms":[{"term":"honyaku"},{"term":"deploy","lang":"ja","as":"デプロイ"}]}"#,
        )
        .unwrap();
        let Command::GlossarySet { version, terms, .. } = set else {
            panic!("not a glossary_set");
        };
        assert_eq!((version, terms.len()), (3, 2));
        assert_eq!(
            code(r#"{"action":"glossary_set","terms":[]}"#),
            "bad_request"
        );
        assert_eq!(
            code(r#"{"action":"glossary_set","version":1,"terms":[{"term":"a","lang":"ja"}]}"#),
            "bad_request"
        );
        assert_eq!(
            code(r#"{"action":"glossary_set","version":1,"terms":[{"term":"a","x":1}]}"#),
            "bad_request"
        );
        assert_eq!(
            route_key(r#"{"action":"glossary_set"}"#),
            Some("glossary_set")
        );
    }
}
