//! What v1.2 adds to make a room social: a reply's quote of another
//! message, and reactions (one emoji grapheme each, toggled by a reader)
//! with the per-message tally every store keeps the same way.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::{Author, ClientTag, InvalidInput, Lang};
use crate::limits::{
    QUOTE_MAX_CHARS, REACTION_EMOJI_MAX_BYTES, REACTION_TAGS_LISTED, REACTIONS_MAX_EMOJI,
};

/// The message a reply quotes, as it read when the reply was sent: a
/// snapshot kept in the reply's own item, so `history` needs no extra
/// read and no item outgrows its limit (at most 200 characters a language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted message's id.
    pub id: String,
    /// Its sender.
    pub from: Author,
    /// The language it was written in: its text there is the fallback
    /// for a reader of a language it had no translation into.
    pub source_lang: Lang,
    /// The quoted text (cut) by reader language; empty when it was
    /// deleted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<Lang, String>,
    /// The quoted message was deleted: no text is kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

impl Quote {
    /// The quoted text as `lang` reads it: its translation then, or the
    /// original; `None` for a deleted message.
    pub fn text_in(&self, lang: Lang) -> Option<&str> {
        if self.deleted {
            return None;
        }
        self.texts
            .get(&lang)
            .or_else(|| self.texts.get(&self.source_lang))
            .map(String::as_str)
    }
}

