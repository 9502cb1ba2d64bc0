//! Lines for protocol v1.2's changes to messages and to the room: edits
//! are reprinted as messages marked "edited" (in `render`), deletions say
//! "message deleted" with the number the message had, corrections name
//! who made them, and glossary changes say what changed. A reply has the
//! line it answers quoted above it, in the reader's language; reactions
//! are one short line each, and their counts follow a history entry.

use honyaku::model::GlossaryTerm;
use honyaku::protocol::{AuthorView, DeletedEntry, MessageFrame, QuoteView, ReactionView};

use crate::bidi;
use crate::glossary::diff;
use crate::render::{Renderer, clean};

impl Renderer {
    /// The handle of message `id` (noting its sender and text), when this
    /// renderer gives handles.
    pub(crate) fn handle_of(&self, id: &str, from: &str, text: &str) -> Option<u32> {
        let handles = self.handles.as_ref()?;
        let mut handles = handles.lock().unwrap_or_else(|e| e.into_inner());
        Some(handles.note(id, from, text))
    }

    /// `#12` for a message known only by its id (`#?` without handles).
    fn label(&self, id: &str) -> (String, Option<(String, String)>) {
        let Some(handles) = self.handles.as_ref() else {
            return (String::new(), None);
        };
        let mut handles = handles.lock().unwrap_or_else(|e| e.into_inner());
        let handle = handles.handle(id);
        let known = handles
            .known(id)
            .filter(|k| !k.from.is_empty())
            .map(|k| (k.from.clone(), k.gist.clone()));
        (format!("#{handle} "), known)
    }

    /// A message's reply quote (above) and reactions (after), when it
    /// has them, around its rendered `line`.
    pub(crate) fn social(&self, m: &MessageFrame, mut line: String) -> String {
        if let Some(rs) = m.reactions.as_deref().filter(|r| !r.is_empty()) {
            line.push(' ');
            line.push_str(&self.dim(&tally(rs, self.me.tag.as_deref())));
        }
        match &m.reply_to {
            Some(q) => format!("{}\n{line}", self.quote(q)),
            None => line,
        }
    }

    /// `  ┌ #3 Aki: the quoted text`, dim.
    fn quote(&self, q: &QuoteView) -> String {
        let (label, _) = self.label(&q.id);
        let text = match (&q.text, q.deleted) {
            (Some(text), false) => format!("\"{}\"", crate::render::excerpt(text)),
            _ => "message deleted".into(),
        };
        format!(
            "{} {}",
            self.dim(&format!("      ┌ {}", label.trim_end())),
            self.dim(&format!("{}: {text}", self.name(&q.from.name)))
        )
    }

    /// A `reaction` frame: `* Bea reacted 👍 to #3 (Aki: "hello") · 👍 2`.
    pub fn reaction(
        &self,
        id: &str,
        emoji: &str,
        on: bool,
        count: u32,
        from: &AuthorView,
    ) -> String {
        let (label, known) = self.label(id);
        let which = match known {
            Some((author, gist)) => format!(
                "{}({}: \"{}\")",
                label,
                self.name(&author),
                bidi::isolate(&clean(&gist))
            ),
            None if label.is_empty() => "a message".to_owned(),
            None => label.trim_end().to_owned(),
        };
        let emoji = clean(emoji);
        let (verb, to) = if on {
            ("reacted", "to")
        } else {
            ("took back", "from")
        };
        self.note(&format!(
            "{} {verb} {emoji} {to} {} · {emoji} {count}",
            self.name(&from.name),
            which.trim_end()
        ))
    }

    /// A `deleted` frame.
    pub fn deleted(&self, id: &str) -> String {
        let (label, known) = self.label(id);
        let what = match known {
            Some((from, gist)) => format!(
                "{label}message deleted ({}: \"{}\")",
                self.name(&from),
                bidi::isolate(&clean(&gist))
            ),
            None => format!("{label}message deleted"),
        };
        self.note(&what)
    }

    /// A deleted message's place in a history page.
    pub fn deleted_entry(&self, d: &DeletedEntry) -> String {
        let time = crate::render::clock(d.ts);
        let time = match self.handle_of(&d.id, &d.from.name, "") {
            Some(h) => format!("{time} #{h}"),
            None => time,
        };
        format!(
            "{} {}: {}",
            self.dim(&time),
            self.name(&d.from.name),
            self.dim("message deleted")
        )
    }

