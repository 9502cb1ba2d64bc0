//! Server frames as lines for a person: time, coloured names, presence,
//! the original under a translation when asked for. Everything that came
//! from the wire is cleaned of control characters first, so another user's
//! message cannot move the cursor or restyle the terminal.

use chrono::{Local, TimeZone};
use honyaku::protocol::{HistoryItem, MemberView, MessageFrame, PresenceEvent, ServerFrame};

/// Each style with the code that ends only it, so that styles nest: a
/// coloured name inside a dim line leaves the rest of the line dim.
type Style = (&'static str, &'static str);
const DIM: Style = ("\x1b[2m", "\x1b[22m");
const RED: Style = ("\x1b[31m", "\x1b[39m");
/// Name colours: the normal and bright variants of green to cyan.
const PALETTE: &[&str] = &[
    "\x1b[32m", "\x1b[33m", "\x1b[34m", "\x1b[35m", "\x1b[36m", "\x1b[92m", "\x1b[93m", "\x1b[94m",
    "\x1b[95m", "\x1b[96m",
];
const DEFAULT_COLOUR: &str = "\x1b[39m";

#[derive(Debug, Clone, Copy)]
pub struct Renderer {
    /// ANSI colours: only for a terminal, and never with `NO_COLOR`.
    pub color: bool,
    /// Show each translated message's original under it (`/original`).
    pub show_original: bool,
}

