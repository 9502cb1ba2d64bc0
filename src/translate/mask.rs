//! What no engine may translate: URLs, e-mail addresses, `@mentions`,
//! `` `code spans` ``, emoji, numbers, the words a request keeps (the
//! room's member names, as whole words), and the placeholders of protected
//! glossary terms (`⟦0⟧`, see `glossary.rs`). Text is cut into segments; the
//! engines translate the `Text` ones and carry the `Keep` ones through
//! unchanged, each in its own way (Apertium as superblanks, the HTTP
//! engines as separate array items).

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Text for the engine to translate.
    Text(&'a str),
    /// Text to carry through unchanged (a URL, a mention, a number, …).
    Keep(&'a str),
}

/// Cuts `text` into translatable and protected segments; concatenated,
/// they give back `text`.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let at_word_start = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "([{\"'".contains(c));
        let keep_len = placeholder(rest)
            .or_else(|| code_span(rest))
            .or_else(|| at_word_start.then(|| url_or_address(rest)).flatten())
            .or_else(|| number(rest, at_word_start))
            .or_else(|| emoji_run(rest));
        match keep_len {
            Some(n) => {
                if text_start < i {
                    out.push(Segment::Text(&text[text_start..i]));
                }
                out.push(Segment::Keep(&text[i..i + n]));
                i += n;
                text_start = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if text_start < text.len() {
        out.push(Segment::Text(&text[text_start..]));
    }
    out
}

/// `⟦{digits}⟧`: a protected term's placeholder.
fn placeholder(s: &str) -> Option<usize> {
    let body = s.strip_prefix(super::glossary::OPEN)?;
    let digits = body.find(|c: char| !c.is_ascii_digit())?;
    (digits > 0 && body[digits..].starts_with(super::glossary::CLOSE))
        .then(|| super::glossary::OPEN.len_utf8() + digits + super::glossary::CLOSE.len_utf8())
}

/// [`segments`], with every whole-word occurrence of a `keep` word in
/// the text segments protected too (the longest word first, so "Ana Lu"
/// wins over "Ana").
pub fn segments_keeping<'a>(text: &'a str, keep: &[&str]) -> Vec<Segment<'a>> {
    let base = segments(text);
    if keep.is_empty() {
        return base;
    }
    let mut words: Vec<&str> = keep
        .iter()
        .copied()
        .filter(|w| !w.trim().is_empty())
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let mut out = Vec::with_capacity(base.len());
    for seg in base {
        match seg {
            Segment::Text(t) => split_words(t, &words, &mut out),
            keep => out.push(keep),
        }
    }
    out
}

/// Cuts the `words` out of `text` as `Keep` segments.
fn split_words<'a>(text: &'a str, words: &[&str], out: &mut Vec<Segment<'a>>) {
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let found = words.iter().find(|w| {
            text[i..].starts_with(**w)
                && !text[..i].chars().next_back().is_some_and(is_word_char)
                && !text[i + w.len()..].chars().next().is_some_and(is_word_char)
        });
        match found {
            Some(w) => {
                if start < i {
                    out.push(Segment::Text(&text[start..i]));
                }
                out.push(Segment::Keep(&text[i..i + w.len()]));
                i += w.len();
                start = i;
            }
            None => i += text[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if start < text.len() {
        out.push(Segment::Text(&text[start..]));
    }
}

/// A letter or digit of a space-separated script: Chinese and Japanese
/// write words without spaces, so a name there needs no boundary.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        && !matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Whether a text segment holds anything to translate (a letter); pure
/// spaces and punctuation are carried through as they are.
pub fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
}

/// `text` without its leading and trailing whitespace, and that whitespace:
/// engines trim what they are given, so it is put back around the answer.
pub fn trim_parts(text: &str) -> (&str, &str, &str) {
    let core = text.trim();
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[lead.len() + core.len()..];
    (lead, core, trail)
}

/// `` `...` `` up to the closing backtick.
fn code_span(s: &str) -> Option<usize> {
    let body = s.strip_prefix('`')?;
    body.find('`').map(|end| end + 2)
}

/// URLs, e-mail addresses and `@mentions`: a whole token, less trailing
/// punctuation.
fn url_or_address(s: &str) -> Option<usize> {
    let token_len = s.find(char::is_whitespace).unwrap_or(s.len());
    let token =
        s[..token_len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '"', '\'']);
    let lower = token.to_ascii_lowercase();
    let is_url = ["http://", "https://", "www.", "ftp://"]
        .iter()
        .any(|p| lower.starts_with(p) && lower.len() > p.len());
    let is_mention = token.len() > 1
        && token.starts_with('@')
        && token[1..]
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.".contains(c));
    let is_email = token.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
    });
    (is_url || is_mention || is_email)
        .then_some(token.len())
        .filter(|n| *n > 0)
}

