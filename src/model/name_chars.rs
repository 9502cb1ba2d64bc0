//! Which characters a display name may hold once its invisible ones are
//! stripped: no format characters (Unicode category Cf — the Arabic number
//! signs, Egyptian hieroglyph format controls, shorthand format controls,
//! …), no line or paragraph separators, and no more than a few combining
//! marks on one base (a tower of 31 stacked accents covers the names
//! around it).

use unicode_normalization::char::is_combining_mark;

/// Combining marks one base character may carry in a name (after NFC;
/// real scripts need at most three or so).
pub const MAX_MARKS_PER_BASE: usize = 4;

/// Unicode's format characters (General_Category=Cf, Unicode 15.1).
pub fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// Line and paragraph separators (Zl, Zp).
pub fn is_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// The longest run of combining marks in `s`.
pub fn longest_mark_run(s: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in s.chars() {
        if is_combining_mark(c) {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        for c in [
            '\u{600}',
            '\u{6DD}',
            '\u{70F}',
            '\u{110BD}',
            '\u{1BCA0}',
            '\u{13430}',
            '\u{200B}',
        ] {
            assert!(is_format(c), "{c:?}");
        }
        for c in ['a', 'é', '語', '\u{301}', '\u{FE0F}', ' '] {
            assert!(!is_format(c), "{c:?}");
        }
        assert!(is_separator('\u{2028}') && is_separator('\u{2029}') && !is_separator('\n'));
        assert_eq!(longest_mark_run("a\u{301}\u{302}b\u{303}"), 2);
        assert_eq!(longest_mark_run("plain"), 0);
    }
}
