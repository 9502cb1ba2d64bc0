//! Interactive mode: rustyline edits the line (with history of typed
//! lines) on a thread of its own, and incoming lines are printed above the
//! prompt through its external printer, so nothing being typed is broken.
//! A message, once entered, is wiped from where it was typed: it shows once,
//! as the server's echo ("Aki (you): …"), in its place in the room.
//! The terminal's settings are saved first and put back on every way out,
//! even when the session ends while a line is being edited.

use std::cell::{Cell, RefCell};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Config, Context, Editor, ExternalPrinter, Helper};
use tokio::sync::mpsc;
use unicode_width::UnicodeWidthStr;

use crate::capability::Capability;
use crate::chat::{Chat, Input, Inputs};
use crate::commands::Command;
use crate::connection::Connection;
use crate::error::ClientError;
use crate::render::Renderer;
use crate::screen::{self, DEFAULT_COLS, LastLine, Screen, UP_AND_CLEAR};
use crate::wrap::wrap;

const PROMPT: &str = "> ";
/// The server relays one `typing` per 3 s; sending more is wasted.
const TYPING_EVERY: Duration = Duration::from_secs(3);

/// Prints above the prompt.
struct Terminal {
    printer: Box<dyn ExternalPrinter + Send>,
    last: LastLine,
    /// Set by the line editor when it left a typed line (a command) on
    /// screen: that line, not ours, is then the last one.
    typed_kept: Arc<AtomicBool>,
    /// The terminal's width, as the line editor last saw it.
    cols: Arc<AtomicUsize>,
}

impl Terminal {
    fn print(&mut self, text: String) -> io::Result<()> {
        self.printer.print(text).map_err(io::Error::other)
    }

    fn rows(&self, text: &str) -> usize {
        screen::rows(text, self.cols.load(Ordering::SeqCst))
    }

    fn sync(&mut self) {
        if self.typed_kept.swap(false, Ordering::SeqCst) {
            self.last.forget();
        }
    }
}

impl Screen for Terminal {
    fn show(&mut self, text: &str) -> io::Result<()> {
        self.sync();
        let prefix = self.last.line();
        let text = wrap(text, self.cols.load(Ordering::SeqCst));
        self.print(format!("{prefix}{text}\n"))
    }

    fn warn(&mut self, text: &str) {
        let _ = self.show(text);
    }

    fn status(&mut self, text: &str) {
        self.sync();
        let prefix = self.last.status(self.rows(text));
        let _ = self.print(format!("{prefix}{text}\n"));
    }

    fn transient(&mut self, text: &str) {
        self.sync();
        if let Some(out) = self.last.transient(text, self.rows(text)) {
            let _ = self.print(out);
        }
    }
}

/// Puts the terminal back as it was found.
struct Restore {
    saved: Option<Termios>,
    editing: Arc<AtomicBool>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = tcsetattr(io::stdin(), SetArg::TCSANOW, saved);
        }
        if self.editing.load(Ordering::SeqCst) {
            // Leave the abandoned prompt's line.
            let _ = writeln!(io::stdout());
        }
    }
}

/// Watches the line being edited to tell the room "typing" now and then:
/// only for a message (not a /command), only when the text changed.
struct Keys {
    inputs: mpsc::UnboundedSender<Input>,
    seen: RefCell<String>,
    sent: Cell<Option<Instant>>,
}

impl Hinter for Keys {
    type Hint = String;

    fn hint(&self, line: &str, _pos: usize, _ctx: &Context<'_>) -> Option<String> {
        let changed = *self.seen.borrow() != line;
        if changed {
            line.clone_into(&mut self.seen.borrow_mut());
            let message = !line.trim().is_empty() && !line.trim_start().starts_with('/');
            let due = self.sent.get().is_none_or(|t| t.elapsed() >= TYPING_EVERY);
            if message && due {
                self.sent.set(Some(Instant::now()));
                let _ = self.inputs.send(Input::Typing);
            }
        }
        None
    }
}

impl Completer for Keys {
    type Candidate = String;
}
impl Highlighter for Keys {}
impl Validator for Keys {}
impl Helper for Keys {}