/// Digits with inner separators: `3`, `1,000`, `3.14`, `10:30`, `50%`.
fn number(s: &str, at_word_start: bool) -> Option<usize> {
    if !at_word_start || !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let bytes = s.as_bytes();
    let mut n = 0;
    while n < bytes.len() {
        let b = bytes[n];
        let inner_sep = matches!(b, b'.' | b',' | b':' | b'/' | b'-')
            && bytes.get(n + 1).is_some_and(u8::is_ascii_digit);
        if b.is_ascii_digit() || inner_sep {
            n += 1;
        } else {
            break;
        }
    }
    if bytes.get(n) == Some(&b'%') {
        n += 1;
    }
    Some(n)
}

/// A run of emoji, with their joiners, variation selectors and modifiers.
fn emoji_run(s: &str) -> Option<usize> {
    let mut n = 0;
    for c in s.chars() {
        let joiner = n > 0
            && matches!(c, '\u{200D}' | '\u{FE0F}' | '\u{20E3}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{E0020}'..='\u{E007F}');
        if is_emoji(c) || joiner {
            n += c.len_utf8();
        } else {
            break;
        }
    }
    (n > 0).then_some(n)
}

fn is_emoji(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1FAFF}'
        | '\u{2600}'..='\u{27BF}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{2300}'..='\u{23FF}'
        | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}'
        | '\u{00A9}' | '\u{00AE}' | '\u{203C}' | '\u{2049}' | '\u{2122}' | '\u{2139}'
        | '\u{2194}'..='\u{21AA}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::{Keep, Text};

    #[test]
    fn protected_spans() {
        assert_eq!(
            segments("see https://example.com/a?b=1, mail bo@ex.com or ping @aki_2!"),
            [
                Text("see "),
                Keep("https://example.com/a?b=1"),
                Text(", mail "),
                Keep("bo@ex.com"),
                Text(" or ping "),
                Keep("@aki_2"),
                Text("!"),
            ]
        );
        assert_eq!(
            segments("run `cargo test` at 10:30 for 3.5% 👍🏽 ok"),
            [
                Text("run "),
                Keep("`cargo test`"),
                Text(" at "),
                Keep("10:30"),
                Text(" for "),
                Keep("3.5%"),
                Text(" "),
                Keep("👍🏽"),
                Text(" ok"),
            ]
        );
        assert_eq!(segments("👨‍👩‍👧 family"), [Keep("👨‍👩‍👧"), Text(" family")]);
        assert_eq!(
            segments("ask⟦0⟧ now ⟦12⟧."),
            [
                Text("ask"),
                Keep("⟦0⟧"),
                Text(" now "),
                Keep("⟦12⟧"),
                Text(".")
            ]
        );
        assert_eq!(segments("⟦x⟧"), [Text("⟦x⟧")]);
    }

    #[test]
    fn kept_words_are_whole_words() {
        assert_eq!(
            segments_keeping("while Tomas types, Tomasz waits", &["Tomas"]),
            [Text("while "), Keep("Tomas"), Text(" types, Tomasz waits"),]
        );
        assert_eq!(
            segments_keeping("Ana Lu and Ana: see 42", &["Ana", "Ana Lu"]),
            [
                Keep("Ana Lu"),
                Text(" and "),
                Keep("Ana"),
                Text(": see "),
                Keep("42"),
            ]
        );
        assert_eq!(
            segments_keeping("トマスさんが来た", &["トマス"]),
            [Keep("トマス"), Text("さんが来た")]
        );
        assert_eq!(segments_keeping("hi", &[""]), [Text("hi")]);
        assert_eq!(trim_parts("  a b \n"), ("  ", "a b", " \n"));
        assert_eq!(trim_parts("   "), ("   ", "", ""));
    }

    #[test]
    fn plain_text_is_one_segment_and_round_trips() {
        assert_eq!(segments("Hello, world."), [Text("Hello, world.")]);
        for s in [
            "",
            "a@",
            "@",
            "x1 2y",
            "`unclosed",
            "e-mail: a@b",
            "www.",
            "日本語 123 ✨",
        ] {
            let joined: String = segments(s)
                .iter()
                .map(|seg| match seg {
                    Text(t) | Keep(t) => *t,
                })
                .collect();
            assert_eq!(joined, s);
        }
    }
}
