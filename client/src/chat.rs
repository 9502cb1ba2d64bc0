//! A chat session over lines: what the interactive mode and the stdin
//! script mode share. Typed lines become frames (through the [`Outbox`]),
//! frames become lines on a [`Screen`].

use std::io;
use std::time::Duration;

use honyaku::limits::HISTORY_MAX_LIMIT;
use honyaku::protocol::{ClientFrame, HistoryItem, MessageFrame, ServerFrame};
use tokio::sync::mpsc;
use tokio::time::sleep_until;

use crate::commands::{Command, HELP, HISTORY_DEFAULT, translate_frame};
use crate::connection::{Connection, Event};
use crate::error::ClientError;
use crate::outbox::{MsgIds, Outbox};
use crate::render::Renderer;

/// Where a session's lines go.
pub trait Screen {
    /// A line of the chat. An error means nobody reads any more (a closed
    /// pipe), which ends the session.
    fn show(&mut self, text: &str) -> io::Result<()>;
    /// A line about a problem or the connection.
    fn warn(&mut self, text: &str);
}

/// What the person (or the script) did.
#[derive(Debug)]
pub enum Input {
    Line(String),
    /// End of input (Ctrl-D, or the end of a piped file).
    End,
    /// Ctrl-C while editing a line.
    Interrupt,
}

/// Lines in, with an optional acknowledgement: the interactive reader waits
/// for it before showing the prompt again, so after `/quit` it never puts
/// the terminal back into raw mode.
pub struct Inputs {
    pub lines: mpsc::UnboundedReceiver<Input>,
    pub ack: Option<std::sync::mpsc::Sender<()>>,
}

pub struct Chat<S> {
    pub conn: Connection,
    pub screen: S,
    pub render: Renderer,
    /// Frames as raw JSON lines instead of rendered text.
    pub json: bool,
    /// Greet with `joined` and recent history, and catch up after a
    /// reconnect: what a person wants, and noise in a script.
    pub interactive: bool,
    /// How long a message may wait for its echo.
    pub echo_timeout: Duration,
}

/// The session's moving parts, apart from the settings.
struct State {
    outbox: Outbox,
    ids: MsgIds,
    online: bool,
    input_open: bool,
    room: Option<String>,
    /// The newest message id shown in this room: message ids sort by time,
    /// so a catch-up shows only what is newer.
    last_seen: Option<String>,
    /// The next `history` reply answers a catch-up, not `/history`.
    catching_up: bool,
    /// Frames the server refused.
    refused: u32,
    /// Lines refused here, before sending.
    invalid: u32,
    /// Messages whose echo never came.
    unanswered: u32,
}

enum Flow {
    Go,
    Quit,
}

impl<S: Screen> Chat<S> {
    /// Runs until the input ends and everything sent is answered, or
    /// `/quit`. `Err` when the connection ended for good, on Ctrl-C in a
    /// script, or (in a script) when anything went wrong.
    pub async fn run(mut self, mut inputs: Inputs) -> Result<(), ClientError> {
        let mut st = State {
            outbox: Outbox::new(self.echo_timeout),
            ids: MsgIds::new(),
            online: true,
            input_open: true,
            room: None,
            last_seen: None,
            catching_up: false,
            refused: 0,
            invalid: 0,
            unanswered: 0,
        };
        if self.interactive {
            self.catch_up(&mut st, HISTORY_DEFAULT);
        }
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let result = loop {
            if !st.input_open && st.outbox.is_done() {
                break Ok(());
            }
            let echo_deadline = st.outbox.echo_deadline();
            let draining = !st.input_open && st.outbox.only_replies_due() && st.online;
            tokio::select! {
                event = self.conn.next() => match event {
                    Some(Event::Ended(e)) => break Err(e),
                    None => break Ok(()),
                    Some(event) => {
                        if let Flow::Quit = self.on_event(&mut st, event) {
                            break Ok(());
                        }
                    }
                },
                input = inputs.lines.recv(), if st.input_open => {
                    let flow = match input {
                        Some(Input::Line(line)) => self.on_line(&mut st, &line),
                        Some(Input::Interrupt) if !self.interactive => break Err(ClientError::Interrupted),
                        Some(Input::Interrupt) => Flow::Quit,
                        Some(Input::End) | None => {
                            st.input_open = false;
                            Flow::Go
                        }
                    };
                    if let Flow::Quit = flow {
                        break Ok(());
                    }
                    if let Some(ack) = &inputs.ack {
                        let _ = ack.send(());
                    }
                }
                _ = sleep_until(echo_deadline.unwrap_or_else(tokio::time::Instant::now)),
                    if echo_deadline.is_some() && st.online =>
                {
                    let id = st.outbox.give_up(&self.conn).unwrap_or_default();
                    tracing::info!(client_msg_id = %id, "no echo");
                    let why = format!(
                        "no echo within {}s; the message may not have been delivered",
                        self.echo_timeout.as_secs()
                    );
                    self.screen.warn(&self.render.error("no_echo", &why, Some("translate")));
                    st.unanswered += 1;
                }
                _ = sleep_until(st.outbox.quiet_by()), if draining => {
                    tracing::info!("gave up waiting for replies");
                    break Ok(());
                }
                _ = &mut ctrl_c => {
                    break if self.interactive { Ok(()) } else { Err(ClientError::Interrupted) };
                }
            }
        };
        self.conn.close().await;
        match result {
            Ok(()) if !self.interactive => st.verdict(self.echo_timeout),
            other => other,
        }
    }