/// Whether to colour: stdout is a terminal and `NO_COLOR` is unset or empty
/// (<https://no-color.org>).
pub fn want_color(stdout_tty: bool) -> bool {
    stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

impl Renderer {
    /// The lines for one frame; `None` for frames a person need not see.
    pub fn frame(&self, frame: &ServerFrame) -> Option<String> {
        Some(match frame {
            ServerFrame::Message(m) => self.message(m),
            ServerFrame::Presence {
                room,
                event,
                name,
                lang,
                count,
                ..
            } => {
                let verb = match event {
                    PresenceEvent::Join => "joined",
                    PresenceEvent::Leave => "left",
                    PresenceEvent::Update => "changed",
                };
                self.note(&format!(
                    "{} ({}) {verb} {} · {count} here",
                    self.name(name),
                    clean(lang),
                    clean(room)
                ))
            }
            ServerFrame::Joined {
                room,
                lang,
                name,
                members,
                ..
            } => self.note(&format!(
                "you are {} ({}) in {} · {} here: {}",
                self.name(name),
                clean(lang),
                clean(room),
                members.len(),
                self.members(members)
            )),
            ServerFrame::Members { room, members, .. } => {
                self.note(&format!("in {}: {}", clean(room), self.members(members)))
            }
            ServerFrame::History { room, messages, .. } => {
                let messages: Vec<&MessageFrame> =
                    messages.iter().map(|HistoryItem::Message(m)| m).collect();
                self.history(room, &messages)
            }
            ServerFrame::Error {
                code,
                message,
                action,
                ..
            } => self.error(code, message, action.as_deref()),
            ServerFrame::Pong { .. } | ServerFrame::Typing { .. } => return None,
        })
    }

    /// `HH:MM Name: text`, and the original on a second line when asked.
    pub fn message(&self, m: &MessageFrame) -> String {
        let time = Local
            .timestamp_millis_opt(m.ts)
            .single()
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_else(|| "--:--".into());
        let mut line = format!(
            "{} {}: {}",
            self.dim(&time),
            self.name(&m.from.name),
            indent(&clean(&m.text))
        );
        if let Some(code) = &m.error {
            line.push(' ');
            line.push_str(&self.dim(&format!("[untranslated: {}]", clean(code))));
        }
        if self.show_original
            && m.translated
            && let Some(original) = &m.original
        {
            let original = format!("  ↳ ({}) {}", clean(&m.source_lang), clean(original));
            line.push_str("\n      ");
            line.push_str(&self.dim(&indent(&original)));
        }
        line
    }

    /// A history page, oldest first, under a heading.
    pub fn history(&self, room: &str, messages: &[&MessageFrame]) -> String {
        if messages.is_empty() {
            return self.note(&format!("no earlier messages in {}", clean(room)));
        }
        let mut out = self.note(&format!(
            "history of {}, {} message{}:",
            clean(room),
            messages.len(),
            if messages.len() == 1 { "" } else { "s" }
        ));
        for m in messages {
            out.push('\n');
            out.push_str(&self.message(m));
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
        self.note(&if attempt <= 1 {
            format!(
                "connection lost ({}); reconnecting in {secs:.1}s",
                clean(reason)
            )
        } else {
            format!("still offline ({}); retrying in {secs:.1}s", clean(reason))
        })
    }

    /// A line about the session rather than the chat.
    pub fn note(&self, s: &str) -> String {
        self.dim(&format!("* {s}"))
    }

    fn members(&self, members: &[MemberView]) -> String {
        members
            .iter()
            .map(|m| format!("{} ({})", self.name(&m.name), clean(&m.lang)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A name, always in the same colour for the same name.
    fn name(&self, name: &str) -> String {
        let hash = name.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        let colour = PALETTE[hash as usize % PALETTE.len()];
        self.paint((colour, DEFAULT_COLOUR), &clean(name).replace('\n', " "))
    }

    fn dim(&self, s: &str) -> String {
        self.paint(DIM, s)
    }

    fn paint(&self, (on, off): Style, s: &str) -> String {
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

/// Continuation lines of a multi-line message, indented under its text.
fn indent(s: &str) -> String {
    s.replace('\n', "\n      ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Renderer = Renderer {
        color: false,
        show_original: false,
    };

    /// From JSON, as it arrives: new optional fields in the server's
    /// frame type do not break this test.
    fn msg() -> MessageFrame {
        serde_json::from_value(serde_json::json!({
            "id": "01", "room": "lobby", "ts": 0,
            "from": {"name": "Aki", "connectionId": "c1"},
            "sourceLang": "ja", "lang": "es", "text": "Hola", "original": "こんにちは",
            "translated": true, "engine": "pseudo"
        }))
        .unwrap()
    }

    #[test]
    fn messages() {
        let line = PLAIN.message(&msg());
        assert!(line.ends_with(" Aki: Hola"), "{line}");
        assert!(!line.contains("こんにちは"));
        let with = Renderer {
            show_original: true,
            ..PLAIN
        }
        .message(&msg());
        assert!(with.contains("↳ (ja) こんにちは"), "{with}");
        let failed = MessageFrame {
            translated: false,
            error: Some("unsupported_language_pair".into()),
            ..msg()
        };
        assert!(
            PLAIN
                .message(&failed)
                .contains("[untranslated: unsupported_language_pair]")
        );
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        let evil = MessageFrame {
            text: "hi\x1b[2J\x07\tthere\nline two".into(),
            ..msg()
        };
        let line = PLAIN.message(&evil);
        assert!(!line.contains('\x1b') && !line.contains('\x07'), "{line:?}");
        assert!(line.contains("hi\u{FFFD}[2J\u{FFFD} there\n      line two"));
    }

    #[test]
    fn colours_only_when_asked() {
        assert!(!PLAIN.message(&msg()).contains('\x1b'));
        let c = Renderer {
            color: true,
            ..PLAIN
        };
        let line = c.message(&msg());
        assert!(line.contains("Aki") && line.contains('\x1b'), "{line:?}");
        assert_eq!(c.name("Aki"), c.name("Aki"));
    }

    #[test]
    fn other_frames() {
        let p = ServerFrame::Presence {
            room: "lobby".into(),
            event: PresenceEvent::Leave,
            name: "Ben".into(),
            lang: "es".into(),
            count: 2,
            tag: None,
            previous_name: None,
        };
        assert_eq!(PLAIN.frame(&p).unwrap(), "* Ben (es) left lobby · 2 here");
        let e = ServerFrame::Error {
            code: "invalid_lang".into(),
            message: "unknown language code \"xx\"".into(),
            action: Some("join".into()),
            client_msg_id: None,
        };
        assert_eq!(
            PLAIN.frame(&e).unwrap(),
            "! invalid_lang: unknown language code \"xx\" (join)"
        );
        assert_eq!(PLAIN.frame(&ServerFrame::Pong { ts: 1 }), None);
        let h = ServerFrame::History {
            room: "lobby".into(),
            lang: "es".into(),
            messages: vec![],
            next: None,
        };
        assert_eq!(PLAIN.frame(&h).unwrap(), "* no earlier messages in lobby");
    }
}
