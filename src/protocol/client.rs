//! Client → server frames: what travels (`ClientFrame`), and the checked
//! request the core handles (`Command`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::FrameError;
use super::command::{Command, cmid, message_key, required};
use super::strict::NoDuplicateKeys;
use crate::limits::{HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT};
use crate::model::{
    ChatText, ClientMsgId, GlossaryTerm, InvalidInput, Lang, RoomName, SourceLang, UserName,
    check_glossary_terms,
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
    "react",
];

/// The actions whose refusals name their `clientMsgId`.
const NAMES_CLIENT_MSG_ID: &[&str] = &[
    "translate",
    "edit",
    "delete",
    "correct",
    "glossary_set",
    "react",
];

/// A glossary term as it travels (v1.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermFrame {
    /// The term as written.
    pub term: String,
    /// The language of `as`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// `as`: the fixed rendering in `lang`.
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub render: Option<String>,
}

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
    /// v1.2: the sender rewrites its message.
    Edit {
        /// The message's id.
        id: Option<String>,
        /// The new text.
        text: Option<String>,
        /// Echoed on the sender's copy, and on a refusal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
    /// v1.2: the sender deletes its message.
    Delete {
        /// The message's id.
        id: Option<String>,
        /// Echoed on a refusal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
    /// v1.2: a reader corrects the translation into its language.
    Correct {
        /// The message's id.
        id: Option<String>,
        /// The better translation, in the sender's language.
        text: Option<String>,
        /// Echoed on a refusal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
    /// v1.2: the room glossary, please.
    Glossary {},
    /// v1.2: replace the room glossary, if it is still at `version`.
    #[serde(rename = "glossary_set")]
    GlossarySet {
        /// The version this replaces (0 for the first).
        version: Option<u64>,
        /// The whole new list.
        terms: Option<Vec<TermFrame>>,
        /// Echoed on a refusal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
    /// v1.2: toggle the sender's reaction to a message.
    React {
        /// The message's id.
        id: Option<String>,
        /// One emoji grapheme.
        emoji: Option<String>,
        /// Echoed on a refusal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
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
    let reply_to = super::social::reply_to(map, &action).map_err(refuse)?;
    command(frame)
        .map(|c| c.with_reply_to(reply_to))
        .map_err(|e| refuse(FrameError::invalid(e, &action)))
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
            reply_to: None,
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
        ClientFrame::React {
            id,
            emoji,
            client_msg_id,
        } => super::social::react(id, emoji, client_msg_id)?,
    })
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
