//! Server frames as lines for a person: time, coloured names, presence,
//! the original under a translation when asked for. Everything that came
//! from the wire is cleaned of control characters first, so another user's
//! message cannot move the cursor or restyle the terminal.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{Local, TimeZone};

use honyaku::protocol::{HistoryItem, MemberView, MessageFrame, PresenceEvent, ServerFrame};

use crate::bidi;
use crate::handles::Handles;
use crate::mention::mentions;

/// Each style with the code that ends only it, so that styles nest: a
/// coloured name inside a dim line leaves the rest of the line dim.
pub(crate) type Style = (&'static str, &'static str);
pub(crate) const DIM: Style = ("\x1b[2m", "\x1b[22m");
pub(crate) const RED: Style = ("\x1b[31m", "\x1b[39m");
/// A message that names the reader: bold.
const MENTION: Style = ("\x1b[1m", "\x1b[22m");
/// Name colours: the normal and bright variants of green to cyan.
const PALETTE: &[&str] = &[
    "\x1b[32m", "\x1b[33m", "\x1b[34m", "\x1b[35m", "\x1b[36m", "\x1b[92m", "\x1b[93m", "\x1b[94m",
    "\x1b[95m", "\x1b[96m",
];
const DEFAULT_COLOUR: &str = "\x1b[39m";
/// Members named in a `joined` line; `/members` lists them all.
const JOINED_NAMES: usize = 20;

#[derive(Debug, Clone, Default)]
pub struct Renderer {
    /// ANSI colours: only for a terminal, and never with `NO_COLOR`.
    pub color: bool,
    /// Show each translated message's original under it (`/original`).
    pub show_original: bool,
    /// Who "you" are, from the last `joined`.
    pub me: Me,
    /// A person at a keyboard: say which key retries now while offline.
    pub retry_key: bool,
    /// Give each message shown a short handle (`#12`) that commands take
    /// for its id: where commands are typed (shared with the session).
    pub handles: Option<Arc<Mutex<Handles>>>,
}

/// This session as the server knows it: messages and members that are
/// this person's are marked "(you)".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Me {
    pub name: Option<String>,
    /// From `joined.tag`: the same across restarts (and per room), so it
    /// recognises this person's messages in history too.
    pub tag: Option<String>,
    /// This connection's id: recognises its own messages without a tag.
    pub connection_id: Option<String>,
}

impl Me {
    /// Whether `m` was written by this person.
    pub fn wrote(&self, m: &MessageFrame) -> bool {
        // Only the sender's own copy carries a clientMsgId.
        m.client_msg_id.is_some()
            || (self.tag.is_some() && m.from.tag == self.tag)
            || self.connection_id.as_deref() == Some(m.from.connection_id.as_str())
    }

    fn is(&self, member: &MemberView) -> bool {
        match (&self.tag, &member.tag) {
            (Some(mine), Some(theirs)) => mine == theirs,
            _ => self.name.as_deref() == Some(member.name.as_str()),
        }
    }
}