    /// A `corrected` frame: the better translation and who gave it.
    pub fn corrected(&self, id: &str, text: &str, by: &AuthorView) -> String {
        let (label, known) = self.label(id);
        let raw = text;
        let text = bidi::isolate(&clean(text)).replace('\n', "\n      ");
        let by = self.dim(&format!("(corrected by {})", self.name(&by.name)));
        let line = match known {
            Some((from, _)) => format!(
                "{} {}: {text} {by}",
                self.dim(label.trim_end()),
                self.name(&from)
            ),
            None => format!("{}{text} {by}", self.dim(&label)),
        };
        if let Some(handles) = &self.handles {
            // What is kept of it is the text now read.
            let mut handles = handles.lock().unwrap_or_else(|e| e.into_inner());
            let from = handles
                .known(id)
                .map(|k| k.from.clone())
                .unwrap_or_default();
            handles.note(id, &from, raw);
        }
        line
    }

    /// A glossary as a list: one term to a line.
    pub fn glossary(
        &self,
        room: &str,
        version: u64,
        terms: &[GlossaryTerm],
        by: Option<&AuthorView>,
    ) -> String {
        if terms.is_empty() {
            return self.note(&format!(
                "the glossary of {} is empty; /glossary add TERM keeps a word as written",
                clean(room)
            ));
        }
        let saved = by.map_or_else(String::new, |by| {
            format!(", saved by {}", self.name(&by.name))
        });
        let mut out = self.note(&format!(
            "glossary of {} (version {version}{saved}), {} term{}:",
            clean(room),
            terms.len(),
            if terms.len() == 1 { "" } else { "s" }
        ));
        for t in terms {
            out.push_str("\n  ");
            out.push_str(&self.term(t));
        }
        out
    }

    /// Someone saved the glossary: what changed, when the list before is
    /// known.
    pub fn glossary_change(
        &self,
        old: Option<&[GlossaryTerm]>,
        new: &[GlossaryTerm],
        version: u64,
        by: Option<&AuthorView>,
    ) -> String {
        let who = by.map_or_else(|| "someone".to_owned(), |b| self.name(&b.name));
        let Some(old) = old else {
            return self.note(&format!(
                "{who} saved the glossary (version {version}, {} terms); /glossary lists them",
                new.len()
            ));
        };
        let (added, removed) = diff(old, new);
        let list = |ts: &[&GlossaryTerm]| {
            ts.iter()
                .map(|t| self.term(t))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("added {}", list(&added)));
        }
        if !removed.is_empty() {
            parts.push(format!("removed {}", list(&removed)));
        }
        if parts.is_empty() {
            parts.push("saved it unchanged".into());
        }
        self.note(&format!(
            "{who} changed the glossary: {} (version {version})",
            parts.join("; ")
        ))
    }

    /// `honyaku (kept as written)` or `deploy → デプロイ in ja`.
    fn term(&self, t: &GlossaryTerm) -> String {
        let term = bidi::isolate(&clean(&t.term));
        match (&t.lang, &t.render) {
            (Some(lang), Some(render)) => format!(
                "{term} → {} in {}",
                bidi::isolate(&clean(render)),
                lang.as_str()
            ),
            _ => format!("{term} (kept as written)"),
        }
    }

    /// A v1.2 refusal in words: `! edit: only its sender may edit a message`.
    pub fn refused(&self, action: Option<&str>, words: &str) -> String {
        let s = match action {
            Some(a) => format!(
                "! /{}: {words}",
                clean(a).replace("glossary_set", "glossary")
            ),
            None => format!("! {words}"),
        };
        self.paint(crate::render::RED, &s)
    }
}

