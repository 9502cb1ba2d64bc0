//! Script mode: `--send` (one message, wait for its echo), `--listen`
//! (frames to stdout until closed or `--count`), and lines read from a
//! stdin that is not a terminal. Data goes to stdout, one line per frame;
//! notes and errors go to stderr.

use std::io::{self, BufRead, Write};
use std::time::Duration;

use honyaku::protocol::ServerFrame;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use crate::chat::{Input, Inputs, Screen};
use crate::commands::translate_frame;
use crate::connection::{Connection, Event};
use crate::error::ClientError;
use crate::outbox::MsgIds;
use crate::render::{Renderer, clean};

/// stdout for data, stderr for the rest.
pub struct Plain;

impl Screen for Plain {
    fn show(&mut self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        writeln!(out, "{text}")?;
        out.flush()
    }

    fn warn(&mut self, text: &str) {
        let _ = writeln!(io::stderr(), "{text}");
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
                        let _ = Plain.show(&raw);
                    }
                    break Ok(());
                }
                Some(Event::Frame { frame: Some(ServerFrame::Error { code, message, action, .. }), .. })
                    if action.as_deref() == Some("translate") =>
                {
                    break Err(ClientError::Refused(format!("the message: {}: {}", clean(&code), clean(&message))));
                }
                Some(Event::Lost { reason, attempt, retry_in }) => {
                    online = false;
                    Plain.warn(&render.lost(&reason, attempt, retry_in));
                }
                Some(Event::Reconnected) => {
                    online = true;
                    deadline = Instant::now() + echo_timeout;
                    conn.send(&frame);
                }
                Some(Event::Ended(e)) => break Err(e),
                None => break Err(ClientError::Closed("before the echo came".into())),
                Some(Event::Frame { .. }) => {}
            },
            _ = sleep_until(deadline), if online => break Err(ClientError::NoEcho(echo_timeout.as_secs())),
            _ = &mut ctrl_c => break Err(ClientError::Interrupted),
        }
    };
    conn.close().await;
    result
}

/// `--listen`: every frame as a line (raw JSON with `--json`) until the
/// server closes the connection or `count` frames were printed. Drops are
/// reconnected like anywhere else.
pub async fn listen(
    mut conn: Connection,
    count: Option<u64>,
    json: bool,
    render: Renderer,
) -> Result<(), ClientError> {
    let mut printed = 0u64;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let result = loop {
        if count.is_some_and(|n| printed >= n) {
            break Ok(());
        }
        tokio::select! {
            event = conn.next() => match event {
                Some(Event::Frame { raw, frame }) => {
                    let line = if json { Some(raw) } else { frame.and_then(|f| render.frame(&f)) };
                    if let Some(line) = line {
                        if Plain.show(&line).is_err() {
                            break Ok(());
                        }
                        printed += 1;
                    }
                }
                Some(Event::Lost { reason, attempt, retry_in }) => {
                    Plain.warn(&render.lost(&reason, attempt, retry_in));
                }
                Some(Event::Reconnected) => Plain.warn(&render.note("reconnected")),
                Some(Event::Ended(ClientError::Closed(why))) => {
                    Plain.warn(&render.note(&format!("the server closed the connection ({why})")));
                    break Ok(());
                }
                Some(Event::Ended(e)) => break Err(e),
                None => break Ok(()),
            },
            _ = &mut ctrl_c => break Err(ClientError::Interrupted),
        }
    };
    conn.close().await;
    result
}
