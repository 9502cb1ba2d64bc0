//! Whether a message names the reader, as the page decides it: the name,
//! case-insensitive, as a whole word (an `@` before it allowed); in scripts
//! written without spaces between words (Han, kana, Thai) anywhere.

/// Whether `text` mentions `name`.
pub fn mentions(text: &str, name: &str) -> bool {
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    let haystack = text.to_lowercase();
    let needle = name.to_lowercase();
    if name.chars().any(written_without_spaces) {
        return haystack.contains(&needle);
    }
    haystack.match_indices(&needle).any(|(at, _)| {
        let before = &haystack[..at];
        let before = before.strip_suffix('@').unwrap_or(before);
        let after = &haystack[at + needle.len()..];
        before.chars().next_back().is_none_or(|c| !is_word(c))
            && after.chars().next().is_none_or(|c| !is_word(c))
    })
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // Han extension A
        | '\u{4E00}'..='\u{9FFF}' // Han
        | '\u{0E00}'..='\u{0E7F}') // Thai
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn a_name_as_a_whole_word_with_or_without_at() {
        assert!(mentions("Hi @nora, look", "Nora"));
        assert!(mentions("thanks Nora!", "Nora"));
        assert!(mentions("NORA", "nora"));
        assert!(!mentions("Noralee is someone else", "Nora"));
        assert!(!mentions("x@nora.example", "Nora"));
        assert!(!mentions("anything", ""));
        assert!(mentions("翔太さん、こんにちは", "翔太"));
        assert!(mentions("شكرا @ليلى", "ليلى"));
    }
}