/// `text` cut to [`QUOTE_MAX_CHARS`] characters on a grapheme boundary,
/// ending with `…` when something was cut.
pub fn cut_quote(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= QUOTE_MAX_CHARS {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut chars = 0;
    for g in text.graphemes(true) {
        let n = g.chars().count();
        // One character is kept for the ellipsis.
        if chars + n > QUOTE_MAX_CHARS - 1 {
            break;
        }
        out.push_str(g);
        chars += n;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// One emoji grapheme, as a reaction (v1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Emoji(String);

impl Emoji {
    /// Exactly one emoji grapheme: a pictograph (with skin tones,
    /// variation selectors, ZWJ sequences, tags), a flag's two regional
    /// indicators, or a keycap.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let bad = || {
            InvalidInput::BadRequest(
                "emoji must be exactly one emoji (one grapheme, like 👍)".into(),
            )
        };
        let mut graphemes = s.graphemes(true);
        let (Some(g), None) = (graphemes.next(), graphemes.next()) else {
            return Err(bad());
        };
        if g.len() > REACTION_EMOJI_MAX_BYTES || !is_emoji(g) {
            return Err(bad());
        }
        Ok(Self(g.to_owned()))
    }

    /// An emoji as stored (checked when it was first written).
    pub fn from_stored(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The emoji as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_pictograph(c: char) -> bool {
    matches!(u32::from(c),
        0xA9 | 0xAE | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x2194..=0x21AA
        | 0x2300..=0x23FF | 0x24C2 | 0x25A0..=0x25FF | 0x2600..=0x27BF
        | 0x2934..=0x2935 | 0x2B00..=0x2BFF | 0x3030 | 0x303D | 0x3297 | 0x3299
        | 0x1F000..=0x1F1E5 | 0x1F200..=0x1F3FA | 0x1F400..=0x1FAFF | 0x1FC00..=0x1FFFD)
}

/// What may follow a pictograph inside one emoji.
fn is_component(c: char) -> bool {
    matches!(u32::from(c),
        0x200D | 0xFE0F | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
        || is_pictograph(c)
}

fn is_emoji(g: &str) -> bool {
    let chars: Vec<char> = g.chars().collect();
    let regional = |c: &char| (0x1F1E6..=0x1F1FF).contains(&u32::from(*c));
    match chars.as_slice() {
        [a, b] if regional(a) && regional(b) => true,
        [k, rest @ ..] if k.is_ascii_digit() || *k == '#' || *k == '*' => {
            matches!(rest, ['\u{20E3}'] | ['\u{FE0F}', '\u{20E3}'])
        }
        [first, rest @ ..] => is_pictograph(*first) && rest.iter().all(|c| is_component(*c)),
        [] => false,
    }
}

/// One emoji's tally on a message: how many reacted with it, and the tags
/// of the first of them (at most [`REACTION_TAGS_LISTED`]; a reactor
/// without a `client` has no tag and is only counted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The emoji.
    pub emoji: String,
    /// How many reacted with it.
    pub count: u32,
    /// The tags of its first reactors, oldest first.
    #[serde(default)]
    pub tags: Vec<ClientTag>,
}

/// Who toggles which reaction (v1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionToggle {
    /// The reactor: its `client` key in the room, else its connection
    /// (the scope `clientMsgId`s use).
    pub who: String,
    /// Its tag, when it has a `client`.
    pub tag: Option<ClientTag>,
    /// The emoji.
    pub emoji: Emoji,
}

/// What a toggle did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggled {
    /// The reaction is now on (`true`) or off, and the emoji's count after.
    Done {
        /// Whether the reactor's reaction is on now.
        on: bool,
        /// The emoji's count on the message after the toggle.
        count: u32,
    },
    /// The message is gone or deleted: nothing written.
    Gone,
    /// It already has [`REACTIONS_MAX_EMOJI`] other emoji: nothing written.
    Full,
}

/// Applies a toggle to a message's tally: `was_on` says whether the
/// reactor's reaction exists. The tally keeps first-reaction order.
pub fn apply_toggle(tally: &mut Vec<Reaction>, t: &ReactionToggle, was_on: bool) -> Toggled {
    let emoji = t.emoji.as_str();
    let at = tally.iter().position(|r| r.emoji == emoji);
    if was_on {
        let Some(i) = at else {
            // A mark without its tally (cut short before): count nothing.
            return Toggled::Done {
                on: false,
                count: 0,
            };
        };
        let r = &mut tally[i];
        r.count = r.count.saturating_sub(1);
        if let Some(tag) = &t.tag {
            r.tags.retain(|x| x != tag);
        }
        let count = r.count;
        if count == 0 {
            tally.remove(i);
        }
        return Toggled::Done { on: false, count };
    }
    let i = match at {
        Some(i) => i,
        None if tally.len() >= REACTIONS_MAX_EMOJI => return Toggled::Full,
        None => {
            tally.push(Reaction {
                emoji: emoji.to_owned(),
                count: 0,
                tags: Vec::new(),
            });
            tally.len() - 1
        }
    };
    let r = &mut tally[i];
    r.count += 1;
    if let Some(tag) = &t.tag
        && r.tags.len() < REACTION_TAGS_LISTED
        && !r.tags.contains(tag)
    {
        r.tags.push(tag.clone());
    }
    Toggled::Done {
        on: true,
        count: r.count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_emoji_grapheme_only() {
        for ok in ["👍", "👍🏽", "❤️", "🏳️‍🌈", "👨‍👩‍👧‍👦", "🇯🇵", "1️⃣", "#️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "©"]
        {
            assert_eq!(Emoji::parse(ok).unwrap().as_str(), ok, "{ok}");
        }
        for bad in [
            "", "a", "ok", "👍👍", "👍 ", " 👍", "1", "あ", "🇯", "e\u{301}",
        ] {
            assert!(Emoji::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("👍{}", "\u{200D}👍".repeat(20));
        assert!(Emoji::parse(&long).is_err());
    }

    #[test]
    fn quotes_are_cut_on_grapheme_boundaries() {
        assert_eq!(cut_quote(" short "), "short");
        let exact = "a".repeat(200);
        assert_eq!(cut_quote(&exact), exact);
        let cut = cut_quote(&"e\u{301}".repeat(150));
        assert!(cut.chars().count() <= QUOTE_MAX_CHARS);
        assert!(cut.ends_with("e\u{301}…"), "{cut}");
        let flags = cut_quote(&"🇯🇵".repeat(150));
        assert!(flags.ends_with("🇯🇵…"));
    }

    fn toggle(who: &str, tag: Option<&str>, emoji: &str) -> ReactionToggle {
        ReactionToggle {
            who: who.into(),
            tag: tag.map(ClientTag::from_stored),
            emoji: Emoji::parse(emoji).unwrap(),
        }
    }

    #[test]
    fn toggles_count_and_list_tags() {
        let mut tally = Vec::new();
        let a = toggle("a", Some("aaaa"), "👍");
        let b = toggle("b", None, "👍");
        assert_eq!(
            apply_toggle(&mut tally, &a, false),
            Toggled::Done { on: true, count: 1 }
        );
        assert_eq!(
            apply_toggle(&mut tally, &b, false),
            Toggled::Done { on: true, count: 2 }
        );
        assert_eq!(tally[0].tags, [ClientTag::from_stored("aaaa")]);
        assert_eq!(
            apply_toggle(&mut tally, &a, true),
            Toggled::Done {
                on: false,
                count: 1
            }
        );
        assert!(tally[0].tags.is_empty());
        apply_toggle(&mut tally, &b, true);
        assert!(tally.is_empty());
        for i in 0..REACTIONS_MAX_EMOJI {
            let e = char::from_u32(0x1F600 + i as u32).unwrap().to_string();
            apply_toggle(&mut tally, &toggle("a", None, &e), false);
        }
        assert_eq!(apply_toggle(&mut tally, &a, false), Toggled::Full);
        let again = toggle("b", None, "😀");
        assert_eq!(
            apply_toggle(&mut tally, &again, false),
            Toggled::Done { on: true, count: 2 }
        );
    }
}