pub async fn run(
    conn: Connection,
    render: Renderer,
    echo_timeout: Duration,
    capability: Capability,
) -> Result<(), ClientError> {
    let restore = Restore {
        saved: tcgetattr(io::stdin()).ok(),
        editing: Arc::new(AtomicBool::new(false)),
    };
    let terminal_error = |e: ReadlineError| ClientError::Terminal(e.to_string());
    let config = Config::builder().auto_add_history(true).build();
    let mut editor: Editor<Keys, DefaultHistory> =
        Editor::with_config(config).map_err(terminal_error)?;
    let printer = editor.create_external_printer().map_err(terminal_error)?;

    let (lines, rx) = mpsc::unbounded_channel();
    editor.set_helper(Some(Keys {
        inputs: lines.clone(),
        seen: RefCell::default(),
        sent: Cell::default(),
    }));
    let (ack, wait_ack) = std::sync::mpsc::channel::<()>();
    let editing = restore.editing.clone();
    let typed_kept = Arc::new(AtomicBool::new(false));
    let kept = typed_kept.clone();
    let cols = Arc::new(AtomicUsize::new(DEFAULT_COLS));
    let width = cols.clone();
    std::thread::spawn(move || {
        loop {
            // Read at each prompt: a resized window counts from then on.
            let now = editor
                .dimensions()
                .map_or(DEFAULT_COLS, |(c, _)| usize::from(c));
            width.store(now, Ordering::SeqCst);
            editing.store(true, Ordering::SeqCst);
            let read = editor.readline(PROMPT);
            editing.store(false, Ordering::SeqCst);
            let input = match read {
                Ok(line) => {
                    if wipe(&line) {
                        erase_typed(&line, width.load(Ordering::SeqCst));
                    } else {
                        kept.store(true, Ordering::SeqCst);
                    }
                    Input::Line(line)
                }
                Err(ReadlineError::Interrupted) => Input::Interrupt,
                Err(ReadlineError::Eof) => Input::End,
                Err(e) => {
                    tracing::warn!(error = %e, "line editor failed");
                    Input::End
                }
            };
            let more = matches!(input, Input::Line(_));
            // Wait for the line to be handled: after `/quit` there is no
            // next prompt, and so no raw mode left behind.
            if lines.send(input).is_err() || !more || wait_ack.recv().is_err() {
                return;
            }
        }
    });

    let mut screen = Terminal {
        printer: Box::new(printer),
        last: LastLine::default(),
        typed_kept,
        cols,
    };
    let _ = screen.show(&render.note("connected; /help lists the commands"));
    let chat = Chat {
        conn,
        screen,
        render,
        json: false,
        interactive: true,
        echo_timeout,
        capability,
    };
    let result = chat
        .run(Inputs {
            lines: rx,
            ack: Some(ack),
        })
        .await;
    drop(restore);
    result
}

/// Whether an entered line is wiped from the screen: a message (its echo
/// shows it) or nothing. Commands stay, as typed, above their answer.
fn wipe(line: &str) -> bool {
    matches!(Command::parse(line), Ok(Command::Say(_) | Command::Nothing))
}

/// Clears the rows the prompt and `line` took: the editor leaves the
/// cursor at the start of the row below them.
fn erase_typed(line: &str, cols: usize) {
    let _ = io::stdout().write_all(erase_sequence(line, cols).as_bytes());
    let _ = io::stdout().flush();
}

fn erase_sequence(line: &str, cols: usize) -> String {
    let width = PROMPT.width() + line.width();
    // A line that exactly fills its last row pushes the cursor onto one
    // more (rustyline writes a newline there), so: full rows + 1.
    let rows = width / cols.max(1) + 1;
    UP_AND_CLEAR.repeat(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_wiped_and_commands_kept() {
        assert!(wipe("hello") && wipe("  ") && wipe("//me"));
        assert!(!wipe("/join x") && !wipe("/dance"));
    }

    #[test]
    fn erasing_covers_every_row_the_line_took() {
        let rows = |line: &str, cols| erase_sequence(line, cols).matches(UP_AND_CLEAR).count();
        assert_eq!(rows("hi", 80), 1);
        assert_eq!(rows(&"a".repeat(77), 80), 1);
        assert_eq!(rows(&"a".repeat(78), 80), 2);
        assert_eq!(rows(&"a".repeat(200), 80), 3);
        // Wide characters take two columns each.
        assert_eq!(rows(&"日".repeat(40), 80), 2);
        assert_eq!(rows("x", 0), 4);
    }
}
