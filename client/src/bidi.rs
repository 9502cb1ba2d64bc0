//! Right-to-left text in a left-to-right line. A terminal that lays out
//! bidirectional text would otherwise let "ليلى" pull the words around it
//! into its own order ("3 here · joined ليلى"); wrapped in Unicode's First
//! Strong Isolate … Pop Directional Isolate, it stays one unit in place.

/// First Strong Isolate: what follows takes the direction of its first letter.
const FSI: char = '\u{2068}';
/// Pop Directional Isolate: ends the isolate.
const PDI: char = '\u{2069}';

/// Whether `c` is a letter of a script written right to left (Hebrew,
/// Arabic, Syriac, Thaana, N'Ko and their presentation forms, and the
/// historic scripts of those planes).
fn is_rtl(c: char) -> bool {
    matches!(c,
        '\u{0590}'..='\u{08FF}'
        | '\u{FB1D}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}'
        | '\u{10800}'..='\u{10FFF}'
        | '\u{1E800}'..='\u{1EFFF}')
}

/// Embedding, override and isolate controls: dropped from what is
/// isolated, so ours stay balanced whatever the wire sent.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with each line that holds right-to-left letters isolated (a
/// terminal lays out line by line); other lines as they are, so plain
/// left-to-right text carries nothing extra.
pub fn isolate(s: &str) -> String {
    s.split('\n')
        .map(|line| {
            if line.chars().any(is_rtl) {
                let inner: String = line.chars().filter(|c| !is_bidi_control(*c)).collect();
                format!("{FSI}{inner}{PDI}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_to_left_lines_are_isolated_and_others_left_alone() {
        assert_eq!(isolate("ليلى"), "\u{2068}ليلى\u{2069}");
        assert_eq!(isolate("שלום"), "\u{2068}שלום\u{2069}");
        assert_eq!(isolate("Aki"), "Aki");
        assert_eq!(isolate("日本語"), "日本語");
        assert_eq!(isolate("hi\nمرحبا"), "hi\n\u{2068}مرحبا\u{2069}");
        // A stray PDI from the wire cannot close ours early.
        assert_eq!(isolate("ليلى\u{2069}x\u{202E}"), "\u{2068}ليلىx\u{2069}");
    }
}
