//! Apertium's stream format for plain text, both ways: reserved characters
//! escaped, protected segments and line breaks as superblanks (`[...]`),
//! which every stage passes through untouched.

use crate::translate::mask::Segment;

/// Characters with a meaning in the stream format.
const RESERVED: &[char] = &['\\', '[', ']', '^', '$', '@', '/', '<', '>', '{', '}'];

/// Segments → one stream item (without its NUL terminator).
pub fn encode(segments: &[Segment<'_>]) -> String {
    let mut out = String::new();
    for seg in segments {
        match seg {
            Segment::Text(t) => {
                for c in t.chars() {
                    match c {
                        '\0' => {}
                        '\n' => out.push_str("[\n]"),
                        c if RESERVED.contains(&c) => {
                            out.push('\\');
                            out.push(c);
                        }
                        c => out.push(c),
                    }
                }
            }
            Segment::Keep(k) => {
                out.push('[');
                for c in k.chars().filter(|c| *c != '\0') {
                    if matches!(c, '\\' | '[' | ']') {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push(']');
            }
        }
    }
    // A closing blank keeps the last word's punctuation: without it the
    // tagger drops a final "." when the item is flushed.
    out.push_str("[]");
    out
}

/// A stream item → text: escapes undone, superblank brackets dropped.
pub fn decode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '[' | ']' | '\0' => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::mask::segments;

    #[test]
    fn round_trip_without_translation() {
        for text in [
            "plain",
            "a [b] ^c$ @d e/f <g> {h} \\i",
            "line one\nline two",
            "see https://x.y/[z] and `a]b`",
        ] {
            assert_eq!(decode(&encode(&segments(text))), text);
        }
    }

    #[test]
    fn protected_parts_become_superblanks() {
        assert_eq!(
            encode(&segments("go to https://x.y now")),
            "go to [https://x.y] now[]"
        );
        assert_eq!(encode(&segments("a/b")), "a\\/b[]");
    }
}
