//! Splits long text at sentence boundaries so no engine call exceeds its
//! limit; the pieces concatenate back to the original.

/// Pieces of `text`, each at most `max` bytes, cut after sentence ends
/// where possible, then after whitespace, then at any character boundary.
pub fn split(text: &str, max: usize) -> Vec<&str> {
    let max = max.max(4);
    let mut out = Vec::new();
    let mut rest = text;
    while rest.len() > max {
        let cut = best_cut(rest, max);
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// The last good cut at or before `max` bytes: after a sentence end (and
/// its space), else after a space, else at a character boundary.
fn best_cut(s: &str, max: usize) -> usize {
    let mut boundary = max;
    while !s.is_char_boundary(boundary) {
        boundary -= 1;
    }
    let (mut sentence, mut space, mut prev) = (None, None, None);
    for (i, c) in s[..boundary].char_indices() {
        let end = i + c.len_utf8();
        if matches!(c, '。' | '！' | '？' | '\n') {
            sentence = Some(end);
        }
        if c.is_whitespace() {
            space = Some(end);
            if matches!(prev, Some('.' | '!' | '?')) {
                sentence = Some(end);
            }
        }
        prev = Some(c);
    }
    sentence.or(space).unwrap_or(boundary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_sentences() {
        let text = "One two. Three four! Five six? Seven";
        let parts = split(text, 20);
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| p.len() <= 20));
        assert_eq!(parts[0], "One two. ");
    }

    #[test]
    fn falls_back_to_spaces_then_chars() {
        let parts = split("aaaa bbbb cccc", 6);
        assert_eq!(parts, ["aaaa ", "bbbb ", "cccc"]);
        let parts = split("日本語日本語", 7);
        assert_eq!(parts.concat(), "日本語日本語");
        assert!(parts.iter().all(|p| p.len() <= 7));
    }

    #[test]
    fn long_texts_stay_under_the_limit() {
        let text = "Lorem ipsum dolor sit amet. ".repeat(1_000);
        let parts = split(&text, 10_000);
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| p.len() <= 10_000 && p.ends_with(". ")));
        assert_eq!(split("", 10), Vec::<&str>::new());
    }
}
