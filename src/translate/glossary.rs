//! Protected terms (v1.2): a room glossary's terms — and any other words
//! that must pass untouched, such as members' names — are swapped for
//! placeholders (`⟦0⟧`, `⟦1⟧`, …) before the engine sees the text, and
//! put back afterwards, each as written or as its fixed rendering.
//! `mask::segments` keeps a placeholder as a protected segment, so an
//! engine that honours segments (Apertium) carries it through verbatim;
//! for any other, [`Protected::restore`] finds a placeholder the engine
//! spaced out, and refuses (`None`) when one was dropped or changed past
//! recognition — the caller then delivers the original, marked, rather
//! than lose a term silently.

/// Opens a placeholder.
pub const OPEN: char = '⟦';
/// Closes a placeholder.
pub const CLOSE: char = '⟧';

/// One protected term: `term` as it stands in the source, and what goes
/// in its place after translation (itself, or a fixed rendering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term<'a> {
    /// The term as it stands in the source.
    pub term: &'a str,
    /// What goes in its place after translation.
    pub render: &'a str,
}

/// A text with its terms swapped for placeholders, and how to put them
/// back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// What the engine translates.
    pub text: String,
    /// Placeholder `i`'s replacement.
    renders: Vec<String>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Swaps every whole-word occurrence of a term (case as written; longer
/// terms first) for a placeholder.
pub fn protect(text: &str, terms: &[Term<'_>]) -> Protected {
    let mut sorted: Vec<&Term<'_>> = terms.iter().filter(|t| !t.term.is_empty()).collect();
    sorted.sort_by_key(|t| std::cmp::Reverse(t.term.len()));
    let mut out = String::with_capacity(text.len());
    let mut renders: Vec<String> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let starts_word = text[..i].chars().next_back().is_none_or(|c| !is_word(c));
        let hit = starts_word
            .then(|| {
                sorted.iter().find(|t| {
                    rest.starts_with(t.term)
                        && rest[t.term.len()..]
                            .chars()
                            .next()
                            .is_none_or(|c| !is_word(c))
                })
            })
            .flatten();
        match hit {
            Some(t) => {
                let n = match renders.iter().position(|r| r == t.render) {
                    Some(n) => n,
                    None => {
                        renders.push(t.render.to_owned());
                        renders.len() - 1
                    }
                };
                out.push(OPEN);
                out.push_str(&n.to_string());
                out.push(CLOSE);
                i += t.term.len();
            }
            None => {
                let c = rest.chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    Protected { text: out, renders }
}

impl Protected {
    /// Whether any term was found (else the text went through as it was).
    pub fn is_empty(&self) -> bool {
        self.renders.is_empty()
    }

    /// The engine's output with every placeholder replaced; `None` when
    /// one is missing or changed beyond a few spaces.
    pub fn restore(&self, translated: &str) -> Option<String> {
        let mut out = String::with_capacity(translated.len());
        let mut seen = vec![false; self.renders.len()];
        let mut rest = translated;
        while let Some(start) = rest.find(OPEN) {
            out.push_str(&rest[..start]);
            let after = &rest[start + OPEN.len_utf8()..];
            let placeholder = after.find(CLOSE).and_then(|end| {
                let n: usize = after[..end].trim().parse().ok()?;
                Some((n, end + CLOSE.len_utf8()))
            });
            match placeholder {
                Some((n, len)) if n < self.renders.len() => {
                    out.push_str(&self.renders[n]);
                    seen[n] = true;
                    rest = &after[len..];
                }
                // Not one of ours: a mangled one, or the user's own bracket.
                _ => return None,
            }
        }
        out.push_str(rest);
        seen.iter().all(|s| *s).then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> Vec<Term<'static>> {
        vec![
            Term {
                term: "honyaku",
                render: "honyaku",
            },
            Term {
                term: "deploy",
                render: "デプロイ",
            },
            Term {
                term: "Tomas",
                render: "Tomas",
            },
        ]
    }

    #[test]
    fn whole_words_only_and_case_as_written() {
        let p = protect("honyaku: deploy honyakus, Deploy! Tomas", &terms());
        assert_eq!(p.text, "⟦0⟧: ⟦1⟧ honyakus, Deploy! ⟦2⟧");
        assert_eq!(
            p.restore("⟦0⟧：⟦1⟧ honyakus、Deploy! ⟦2⟧").unwrap(),
            "honyaku：デプロイ honyakus、Deploy! Tomas"
        );
        let none = protect("nothing here", &terms());
        assert!(none.is_empty());
        assert_eq!(none.restore("nada aquí").unwrap(), "nada aquí");
    }

    #[test]
    fn a_spaced_placeholder_is_restored_a_lost_one_refused() {
        let p = protect("Great work Tomas", &terms());
        assert_eq!(
            p.restore("Buen trabajo ⟦ 0 ⟧").unwrap(),
            "Buen trabajo Tomas"
        );
        assert_eq!(p.restore("Buen trabajo Toma"), None);
        assert_eq!(p.restore("Buen trabajo ⟦7⟧"), None);
        assert_eq!(p.restore("Buen trabajo ⟦x⟧"), None);
    }

    #[test]
    fn the_same_term_twice_shares_its_placeholder() {
        let p = protect("honyaku and honyaku", &terms());
        assert_eq!(p.text, "⟦0⟧ and ⟦0⟧");
        assert_eq!(p.restore("⟦0⟧ y ⟦0⟧").unwrap(), "honyaku y honyaku");
    }
}
