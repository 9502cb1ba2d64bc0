//! Interactive mode: rustyline edits the line (with history of typed
//! lines) on a thread of its own, and incoming lines are printed above the
//! prompt through its external printer, so nothing being typed is broken.
//! The terminal's settings are saved first and put back on every way out,
//! even when the session ends while a line is being edited.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};
use rustyline::error::ReadlineError;
use rustyline::{Config, DefaultEditor, ExternalPrinter};
use tokio::sync::mpsc;

use crate::chat::{Chat, Input, Inputs, Screen};
use crate::connection::Connection;
use crate::error::ClientError;
use crate::render::Renderer;

const PROMPT: &str = "> ";

/// Prints above the prompt.
struct Terminal {
    printer: Box<dyn ExternalPrinter + Send>,
}

impl Screen for Terminal {
    fn show(&mut self, text: &str) -> io::Result<()> {
        self.printer
            .print(format!("{text}\n"))
            .map_err(io::Error::other)
    }

    fn warn(&mut self, text: &str) {
        let _ = self.show(text);
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

pub async fn run(
    conn: Connection,
    render: Renderer,
    echo_timeout: Duration,
) -> Result<(), ClientError> {
    let restore = Restore {
        saved: tcgetattr(io::stdin()).ok(),
        editing: Arc::new(AtomicBool::new(false)),
    };
    let terminal_error = |e: ReadlineError| ClientError::Terminal(e.to_string());
    let config = Config::builder().auto_add_history(true).build();
    let mut editor = DefaultEditor::with_config(config).map_err(terminal_error)?;
    let printer = editor.create_external_printer().map_err(terminal_error)?;

    let (lines, rx) = mpsc::unbounded_channel();
    let (ack, wait_ack) = std::sync::mpsc::channel::<()>();
    let editing = restore.editing.clone();
    std::thread::spawn(move || {
        loop {
            editing.store(true, Ordering::SeqCst);
            let read = editor.readline(PROMPT);
            editing.store(false, Ordering::SeqCst);
            let input = match read {
                Ok(line) => Input::Line(line),
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
    };
    let _ = screen.show(&render.note("connected; /help lists the commands"));
    let chat = Chat {
        conn,
        screen,
        render,
        json: false,
        interactive: true,
        echo_timeout,
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
