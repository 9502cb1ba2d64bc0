//! A typed line: a message to send, or a slash command. Values are checked
//! with the server's own rules here, so a typo is answered at once and
//! never costs a round trip.

use honyaku::limits::{HISTORY_MAX_LIMIT, MAX_FRAME_BYTES};
use honyaku::model::{ChatText, Lang, RoomName, UserName};
use honyaku::protocol::ClientFrame;

/// Messages `/history` shows when no count is given.
pub const HISTORY_DEFAULT: u32 = 20;

pub const HELP: &str = "\
/join ROOM     move to another room
/lang CODE     read and write in another language (e.g. en, ja, es, zh-TW)
/name NAME     change your display name
/history [N]   show the last N messages of the room (default 20, at most 100)
/members       who is in the room (/members more: the next page)
/original      toggle showing the original under translated messages
/quit          leave (Ctrl-D too)
/help          this list
Any other line is sent as a message; start it with // to send a leading /.
Offline, Enter on an empty line reconnects now instead of after the wait.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Blank line: nothing to do.
    Nothing,
    Say(String),
    Join(RoomName),
    Lang(Lang),
    Name(UserName),
    History(u32),
    Members,
    /// The next page of the last `members` list.
    MembersMore,
    Original,
    Quit,
    Help,
}

impl Command {
    /// Parses one line; `Err` is a sentence saying what was wrong.
    pub fn parse(line: &str) -> Result<Self, String> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(Self::Nothing);
        }
        if let Some(text) = line.strip_prefix("//") {
            return say(&format!("/{text}"));
        }
        let Some(rest) = line.strip_prefix('/') else {
            return say(line);
        };
        let (cmd, arg) = match rest.split_once(char::is_whitespace) {
            Some((c, a)) => (c, a.trim()),
            None => (rest, ""),
        };
        let need = |what: &str| {
            if arg.is_empty() {
                Err(format!("/{cmd} needs {what}"))
            } else {
                Ok(arg)
            }
        };
        Ok(match cmd {
            "join" => Self::Join(RoomName::parse(need("a room")?).map_err(|e| e.to_string())?),
            "lang" => Self::Lang(Lang::parse(need("a language code")?).map_err(|e| e.to_string())?),
            "name" => Self::Name(UserName::parse(need("a name")?).map_err(|e| e.to_string())?),
            "history" if arg.is_empty() => Self::History(HISTORY_DEFAULT),
            "history" => match arg.parse::<u32>() {
                Ok(n) if (1..=HISTORY_MAX_LIMIT as u32).contains(&n) => Self::History(n),
                _ => {
                    return Err(format!(
                        "/history takes a count from 1 to {HISTORY_MAX_LIMIT}"
                    ));
                }
            },
            "members" if arg.is_empty() => Self::Members,
            "members" if arg == "more" => Self::MembersMore,
            "members" => return Err("/members takes nothing, or \"more\"".into()),
            "original" => Self::Original,
            "quit" | "exit" => Self::Quit,
            "help" | "?" => Self::Help,
            _ => return Err(format!("unknown command /{cmd}; /help lists them")),
        })
    }

    /// The frame this command sends, if it sends one. `Say` is left to the
    /// caller, which gives it a `clientMsgId`.
    pub fn frame(&self) -> Option<ClientFrame> {
        let join = |room: Option<&RoomName>, lang: Option<&Lang>, name: Option<&UserName>| {
            ClientFrame::Join {
                room: room.map(|r| r.as_str().to_owned()),
                lang: lang.map(|l| l.as_str().to_owned()),
                name: name.map(|n| n.as_str().to_owned()),
            }
        };
        Some(match self {
            Self::Join(room) => join(Some(room), None, None),
            Self::Lang(lang) => join(None, Some(lang), None),
            Self::Name(name) => join(None, None, Some(name)),
            Self::History(n) => ClientFrame::History {
                limit: Some(*n),
                before: None,
            },
            Self::Members => ClientFrame::Members { after: None },
            _ => return None,
        })
    }
}

/// A message, if the server will take it: text within the limit, and a
/// frame within API Gateway's 32 KB once JSON has escaped it.
fn say(text: &str) -> Result<Command, String> {
    let text = ChatText::parse(text).map_err(|e| e.to_string())?;
    let frame = translate_frame(text.as_str(), "x".repeat(64));
    let size = serde_json::to_string(&frame).map_or(usize::MAX, |s| s.len());
    if size > MAX_FRAME_BYTES {
        return Err(format!(
            "the message makes a {size}-byte frame; the limit is {MAX_FRAME_BYTES}"
        ));
    }
    Ok(Command::Say(text.into_string()))
}

/// A `translate` frame for `text`.
pub fn translate_frame(text: &str, client_msg_id: String) -> ClientFrame {
    ClientFrame::Translate {
        text: Some(text.to_owned()),
        client_msg_id: Some(client_msg_id),
        source_lang: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(Command::parse("  "), Ok(Command::Nothing));
        assert_eq!(Command::parse(" hi "), Ok(Command::Say("hi".into())));
        assert_eq!(
            Command::parse("//me waves"),
            Ok(Command::Say("/me waves".into()))
        );
        assert_eq!(
            Command::parse("/join room-2"),
            Ok(Command::Join(RoomName::parse("room-2").unwrap()))
        );
        assert_eq!(
            Command::parse("/lang es"),
            Ok(Command::Lang(Lang::parse("es").unwrap()))
        );
        assert_eq!(
            Command::parse("/name  Aki Tanaka "),
            Ok(Command::Name(UserName::parse("Aki Tanaka").unwrap()))
        );
        assert_eq!(Command::parse("/history"), Ok(Command::History(20)));
        assert_eq!(Command::parse("/history 5"), Ok(Command::History(5)));
        assert_eq!(Command::parse("/quit"), Ok(Command::Quit));
        assert_eq!(Command::parse("/members"), Ok(Command::Members));
        assert_eq!(Command::parse("/members more"), Ok(Command::MembersMore));
    }

    #[test]
    fn mistakes_are_caught_locally() {
        for bad in [
            "/join a b",
            "/join",
            "/lang xx",
            "/history 0",
            "/history 101",
            "/members all",
            "/dance",
        ] {
            assert!(Command::parse(bad).is_err(), "{bad}");
        }
        assert!(Command::parse(&"a".repeat(10_001)).is_err());
        assert!(Command::parse(&"a".repeat(10_000)).is_ok());
        // Within 10,000 bytes but over 32 KB once escaped.
        assert!(Command::parse(&"\u{1}".repeat(9_000)).is_err());
    }

    #[test]
    fn frames() {
        let f = Command::parse("/lang ja").unwrap().frame().unwrap();
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"action":"join","lang":"ja"}"#
        );
        assert_eq!(Command::Quit.frame(), None);
    }
}