    fn on_line(&mut self, st: &mut State, line: &str) -> Flow {
        let command = match Command::parse(line) {
            Ok(c) => c,
            Err(why) => {
                self.screen.warn(&self.render.error("usage", &why, None));
                st.invalid += 1;
                return Flow::Go;
            }
        };
        match command {
            Command::Nothing => {}
            Command::Quit => return Flow::Quit,
            Command::Help => self.show(HELP),
            Command::Original => {
                self.render.show_original = !self.render.show_original;
                let state = if self.render.show_original {
                    "shown"
                } else {
                    "hidden"
                };
                let note = self.render.note(&format!("originals are {state}"));
                self.show(&note);
            }
            Command::Say(text) => {
                let frame = translate_frame(&text, st.ids.next());
                st.outbox.push(frame, &self.conn);
            }
            other => {
                if let Some(frame) = other.frame() {
                    st.outbox.push(frame, &self.conn);
                }
            }
        }
        Flow::Go
    }

    fn on_event(&mut self, st: &mut State, event: Event) -> Flow {
        match event {
            Event::Frame { raw, frame } => {
                if let Some(frame) = &frame {
                    self.account(st, frame);
                }
                let line = if self.json {
                    Some(raw)
                } else {
                    frame.and_then(|f| self.line_for(st, f))
                };
                if let Some(line) = line
                    && let Err(e) = self.screen.show(&line)
                {
                    tracing::info!(error = %e, "output closed");
                    return Flow::Quit;
                }
            }
            Event::Lost {
                reason,
                attempt,
                retry_in,
            } => {
                st.online = false;
                self.screen
                    .warn(&self.render.lost(&reason, attempt, retry_in));
            }
            Event::Reconnected => {
                st.online = true;
                self.screen.warn(&self.render.note("reconnected"));
                st.outbox.reconnected(&self.conn);
                if self.interactive {
                    self.catch_up(st, HISTORY_MAX_LIMIT as u32);
                }
            }
            Event::Ended(_) => unreachable!("handled by run"),
        }
        Flow::Go
    }

    /// Bookkeeping every frame needs, shown or not.
    fn account(&mut self, st: &mut State, frame: &ServerFrame) {
        match frame {
            ServerFrame::Message(m) => st.outbox.message(m.client_msg_id.as_deref(), &self.conn),
            ServerFrame::Joined { room, .. } => {
                st.outbox.reply();
                if st.room.as_deref() != Some(room) {
                    st.last_seen = None;
                    st.room = Some(room.clone());
                }
            }
            ServerFrame::History { .. } | ServerFrame::Members { .. } => st.outbox.reply(),
            ServerFrame::Error { action, .. } => {
                st.refused += 1;
                st.outbox.error(action.as_deref(), &self.conn);
            }
            ServerFrame::Presence { .. }
            | ServerFrame::Pong { .. }
            | ServerFrame::Typing { .. } => {}
        }
    }

    /// The text for a frame, or `None`: a catch-up shows only messages not
    /// seen yet; errors go to [`Screen::warn`].
    fn line_for(&mut self, st: &mut State, frame: ServerFrame) -> Option<String> {
        match &frame {
            ServerFrame::Message(m) => {
                see(st, m);
                self.render.frame(&frame)
            }
            ServerFrame::History { room, messages, .. } => {
                let catching_up = std::mem::take(&mut st.catching_up);
                let unseen: Vec<&MessageFrame> = messages
                    .iter()
                    .map(|HistoryItem::Message(m)| m)
                    .filter(|m| !catching_up || st.last_seen.as_ref().is_none_or(|s| m.id > *s))
                    .collect();
                for m in &unseen {
                    see(st, m);
                }
                if catching_up && unseen.is_empty() && st.last_seen.is_some() {
                    return None;
                }
                Some(self.render.history(room, &unseen))
            }
            ServerFrame::Error { .. } => {
                if let Some(line) = self.render.frame(&frame) {
                    self.screen.warn(&line);
                }
                None
            }
            _ => self.render.frame(&frame),
        }
    }

    /// Asks where we are and what we missed (ahead of any queued message).
    fn catch_up(&mut self, st: &mut State, limit: u32) {
        st.catching_up = true;
        let join = ClientFrame::Join {
            room: None,
            lang: None,
            name: None,
        };
        let history = ClientFrame::History {
            limit: Some(limit),
            before: None,
        };
        st.outbox.send_now(&join, &self.conn);
        st.outbox.send_now(&history, &self.conn);
    }

    fn show(&mut self, text: &str) {
        let _ = self.screen.show(text);
    }
}

impl State {
    /// How a script's session went, once it is over.
    fn verdict(&self, echo_timeout: Duration) -> Result<(), ClientError> {
        if self.refused > 0 {
            Err(ClientError::Refused(plural(self.refused, "frame")))
        } else if self.unanswered > 0 {
            Err(ClientError::NoEcho(echo_timeout.as_secs()))
        } else if self.invalid > 0 {
            Err(ClientError::BadLines(plural(self.invalid, "line")))
        } else {
            Ok(())
        }
    }
}

fn plural(n: u32, what: &str) -> String {
    format!("{n} {what}{} (see above)", if n == 1 { "" } else { "s" })
}

fn see(st: &mut State, m: &MessageFrame) {
    if st.last_seen.as_ref().is_none_or(|s| m.id > *s) {
        st.last_seen = Some(m.id.clone());
    }
}