/// `👍 3 · 🎉 1`; an emoji this person gave is marked with `*`.
fn tally(rs: &[ReactionView], my_tag: Option<&str>) -> String {
    rs.iter()
        .map(|r| {
            let mine = my_tag.is_some_and(|t| r.tags.iter().any(|x| x == t));
            format!(
                "{} {}{}",
                clean(&r.emoji),
                r.count,
                if mine { "*" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::handles::Handles;

    fn with_handles() -> Renderer {
        Renderer {
            handles: Some(Arc::new(Mutex::new(Handles::default()))),
            ..Renderer::default()
        }
    }

    fn term(t: &str, lang: Option<&str>, r: Option<&str>) -> GlossaryTerm {
        GlossaryTerm::parse(t, lang, r).unwrap()
    }

    fn by(name: &str) -> AuthorView {
        AuthorView {
            name: name.into(),
            tag: None,
        }
    }

    #[test]
    fn deletions_and_corrections_name_the_message() {
        let r = with_handles();
        assert_eq!(r.handle_of("01A", "Aki", "hello there"), Some(1));
        assert_eq!(
            r.deleted("01A"),
            "* #1 message deleted (Aki: \"hello there\")"
        );
        assert_eq!(r.deleted("01B"), "* #2 message deleted");
        assert_eq!(
            r.corrected("01A", "hola a todos", &by("Bea")),
            "#1 Aki: hola a todos (corrected by Bea)"
        );
        assert_eq!(
            r.corrected("01C", "otra", &by("Bea")),
            "#3 otra (corrected by Bea)"
        );
        // Without handles (--listen): no numbers.
        let plain = Renderer::default();
        assert_eq!(plain.deleted("01A"), "* message deleted");
        assert_eq!(
            plain.reaction("01A", "👍", true, 1, &by("Bea")),
            "* Bea reacted 👍 to a message · 👍 1"
        );
    }

    #[test]
    fn replies_quote_and_reactions_count() {
        let r = with_handles();
        r.handle_of("01A", "Aki", "hello there");
        let m: MessageFrame = serde_json::from_value(serde_json::json!({
            "id": "01B", "room": "r", "ts": 0, "from": {"name": "Ben", "connectionId": "c2"},
            "sourceLang": "es", "lang": "en", "text": "[en] yes", "translated": true,
            "replyTo": {"id": "01A", "from": {"name": "Aki"}, "text": "[en] hola a todos"},
            "reactions": [{"emoji": "👍", "count": 2, "tags": ["t1"]}, {"emoji": "🎉", "count": 1, "tags": []}]
        }))
        .unwrap();
        let me = Renderer {
            me: crate::render::Me {
                tag: Some("t1".into()),
                ..Default::default()
            },
            ..r.clone()
        };
        let line = me.message(&m);
        let (quote, reply) = line.split_once('\n').unwrap();
        assert_eq!(quote, "      ┌ #1 Aki: \"[en] hola a todos\"");
        assert!(reply.ends_with("#2 Ben: [en] yes 👍 2* · 🎉 1"), "{reply}");
        let gone = MessageFrame {
            reply_to: Some(QuoteView {
                id: "01Z".into(),
                from: by("Cat"),
                text: None,
                deleted: true,
            }),
            reactions: None,
            ..m
        };
        assert!(
            r.message(&gone)
                .starts_with("      ┌ #3 Cat: message deleted\n")
        );
        assert_eq!(
            r.reaction("01A", "👍", true, 3, &by("Bea")),
            "* Bea reacted 👍 to #1 (Aki: \"hello there\") · 👍 3"
        );
        assert_eq!(
            r.reaction("01Q", "👍", false, 0, &by("Bea")),
            "* Bea took back 👍 from #4 · 👍 0"
        );
    }

    #[test]
    fn glossaries_list_and_say_what_changed() {
        let r = Renderer::default();
        let old = vec![term("honyaku", None, None), term("sprint", None, None)];
        let new = vec![
            term("honyaku", None, None),
            term("deploy", Some("ja"), Some("デプロイ")),
        ];
        assert_eq!(
            r.glossary("lobby", 2, &new, Some(&by("Aki"))),
            "* glossary of lobby (version 2, saved by Aki), 2 terms:\n  honyaku (kept as written)\n  deploy → デプロイ in ja"
        );
        assert!(r.glossary("lobby", 0, &[], None).contains("is empty"));
        assert_eq!(
            r.glossary_change(Some(&old), &new, 3, Some(&by("Aki"))),
            "* Aki changed the glossary: added deploy → デプロイ in ja; removed sprint (kept as written) (version 3)"
        );
        assert!(
            r.glossary_change(None, &new, 3, None)
                .starts_with("* someone saved the glossary")
        );
        assert_eq!(
            r.refused(Some("glossary_set"), "only an admin may"),
            "! /glossary: only an admin may"
        );
    }
}
