//! Short handles for messages. Nobody types a 26-character id, so each
//! message printed gets a small number (`#12`, shown dimly) that commands
//! accept in its place. The map is bounded: the oldest handles are
//! forgotten first, and a full id always works.

use std::collections::{HashMap, VecDeque};

use honyaku::model::MessageKey;

/// Messages remembered; older ones need their full id.
pub const HANDLES_KEPT: usize = 1_000;
/// Characters of a message's text kept to say which one a note is about.
const GIST_CHARS: usize = 60;

/// A message as typed in a command: a handle (`#12`, or `12` where only
/// an id can stand) or a full message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MsgRef {
    Handle(u32),
    Id(String),
}

impl MsgRef {
    /// `#12`, `12` or a message id; `Err` is a sentence.
    pub fn parse(word: &str) -> Result<Self, String> {
        let digits = word.strip_prefix('#').unwrap_or(word);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return digits
                .parse()
                .map(Self::Handle)
                .map_err(|_| format!("there is no message #{digits}"));
        }
        Self::id(word).ok_or_else(|| {
            format!("\"{word}\" is not a message: give its number (#12) or its full id")
        })
    }

    /// Only `#12` or a full id: where a bare number could be the start of
    /// the text (`/edit 3 apples`), it is.
    pub fn parse_marked(word: &str) -> Option<Self> {
        match word.strip_prefix('#') {
            Some(_) => Self::parse(word).ok(),
            None => Self::id(word),
        }
    }

    /// A full id, in the canonical upper case the server stores.
    fn id(word: &str) -> Option<Self> {
        let id = word.to_ascii_uppercase();
        (id.len() == 26 && MessageKey::from_id(&id).is_ok()).then_some(Self::Id(id))
    }
}

/// What is remembered of a message shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub handle: u32,
    /// The sender's display name.
    pub from: String,
    /// The start of its text, in the reader's language.
    pub gist: String,
}

#[derive(Debug, Default)]
pub struct Handles {
    next: u32,
    by_id: HashMap<String, Known>,
    by_handle: HashMap<u32, String>,
    /// Ids in the order their handles were given, oldest first.
    order: VecDeque<String>,
}

impl Handles {
    /// The handle of message `id` (a new one the first time), and what is
    /// kept of it, updated.
    pub fn note(&mut self, id: &str, from: &str, text: &str) -> u32 {
        let gist = gist(text);
        if let Some(known) = self.by_id.get_mut(id) {
            known.from = from.to_owned();
            known.gist = gist;
            return known.handle;
        }
        if self.order.len() == HANDLES_KEPT
            && let Some(old) = self.order.pop_front()
            && let Some(k) = self.by_id.remove(&old)
        {
            self.by_handle.remove(&k.handle);
        }
        self.next += 1;
        let handle = self.next;
        self.by_id.insert(
            id.to_owned(),
            Known {
                handle,
                from: from.to_owned(),
                gist,
            },
        );
        self.by_handle.insert(handle, id.to_owned());
        self.order.push_back(id.to_owned());
        handle
    }

    /// The handle of a message without changing what is kept (a new one
    /// for a message not seen yet, e.g. deleted before it was shown).
    pub fn handle(&mut self, id: &str) -> u32 {
        match self.by_id.get(id) {
            Some(k) => k.handle,
            None => self.note(id, "", ""),
        }
    }

    pub fn known(&self, id: &str) -> Option<&Known> {
        self.by_id.get(id)
    }

    /// The message id `r` stands for; `Err` is a sentence.
    pub fn resolve(&self, r: &MsgRef) -> Result<String, String> {
        match r {
            MsgRef::Id(id) => Ok(id.clone()),
            MsgRef::Handle(h) => self.by_handle.get(h).cloned().ok_or_else(|| {
                if *h == 0 || *h > self.next {
                    format!("there is no message #{h} (message numbers are the dim #N on each line)")
                } else {
                    format!(
                        "#{h} is too old to be remembered (the last {HANDLES_KEPT} are); use its full id"
                    )
                }
            }),
        }
    }
}

/// The start of a text on one line.
fn gist(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(GIST_CHARS) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01JD5X6Q3V8K9M2N4P7R0S1T2W";

    #[test]
    fn references_parse() {
        assert_eq!(MsgRef::parse("#12"), Ok(MsgRef::Handle(12)));
        assert_eq!(MsgRef::parse("12"), Ok(MsgRef::Handle(12)));
        assert_eq!(MsgRef::parse(ID), Ok(MsgRef::Id(ID.into())));
        assert_eq!(MsgRef::parse(&ID.to_lowercase()), Ok(MsgRef::Id(ID.into())));
        for bad in ["#", "#x", "abc", "01JD5X", "#99999999999"] {
            assert!(MsgRef::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(MsgRef::parse_marked("#3"), Some(MsgRef::Handle(3)));
        assert_eq!(MsgRef::parse_marked("3"), None);
        assert_eq!(MsgRef::parse_marked(ID), Some(MsgRef::Id(ID.into())));
    }

    #[test]
    fn handles_are_stable_and_bounded() {
        let mut h = Handles::default();
        assert_eq!(h.note("a", "Aki", "hello   there\nyou"), 1);
        assert_eq!(h.note("b", "Ben", "hi"), 2);
        assert_eq!(h.note("a", "Aki", "hello again"), 1);
        assert_eq!(h.known("a").unwrap().gist, "hello again");
        assert_eq!(h.resolve(&MsgRef::Handle(2)), Ok("b".into()));
        assert!(
            h.resolve(&MsgRef::Handle(3))
                .unwrap_err()
                .contains("no message #3")
        );
        for i in 0..HANDLES_KEPT {
            h.note(&format!("m{i}"), "x", "y");
        }
        assert!(
            h.resolve(&MsgRef::Handle(1))
                .unwrap_err()
                .contains("too old")
        );
        assert!(h.known("a").is_none());
        assert_eq!(h.by_id.len(), HANDLES_KEPT);
        assert_eq!(h.by_handle.len(), HANDLES_KEPT);
        assert_eq!(h.handle("m5"), 8);
        assert_eq!(gist(&"w ".repeat(100)).chars().count(), GIST_CHARS + 1);
    }
}
