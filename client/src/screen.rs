//! Where a session's lines go, and lines that update in place at a
//! terminal: the "still offline" notice is one line rewritten on each retry,
//! and "Aki is typing…" disappears under the next line printed. Elsewhere
//! (a pipe, a file) every line is simply a new line.

use std::io;

use unicode_width::UnicodeWidthStr;

/// Moves to the start of the line above and clears it.
pub const UP_AND_CLEAR: &str = "\x1b[1A\r\x1b[2K";

/// Where a session's lines go.
pub trait Screen {
    /// A line of the chat. An error means nobody reads any more (a closed
    /// pipe), which ends the session.
    fn show(&mut self, text: &str) -> io::Result<()>;
    /// A line about a problem or the connection.
    fn warn(&mut self, text: &str);
    /// A line about the connection's state that replaces the previous one
    /// when nothing came in between (at a terminal).
    fn status(&mut self, text: &str) {
        self.warn(text);
    }
    /// A passing line the next line replaces, or `""` to remove it: at a
    /// terminal only; nothing elsewhere.
    fn transient(&mut self, _text: &str) {}
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Kind {
    #[default]
    Other,
    Status,
    Transient,
}

/// What the last line on a terminal is, and so what may overwrite it. Each
/// method returns what to write before the next line.
#[derive(Debug, Default)]
pub struct LastLine {
    kind: Kind,
    /// The terminal rows it took (a long line wraps).
    rows: usize,
}

impl LastLine {
    /// Before an ordinary line: it takes a passing line's place.
    pub fn line(&mut self) -> String {
        let prefix = self.up_if(&[Kind::Transient]);
        self.kind = Kind::Other;
        prefix
    }

    /// Before a status line `rows` rows high: it takes the previous status
    /// line's place.
    pub fn status(&mut self, rows: usize) -> String {
        let prefix = self.up_if(&[Kind::Status, Kind::Transient]);
        self.kind = Kind::Status;
        self.rows = rows;
        prefix
    }

    /// The whole text to print for a passing line `rows` rows high (`""`
    /// removes it), or `None` when there is nothing to do. The text ends
    /// with a newline.
    pub fn transient(&mut self, text: &str, rows: usize) -> Option<String> {
        let prefix = self.up_if(&[Kind::Transient]);
        if text.is_empty() {
            self.kind = Kind::Other;
            // Clear it, then step back onto its line with a newline (what
            // the line editor needs to redraw its prompt there).
            return (!prefix.is_empty()).then(|| format!("{prefix}\x1b[1A\n"));
        }
        self.kind = Kind::Transient;
        self.rows = rows;
        Some(format!("{prefix}{text}\n"))
    }

    /// Something this tracker did not print is now the last line.
    pub fn forget(&mut self) {
        self.kind = Kind::Other;
    }

    fn up_if(&self, kinds: &[Kind]) -> String {
        if kinds.contains(&self.kind) {
            UP_AND_CLEAR.repeat(self.rows.max(1))
        } else {
            String::new()
        }
    }
}

/// What a terminal that does not say its width is taken to be.
pub const DEFAULT_COLS: usize = 80;

/// The width of the controlling terminal (where stderr most likely goes,
/// even with stdout redirected), asked through the line editor.
pub fn terminal_cols() -> usize {
    let config = rustyline::Config::builder()
        .behavior(rustyline::Behavior::PreferTerm)
        .build();
    rustyline::DefaultEditor::with_config(config)
        .ok()
        .and_then(|mut e| e.dimensions())
        .map_or(DEFAULT_COLS, |(cols, _)| usize::from(cols))
}

/// The rows `text` takes on a terminal `cols` wide: each of its lines wraps
/// (colour codes take no room).
pub fn rows(text: &str, cols: usize) -> usize {
    let cols = cols.max(1);
    text.split('\n')
        .map(|line| visible_width(line).div_ceil(cols).max(1))
        .sum()
}

/// Columns `line` takes on a terminal, colour codes (CSI sequences) excluded.
pub fn visible_width(line: &str) -> usize {
    let mut width = 0;
    let mut rest = line;
    while let Some(i) = rest.find('\x1b') {
        width += rest[..i].width();
        // Skip a CSI sequence: ESC [ parameters, then a final letter.
        let after = &rest[i + 1..];
        let end = after
            .strip_prefix('[')
            .and_then(|csi| csi.find(|c: char| c.is_ascii_alphabetic()).map(|j| j + 2))
            .unwrap_or(0);
        rest = &after[end..];
    }
    width + rest.width()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_replace_each_other_until_something_else_comes() {
        let mut last = LastLine::default();
        assert_eq!(last.status(1), "");
        assert_eq!(last.status(2), UP_AND_CLEAR);
        // The one before took two rows: both go.
        assert_eq!(last.status(1), UP_AND_CLEAR.repeat(2));
        assert_eq!(last.line(), "");
        assert_eq!(last.status(1), "");
        last.forget();
        assert_eq!(last.status(1), "");
    }

    #[test]
    fn a_passing_line_goes_under_the_next() {
        let mut last = LastLine::default();
        assert_eq!(last.transient("", 1).as_deref(), None);
        assert_eq!(
            last.transient("Aki is typing…", 1).unwrap(),
            "Aki is typing…\n"
        );
        assert_eq!(
            last.transient("Aki and Ben are typing…", 1).unwrap(),
            format!("{UP_AND_CLEAR}Aki and Ben are typing…\n")
        );
        assert_eq!(last.line(), UP_AND_CLEAR);
        assert_eq!(last.line(), "");
        last.transient("Aki is typing…", 1);
        assert_eq!(
            last.transient("", 1).unwrap(),
            format!("{UP_AND_CLEAR}\x1b[1A\n")
        );
        assert_eq!(last.line(), "");
        last.transient("Aki is typing…", 1);
        assert_eq!(last.status(1), UP_AND_CLEAR);
    }

    #[test]
    fn rows_count_wrapping_and_ignore_colours() {
        assert_eq!(rows("", 80), 1);
        assert_eq!(rows(&"a".repeat(80), 80), 1);
        assert_eq!(rows(&"a".repeat(81), 80), 2);
        assert_eq!(rows("a\nb", 80), 2);
        assert_eq!(rows(&format!("\x1b[2m{}\x1b[22m", "a".repeat(80)), 80), 1);
        assert_eq!(rows(&"日".repeat(41), 80), 2);
    }
}
