//! A typed line: a message to send, or a slash command. Values are checked
//! with the server's own rules here, so a typo is answered at once and
//! never costs a round trip.

use std::path::PathBuf;

use honyaku::limits::{HISTORY_MAX_LIMIT, MAX_FRAME_BYTES};
use honyaku::model::{ChatText, Emoji, Lang, RoomName, UserName};
use honyaku::protocol::ClientFrame;

use crate::export::Format;
use crate::glossary::GlossaryOp;
use crate::handles::MsgRef;

/// Messages `/history` shows when no count is given.
pub const HISTORY_DEFAULT: u32 = 20;

pub const HELP: &str = "\
/join ROOM            move to another room
/lang CODE            read and write another language (e.g. en, ja, zh-TW)
/name NAME            change your display name
/history [N]          the last N messages of the room (default 20, at most 100)
/members              who is in the room (/members more: the next page)
/original             show or hide the original under translated messages
/edit [#N] TEXT       rewrite your message #N (without #N: your last one)
/delete [#N]          delete your message #N (without #N: your last one)
/correct #N TEXT      a better translation of #N into your language
/reply #N TEXT        answer #N (its line is quoted above yours)
/react #N EMOJI       react to #N with EMOJI, or take your reaction back
/glossary             list the room's glossary (terms kept as written, or fixed)
/glossary add TERM [LANG=RENDERING]
                      keep TERM as written, or render it as RENDERING in LANG
/glossary remove TERM take TERM out of the glossary
/export FILE          save the conversation: FILE.md (Markdown) or FILE.json
/quit                 leave (Ctrl-D too)
/help                 this list
#N is the dim number after each message's time; a full message id works too.
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
    /// v1.2: rewrite a message of one's own (the last one when `None`).
    Edit(Option<MsgRef>, String),
    /// v1.2: delete a message of one's own (the last one when `None`).
    Delete(Option<MsgRef>),
    /// v1.2: a better translation into the reader's language.
    Correct(MsgRef, String),
    /// v1.2: list the glossary (`None`), or change it.
    Glossary(Option<GlossaryOp>),
    /// v1.2: a message that answers another.
    Reply(MsgRef, String),
    /// v1.2: toggle a reaction.
    React(MsgRef, String),
    /// Save the conversation to a file.
    Export(PathBuf, Format),
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
            "edit" => {
                let usage =
                    "/edit takes the new text, after #N to edit another message than your last";
                let arg = need("the new text")?;
                match arg.split_once(char::is_whitespace) {
                    Some((first, text)) => match MsgRef::parse_marked(first) {
                        Some(r) => Self::Edit(Some(r), text_of(text)?),
                        None => Self::Edit(None, text_of(arg)?),
                    },
                    None if MsgRef::parse_marked(arg).is_some() => return Err(usage.into()),
                    None => Self::Edit(None, text_of(arg)?),
                }
            }
            "delete" if arg.is_empty() => Self::Delete(None),
            "delete" => Self::Delete(Some(MsgRef::parse(arg)?)),
            "correct" => {
                let (r, text) = message_and(
                    need("a message and the better translation")?,
                    "/correct #N TEXT",
                )?;
                Self::Correct(r, text_of(text)?)
            }
            "reply" => {
                let (r, text) = message_and(need("a message and your answer")?, "/reply #N TEXT")?;
                Self::Reply(r, text_of(text)?)
            }
            "react" => {
                let (r, emoji) = message_and(need("a message and an emoji")?, "/react #N EMOJI")?;
                Self::React(r, emoji_of(emoji)?)
            }
            "glossary" if arg.is_empty() => Self::Glossary(None),
            "glossary" => match arg.split_once(char::is_whitespace).unwrap_or((arg, "")) {
                ("add", rest) => Self::Glossary(Some(GlossaryOp::parse_add(rest)?)),
                ("remove", rest) => Self::Glossary(Some(GlossaryOp::parse_remove(rest)?)),
                _ => {
                    return Err(
                        "/glossary lists the glossary; /glossary add TERM [LANG=RENDERING] and /glossary remove TERM change it".into(),
                    );
                }
            },
            "export" => {
                let path = need("a file name (ending in .md or .json)")?;
                let (path, format) = crate::export::target(path)?;
                Self::Export(path, format)
            }
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

/// `#N TEXT`: a message and what follows it.
fn message_and<'a>(arg: &'a str, usage: &str) -> Result<(MsgRef, &'a str), String> {
    match arg.split_once(char::is_whitespace) {
        Some((first, rest)) if !rest.trim().is_empty() => Ok((MsgRef::parse(first)?, rest.trim())),
        _ => Err(format!("usage: {usage}")),
    }
}

/// Text for an edit, correction or reply: as for a message.
fn text_of(text: &str) -> Result<String, String> {
    match say(text)? {
        Command::Say(text) => Ok(text),
        _ => unreachable!("say gives Say"),
    }
}

/// One emoji, by the server's own rule (one grapheme: 👍, 👍🏽, 🇯🇵, 1️⃣).
fn emoji_of(s: &str) -> Result<String, String> {
    let s = s.trim();
    Emoji::parse(s)
        .map(|_| s.to_owned())
        .map_err(|_| format!("/react takes one emoji, e.g. 👍; not \"{s}\""))
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
    fn message_commands() {
        const ID: &str = "01JD5X6Q3V8K9M2N4P7R0S1T2W";
        let h = |n| Some(MsgRef::Handle(n));
        assert_eq!(
            Command::parse("/edit fixed typo"),
            Ok(Command::Edit(None, "fixed typo".into()))
        );
        assert_eq!(
            Command::parse("/edit #3 fixed"),
            Ok(Command::Edit(h(3), "fixed".into()))
        );
        // A bare number is text here: "/edit 3 apples" means three apples.
        assert_eq!(
            Command::parse("/edit 3 apples"),
            Ok(Command::Edit(None, "3 apples".into()))
        );
        assert_eq!(
            Command::parse(&format!("/edit {} new", ID.to_lowercase())),
            Ok(Command::Edit(Some(MsgRef::Id(ID.into())), "new".into()))
        );
        assert_eq!(Command::parse("/delete"), Ok(Command::Delete(None)));
        assert_eq!(Command::parse("/delete 7"), Ok(Command::Delete(h(7))));
        assert_eq!(
            Command::parse("/correct #2 Buen trabajo, equipo"),
            Ok(Command::Correct(
                MsgRef::Handle(2),
                "Buen trabajo, equipo".into()
            ))
        );
        assert_eq!(
            Command::parse("/reply 2 yes"),
            Ok(Command::Reply(MsgRef::Handle(2), "yes".into()))
        );
        assert_eq!(
            Command::parse("/react #2 👍"),
            Ok(Command::React(MsgRef::Handle(2), "👍".into()))
        );
        assert_eq!(Command::parse("/glossary"), Ok(Command::Glossary(None)));
        assert!(matches!(
            Command::parse("/glossary add deploy ja=デプロイ"),
            Ok(Command::Glossary(Some(GlossaryOp::Add { .. })))
        ));
        assert_eq!(
            Command::parse("/glossary remove deploy"),
            Ok(Command::Glossary(Some(GlossaryOp::Remove("deploy".into()))))
        );
        assert!(matches!(
            Command::parse("/export room.json"),
            Ok(Command::Export(_, Format::Json))
        ));
        assert_eq!(Command::Glossary(None).frame(), None);
        for cmd in [
            "/edit",
            "/delete",
            "/correct",
            "/reply",
            "/react",
            "/glossary add",
            "/glossary remove",
            "/export",
        ] {
            assert!(HELP.contains(&format!("\n{cmd} ")), "{cmd} not in /help");
        }
        assert!(
            HELP.lines().all(|l| l.chars().count() <= 80),
            "/help fits 80 columns"
        );
    }

    #[test]
    fn message_command_mistakes_are_sentences() {
        for (bad, says) in [
            ("/edit", "needs the new text"),
            ("/edit #3", "takes the new text"),
            ("/delete first", "is not a message"),
            ("/correct #2", "usage: /correct #N TEXT"),
            ("/correct hello there", "is not a message"),
            ("/reply", "needs a message"),
            ("/react #2 ok", "one emoji"),
            ("/react #2 👍 👎", "one emoji"),
            ("/glossary list", "/glossary add TERM"),
            ("/glossary add", "takes a TERM"),
            ("/glossary add deploy xx=y", "(in LANG=RENDERING)"),
            ("/export notes.txt", ".md (Markdown) or .json"),
            ("/export", "needs a file name"),
        ] {
            let why = Command::parse(bad).unwrap_err();
            assert!(why.contains(says), "{bad}: {why}");
        }
        let long = format!("/edit {}", "a".repeat(10_001));
        assert!(Command::parse(&long).is_err());
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
