//! Script mode: `--send` (one message, wait for its echo), `--listen`
//! (frames to stdout until closed or `--count`), and lines read from a
//! stdin that is not a terminal. Data goes to stdout, one line per frame;
//! notes and errors go to stderr.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use crate::chat::{Input, Inputs};
use crate::commands::translate_frame;
use crate::connection::{Connection, Event};
use crate::error::ClientError;
use crate::outbox::MsgIds;
use crate::render::{Renderer, clean};
use crate::screen::{self, LastLine, Screen};
use honyaku::protocol::ServerFrame;

/// stdout for data, stderr for the rest. When stderr is a terminal, a
/// status line ("still offline") is rewritten in place.
pub struct Plain {
    stdout_tty: bool,
    stderr_tty: bool,
    last: LastLine,
    /// The terminal's width, when stderr is one.
    cols: usize,
}

impl Plain {
    pub fn new() -> Self {
        let stderr_tty = io::stderr().is_terminal();
        Self {
            stdout_tty: io::stdout().is_terminal(),
            stderr_tty,
            last: LastLine::default(),
            cols: if stderr_tty {
                screen::terminal_cols()
            } else {
                screen::DEFAULT_COLS
            },
        }
    }

    fn err(&mut self, prefix: &str, text: &str) {
        let _ = writeln!(io::stderr(), "{prefix}{text}");
    }
}

impl Screen for Plain {
    fn show(&mut self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        if self.stdout_tty {
            // On the same terminal as stderr, most likely.
            write!(out, "{}", self.last.line())?;
        }
        writeln!(out, "{text}")?;
        out.flush()
    }

    fn warn(&mut self, text: &str) {
        let prefix = if self.stderr_tty {
            self.last.line()
        } else {
            String::new()
        };
        self.err(&prefix, text);
    }

    fn status(&mut self, text: &str) {
        let prefix = if self.stderr_tty {
            self.last.status(screen::rows(text, self.cols))
        } else {
            String::new()
        };
        self.err(&prefix, text);
    }
}

/// Tells how a connection is doing; shared by `--send` and `--listen`.
#[derive(Default)]
struct Link {
    offline_since: Option<Instant>,
}

impl Link {
    /// Handles a `Lost` or `Reconnected` event; `true` when back online.
    fn event(&mut self, screen: &mut Plain, render: &Renderer, event: &Event) -> bool {
        match event {
            Event::Lost {
                reason,
                attempt,
                retry_in,
            } => {
                self.offline_since.get_or_insert_with(Instant::now);
                screen.status(&render.lost(reason, *attempt, *retry_in));
                false
            }
            Event::Reconnected => {
                let since = self.offline_since.take().unwrap_or_else(Instant::now);
                screen.status(&render.back(since.elapsed()));
                true
            }
            _ => false,
        }
    }
}

/// Lines from stdin, read on a thread of their own (a blocking read must
/// not hold up the runtime, nor its shutdown).
pub fn stdin_lines() -> Inputs {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(Input::Line(line)).is_err() {
                return;
            }
        }
        let _ = tx.send(Input::End);
    });
    Inputs {
        lines: rx,
        ack: None,
    }
}

/// `--send TEXT`: sends it, waits for its own echo, prints the echo with
/// `--json`. A reconnect in between sends it again.
pub async fn send(
    mut conn: Connection,
    text: &str,
    json: bool,
    render: Renderer,
    echo_timeout: Duration,
) -> Result<(), ClientError> {
    let mut screen = Plain::new();
    let mut link = Link::default();
    let id = MsgIds::new().next();
    let frame = translate_frame(text, id.clone());
    conn.send(&frame);
    let mut deadline = Instant::now() + echo_timeout;
    let mut online = true;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let result = loop {
        tokio::select! {
            event = conn.next() => match event {
                Some(Event::Frame { raw, frame: Some(ServerFrame::Message(m)) })
                    if m.client_msg_id.as_deref() == Some(&id) =>
                {
                    if json {
                        let _ = screen.show(&raw);
                    }
                    break Ok(());
                }
                Some(Event::Frame { frame: Some(ServerFrame::Error { code, message, action, client_msg_id }), .. })
                    if action.as_deref() == Some("translate")
                        && client_msg_id.as_deref().is_none_or(|c| c == id) =>
                {
                    break Err(ClientError::Refused(format!("the message: {}: {}", clean(&code), clean(&message))));
                }
                Some(Event::Ended(e)) => break Err(e),
                None => break Err(ClientError::Closed("the connection closed before the echo came".into())),
                Some(Event::Frame { .. }) => {}
                Some(event) => {
                    online = link.event(&mut screen, &render, &event);
                    if online {
                        deadline = Instant::now() + echo_timeout;
                        conn.send(&frame);
                    }
                }
            },
            _ = sleep_until(deadline), if online => break Err(ClientError::NoEcho(echo_timeout.as_secs())),
            _ = &mut ctrl_c => break Err(ClientError::Interrupted),
        }
    };
    conn.close().await;
    result
}

/// `--listen`: every frame as a line (raw JSON with `--json`) until the
/// server closes the connection or `count` chat messages were printed.
/// Drops are reconnected like anywhere else.
pub async fn listen(
    mut conn: Connection,
    count: Option<u64>,
    json: bool,
    render: Renderer,
) -> Result<(), ClientError> {
    let mut screen = Plain::new();
    let mut link = Link::default();
    let mut messages = 0u64;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let result = loop {
        if count.is_some_and(|n| messages >= n) {
            break Ok(());
        }
        tokio::select! {
            event = conn.next() => match event {
                Some(Event::Frame { raw, frame }) => {
                    let is_message = matches!(frame, Some(ServerFrame::Message(_)));
                    let line = if json { Some(raw) } else { frame.and_then(|f| render.frame(&f)) };
                    if let Some(line) = line
                        && screen.show(&line).is_err()
                    {
                        break Ok(());
                    }
                    messages += u64::from(is_message);
                }
                Some(Event::Ended(ClientError::Closed(why))) => {
                    screen.warn(&render.note(&why));
                    break Ok(());
                }
                Some(Event::Ended(e)) => break Err(e),
                None => break Ok(()),
                Some(event) => {
                    link.event(&mut screen, &render, &event);
                }
            },
            _ = &mut ctrl_c => break Err(ClientError::Interrupted),
        }
    };
    conn.close().await;
    result
}