/// Whether to colour: stdout is a terminal and `NO_COLOR` is unset or empty
/// (<https://no-color.org>).
pub fn want_color(stdout_tty: bool) -> bool {
    stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

impl Renderer {
    /// The lines for one frame; `None` for frames a person need not see
    /// (`pong`, and `typing`, which an interactive session shows apart).
    pub fn frame(&self, frame: &ServerFrame) -> Option<String> {
        // The same person back moments after leaving (a server restart): no
        // second "joined" line.
        if let ServerFrame::Presence {
            event: PresenceEvent::Join,
            returning: true,
            ..
        } = frame
        {
            return None;
        }
        Some(match frame {
            ServerFrame::Message(m) => self.message(m),
            ServerFrame::Presence {
                room,
                event,
                name,
                lang,
                count,
                previous_name,
                ..
            } => self.note(&match (event, previous_name) {
                (PresenceEvent::Update, Some(before)) if before != name => format!(
                    "{} is now {} ({})",
                    self.name(before),
                    self.name(name),
                    clean(lang)
                ),
                (PresenceEvent::Update, _) => {
                    format!("{} now reads and writes {}", self.name(name), clean(lang))
                }
                (PresenceEvent::Join | PresenceEvent::Leave, _) => format!(
                    "{} ({}) {} {} · {count} here",
                    self.name(name),
                    clean(lang),
                    if *event == PresenceEvent::Join {
                        "joined"
                    } else {
                        "left"
                    },
                    clean(room)
                ),
            }),
            ServerFrame::Joined {
                room,
                lang,
                name,
                count,
                members,
                ..
            } => {
                let shown = &members[..members.len().min(JOINED_NAMES)];
                let more = count.saturating_sub(shown.len());
                let mut line = format!(
                    "you are {} ({}) in {} · {} here: {}",
                    self.name(name),
                    clean(lang),
                    clean(room),
                    count,
                    self.members(shown)
                );
                if more > 0 {
                    line.push_str(&format!(" and {more} more (/members lists them)"));
                }
                self.note(&line)
            }
            ServerFrame::Members {
                room,
                count,
                members,
                next,
            } => {
                let mut line = format!(
                    "in {} · {} here: {}",
                    clean(room),
                    count,
                    self.members(members)
                );
                if next.is_some() {
                    line.push_str(" … more: /members more");
                }
                self.note(&line)
            }
            ServerFrame::History { room, messages, .. } => {
                self.history(room, &messages.iter().collect::<Vec<_>>())
            }
            ServerFrame::Error {
                code,
                message,
                action,
                ..
            } => self.error(code, message, action.as_deref()),
            ServerFrame::Pong { .. } | ServerFrame::Typing { .. } => return None,
            ServerFrame::Edited(m) => self.message(m),
            ServerFrame::Reaction {
                id,
                emoji,
                on,
                count,
                from,
                ..
            } => self.reaction(id, emoji, *on, *count, from),
            ServerFrame::Deleted { id, .. } => self.deleted(id),
            ServerFrame::Corrected { id, text, by, .. } => self.corrected(id, text, by),
            ServerFrame::Glossary {
                room,
                version,
                terms,
                by,
            } => self.glossary(room, *version, terms, by.as_ref()),
        })
    }

    /// `HH:MM Name: text`, and the original on a second line when asked.
    /// A message from someone else that names the reader starts with `»`
    /// (and is bold, in colour).
    pub fn message(&self, m: &MessageFrame) -> String {
        let time = clock(m.ts);
        let own = self.me.wrote(m);
        let you = if own { " (you)" } else { "" };
        let mention = !own
            && self.me.name.as_deref().is_some_and(|name| {
                mentions(&m.text, name) || m.original.as_deref().is_some_and(|o| mentions(o, name))
            });
        let text = indent(&bidi::isolate(&clean(&m.text)));
        let (mark, text) = if mention {
            ("» ", self.paint(MENTION, &text))
        } else {
            ("", text)
        };
        let time = match self.handle_of(&m.id, &m.from.name, &m.text) {
            Some(h) => format!("{time} #{h}"),
            None => time,
        };
        let mut line = format!(
            "{mark}{} {}{you}: {text}",
            self.dim(&time),
            self.name(&m.from.name),
        );
        let marks: Vec<String> = m
            .edited_at
            .map(|_| "edited".to_owned())
            .into_iter()
            .chain(
                m.corrected_by
                    .as_ref()
                    .map(|by| format!("corrected by {}", self.name(&by.name))),
            )
            .collect();
        if !marks.is_empty() {
            line.push(' ');
            line.push_str(&self.dim(&format!("({})", marks.join(", "))));
        }
        if let Some(code) = &m.error {
            line.push(' ');
            line.push_str(&self.dim(&format!("({})", untranslated(code, m))));
        }
        if self.show_original
            && m.translated
            && let Some(original) = &m.original
        {
            let original = format!(
                "  ↳ ({}) {}",
                clean(&m.source_lang),
                bidi::isolate(&clean(original))
            );
            line.push_str("\n      ");
            line.push_str(&self.dim(&indent(&original)));
        }
        self.social(m, line)
    }

    /// A history page, oldest first, under a heading; deleted messages
    /// in their place.
    pub fn history(&self, room: &str, messages: &[&HistoryItem]) -> String {
        if messages.is_empty() {
            return self.note(&format!("no earlier messages in {}", clean(room)));
        }
        let mut out = self.note(&format!(
            "history of {}, {} message{}:",
            clean(room),
            messages.len(),
            if messages.len() == 1 { "" } else { "s" }
        ));
        for item in messages {
            out.push('\n');
            out.push_str(&match item {
                HistoryItem::Message(m) => self.message(m),
                HistoryItem::Deleted(d) => self.deleted_entry(d),
            });
        }
        out
    }

    /// An `error` frame (or a local refusal) as one line.
    pub fn error(&self, code: &str, message: &str, action: Option<&str>) -> String {
        let mut s = format!("! {}: {}", clean(code), clean(message));
        if let Some(action) = action {
            s.push_str(&format!(" ({})", clean(action)));
        }
        self.paint(RED, &s)
    }

    /// A dropped connection, or a failed attempt to get it back.
    pub fn lost(&self, reason: &str, attempt: u32, retry_in: std::time::Duration) -> String {
        let secs = retry_in.as_secs_f32();
        let key = if self.retry_key { " (Enter: now)" } else { "" };
        self.note(&if attempt <= 1 {
            format!(
                "connection lost ({}); reconnecting in {secs:.1}s{key}",
                clean(reason)
            )
        } else {
            format!(
                "still offline ({}); retrying in {secs:.1}s{key}",
                clean(reason)
            )
        })
    }

    /// Back online after a drop.
    pub fn back(&self, offline_for: Duration) -> String {
        self.note(&format!(
            "reconnected after {}s offline",
            offline_for.as_secs_f32().round()
        ))
    }

    /// A message typed while offline.
    pub fn queued(&self, text: &str) -> String {
        self.note(&format!(
            "offline: \"{}\" is queued and goes out when the connection is back",
            excerpt(text)
        ))
    }

    /// A message that was refused or got no echo, and why.
    pub fn unanswered(&self, text: &str, code: &str, why: &str) -> String {
        self.error(code, &format!("{why}: \"{}\"", excerpt(text)), None)
    }

    /// "Aki is typing…" for the names given, first to start first.
    pub fn typing(&self, names: &[&str]) -> String {
        let named = |names: &[&str]| {
            names
                .iter()
                .map(|n| self.name(n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        self.note(&match names {
            [] => return String::new(),
            [one] => format!("{} is typing…", self.name(one)),
            [first @ .., last] if names.len() <= 3 => {
                format!("{} and {} are typing…", named(first), self.name(last))
            }
            _ => format!("{} people are typing…", names.len()),
        })
    }

    /// A line about the session rather than the chat.
    pub fn note(&self, s: &str) -> String {
        self.dim(&format!("* {s}"))
    }

    /// `Aki (ja, you), Ben (en)`; a name held by two people gets the start
    /// of each one's tag, so they can be told apart.
    fn members(&self, members: &[MemberView]) -> String {
        let mut you_seen = false;
        members
            .iter()
            .map(|m| {
                let twins = members.iter().filter(|o| o.name == m.name).count() > 1;
                let tag = match &m.tag {
                    Some(tag) if twins => {
                        format!("#{}", clean(&tag.chars().take(4).collect::<String>()))
                    }
                    _ => String::new(),
                };
                let you = !you_seen && self.me.is(m);
                you_seen |= you;
                let you = if you { ", you" } else { "" };
                format!("{}{tag} ({}{you})", self.name(&m.name), clean(&m.lang))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A name, always in the same colour for the same name.
    pub(crate) fn name(&self, name: &str) -> String {
        let hash = name.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        let colour = PALETTE[hash as usize % PALETTE.len()];
        let shown = bidi::isolate(&clean(name).replace('\n', " "));
        self.paint((colour, DEFAULT_COLOUR), &shown)
    }

    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint(DIM, s)
    }

    pub(crate) fn paint(&self, (on, off): Style, s: &str) -> String {
        if self.color {
            // Close and re-open the style around each line break, so a
            // line printed above the prompt never leaks its style.
            let s = s.replace('\n', &format!("{off}\n{on}"));
            format!("{on}{s}{off}")
        } else {
            s.to_owned()
        }
    }
}

/// `HH:MM` in local time.
pub(crate) fn clock(ts: i64) -> String {
    Local
        .timestamp_millis_opt(ts)
        .single()
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_else(|| "--:--".into())
}

/// Why a message came as written, in words (the `error` codes of
/// docs/PROTOCOL.md); an unknown code is named as it came.
fn untranslated(code: &str, m: &MessageFrame) -> String {
    match code {
        "unsupported_language_pair" => format!(
            "not translated: this server does not translate {} into {}",
            clean(&m.source_lang),
            clean(&m.lang)
        ),
        "translation_failed" => "not translated: the translation failed".into(),
        "translation_unavailable" => "not translated: translation is unavailable right now".into(),
        other => format!("not translated: {}", clean(other)),
    }
}

/// Text from the wire, safe to print: control characters (ESC above all)
/// become U+FFFD, tabs become spaces; line breaks stay.
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' => '\n',
            '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// The start of a message, on one line, to say which one a note is about.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 40;
    let one_line = clean(text).replace('\n', " ");
    bidi::isolate(&match one_line.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    })
}

/// Continuation lines of a multi-line message, indented under its text.
pub(crate) fn indent(s: &str) -> String {
    s.replace('\n', "\n      ")
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
