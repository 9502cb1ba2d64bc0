//! Long lines broken between words, not wherever the terminal's edge
//! falls: a line wider than the terminal is cut at the last space that
//! fits, and the rest goes on rows indented like a message's continuation.
//! Colour codes take no room. A word wider than a whole row is left for
//! the terminal to break (it has to break somewhere).

use crate::screen::visible_width;

/// What a wrapped row starts with: the indent of a message's own
/// continuation lines.
const CONTINUATION: &str = "      ";
/// Narrower than this, wrapping would only make things worse.
const MIN_COLS: usize = 20;

/// `text` with each line wider than `cols` broken between words.
pub fn wrap(text: &str, cols: usize) -> String {
    text.split('\n')
        .map(|line| wrap_line(line, cols))
        .collect::<Vec<_>>()
        .join("\n")
}

fn wrap_line(line: &str, cols: usize) -> String {
    if cols < MIN_COLS || visible_width(line) <= cols {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len() + 16);
    let mut width = 0;
    for (i, word) in line.split(' ').enumerate() {
        let w = visible_width(word);
        if i > 0 {
            if width + 1 + w > cols && width > CONTINUATION.len() {
                out.push('\n');
                out.push_str(CONTINUATION);
                width = CONTINUATION.len();
            } else {
                out.push(' ');
                width += 1;
            }
        }
        out.push_str(word);
        width += w;
        if width > cols {
            // A word wider than a row: the terminal broke it; count its last row.
            width %= cols;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_break_between_words_and_colours_take_no_room() {
        let words: Vec<String> = (10..40).map(|i| format!("word{i}")).collect();
        let line = format!("12:00 Ben: {}", words.join(" "));
        let wrapped = wrap(&line, 40);
        for row in wrapped.split('\n') {
            assert!(visible_width(row) <= 40, "{row:?}");
            for token in row
                .split_whitespace()
                .skip_while(|t| !t.starts_with("word"))
            {
                assert!(words.contains(&token.to_owned()), "{token:?} in {wrapped}");
            }
        }
        assert_eq!(wrapped.replace(&format!("\n{CONTINUATION}"), " "), line);
        let dim = format!("\x1b[2m{}\x1b[22m", "a ".repeat(19));
        assert_eq!(wrap(&dim, 40), dim, "38 visible columns fit in 40");
        assert_eq!(wrap("short", 80), "short");
        assert_eq!(wrap(&"x".repeat(100), 40), "x".repeat(100));
    }
}
