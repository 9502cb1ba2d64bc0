//! A message cut for engines that take a list of strings (LibreTranslate's
//! `q`, DeepL's `text`, or one call each): the parts with words go to the
//! engine, trimmed; URLs, code, emoji, numbers, kept names and the
//! whitespace around each part stay here and are put back in place.

use super::mask::{Segment, has_words, segments_keeping, trim_parts};
use crate::ports::Hints;

/// One piece: carried through as it is, or sent (with the whitespace the
/// engine would drop).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Keep(&'a str),
    Send {
        lead: &'a str,
        core: &'a str,
        trail: &'a str,
    },
}

/// A message ready for a list-taking engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pieces<'a> {
    pieces: Vec<Piece<'a>>,
}

impl<'a> Pieces<'a> {
    /// Cuts `text`, keeping what [`segments_keeping`] protects.
    pub fn new(text: &'a str, hints: &Hints) -> Self {
        let keep = hints.keep_in(text);
        let pieces = segments_keeping(text, &keep)
            .into_iter()
            .map(|seg| match seg {
                Segment::Text(t) if has_words(t) => {
                    let (lead, core, trail) = trim_parts(t);
                    Piece::Send { lead, core, trail }
                }
                Segment::Text(t) | Segment::Keep(t) => Piece::Keep(t),
            })
            .collect();
        Self { pieces }
    }

    /// What the engine is asked to translate, in order.
    pub fn to_send(&self) -> Vec<&'a str> {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Send { core, .. } => Some(*core),
                Piece::Keep(_) => None,
            })
            .collect()
    }

    /// The message with the engine's answers (one per [`Pieces::to_send`]
    /// item, in order) in place; `None` when the count does not match.
    pub fn join<S: AsRef<str>>(&self, answers: &[S]) -> Option<String> {
        if answers.len() != self.to_send().len() {
            return None;
        }
        let mut answers = answers.iter();
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Keep(t) => out.push_str(t),
                Piece::Send { lead, trail, .. } => {
                    out.push_str(lead);
                    out.push_str(answers.next()?.as_ref().trim());
                    out.push_str(trail);
                }
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_words_only_and_puts_them_back() {
        let hints = Hints {
            keep: vec!["Tomas".into(), "Absent".into()],
            context: vec![],
        };
        let p = Pieces::new("Hi Tomas, see https://x.io 👍 and 42 ok", &hints);
        assert_eq!(p.to_send(), ["Hi", ", see", "and", "ok"]);
        let joined = p.join(&["Hola", ", mira", "y", "vale"]).unwrap();
        assert_eq!(joined, "Hola Tomas, mira https://x.io 👍 y 42 vale");
        assert_eq!(p.join(&["one"]), None);
    }

    #[test]
    fn nothing_to_send_gives_the_text_back() {
        let p = Pieces::new("👍 42 https://x.io", &Hints::default());
        assert!(p.to_send().is_empty());
        assert_eq!(p.join::<&str>(&[]).unwrap(), "👍 42 https://x.io");
        assert_eq!(
            Pieces::new("", &Hints::default())
                .join::<&str>(&[])
                .unwrap(),
            ""
        );
    }
}
