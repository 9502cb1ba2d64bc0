//! A chat session over lines: what the interactive mode and the stdin
//! script mode share. Typed lines become frames (through the [`Outbox`]);
//! frames become lines on a [`Screen`] (in `incoming`).

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use crate::capability::Capability;
use crate::commands::{Command, HELP, HISTORY_DEFAULT, translate_frame};
use crate::connection::{Connection, Event};
use crate::error::ClientError;
use crate::export::Export;
use crate::glossary::GlossaryOp;
use crate::outbox::{MsgIds, Outbox, Unanswered};
use crate::render::Renderer;
use crate::screen::Screen;
use crate::typing::Typists;
use honyaku::model::GlossaryTerm;
use honyaku::protocol::ClientFrame;

/// What the person (or the script) did.
#[derive(Debug)]
pub enum Input {
    Line(String),
    /// A key was typed into a message (interactive only): worth a `typing`
    /// frame now and then. Never acknowledged.
    Typing,
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
    /// Greet with `joined` and recent history, catch up after a reconnect,
    /// show who is typing: what a person wants, and noise in a script.
    pub interactive: bool,
    /// How long a message may wait for its echo.
    pub echo_timeout: Duration,
    /// What translates on the server: warned about again after `/lang`.
    pub capability: Capability,
}

/// The session's moving parts, apart from the settings.
pub(crate) struct State {
    pub outbox: Outbox,
    pub ids: MsgIds,
    input_open: bool,
    /// Since when the connection is down.
    pub offline_since: Option<Instant>,
    pub room: Option<String>,
    /// The newest message id shown in this room: message ids sort by time,
    /// so a catch-up shows only what is newer.
    pub last_seen: Option<String>,
    /// `last_seen` when the catch-up started: what its history shows is
    /// newer than this (not than an echo or a live line that came first).
    pub catch_up_after: Option<String>,
    /// Message ids shown lately: an echo that a catch-up already showed
    /// is not shown twice.
    pub shown: VecDeque<String>,
    /// A catch-up's history to ask for once its `joined` says who we are.
    pub catch_up: Option<u32>,
    /// The catch-up after a reconnect: its `joined` is not shown again.
    pub quiet_joined: bool,
    /// The server answered `typing` with `unknown_action` (before v1.1):
    /// send no more.
    pub no_typing: bool,
    /// The next `history` reply answers a catch-up, not `/history`.
    pub catching_up: bool,
    /// Where `/members more` continues.
    pub members_next: Option<String>,
    pub typists: Typists,
    /// Frames the server refused.
    pub refused: u32,
    /// Lines refused here, before sending.
    pub invalid: u32,
    /// Messages whose echo never came.
    unanswered: u32,
    /// This person's latest messages in the room, oldest first: what
    /// `/edit` and `/delete` without a number change.
    pub mine: VecDeque<String>,
    /// The room's glossary as last seen (version, terms).
    pub glossary: Option<(u64, Vec<GlossaryTerm>)>,
    /// `glossary` reads asked for, oldest first: to list (`None`) or to
    /// make a change with.
    pub glossary_wants: VecDeque<Option<GlossaryOp>>,
    /// Who asked for each `history` page still to come, oldest first.
    pub history_uses: VecDeque<HistoryUse>,
    /// The `/export` under way.
    pub export: Option<Export>,
}

/// Who a `history` page is for (a catch-up's is told apart by
/// `catching_up`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryUse {
    Show,
    Export,
}

pub(crate) enum Flow {
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
            input_open: true,
            offline_since: None,
            room: None,
            last_seen: None,
            catch_up_after: None,
            shown: VecDeque::new(),
            catch_up: None,
            quiet_joined: false,
            no_typing: false,
            catching_up: false,
            members_next: None,
            typists: Typists::default(),
            refused: 0,
            invalid: 0,
            unanswered: 0,
            mine: VecDeque::new(),
            glossary: None,
            glossary_wants: VecDeque::new(),
            history_uses: VecDeque::new(),
            export: None,
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
            let deadline = st.outbox.deadline().filter(|_| st.outbox.is_online());
            let typing_ends = st.typists.next_expiry();
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
                        Some(Input::Typing) => {
                            if st.outbox.is_online() && !st.no_typing {
                                self.conn.send(&ClientFrame::Typing {});
                            }
                            continue;
                        }
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
                _ = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    for lost in st.outbox.expire(Instant::now(), &self.conn) {
                        self.no_echo(&lost);
                        st.unanswered += 1;
                    }
                }
                _ = sleep_until(typing_ends.unwrap_or_else(Instant::now)), if typing_ends.is_some() => {
                    if st.typists.expire(Instant::now()) {
                        self.show_typing(&st);
                    }
                }
                _ = &mut ctrl_c => {
                    break if self.interactive { Ok(()) } else { Err(ClientError::Interrupted) };
                }
            }
        };
        self.screen.transient("");
        self.conn.close().await;
        match result {
            Ok(()) if !self.interactive => st.verdict(self.echo_timeout),
            other => other,
        }
    }

    fn on_line(&mut self, st: &mut State, line: &str) -> Flow {
        let command = match Command::parse(line) {
            Ok(c) => c,
            Err(why) => return self.usage(st, &why),
        };
        match command {
            // Enter on an empty line while offline: knock now, not after the wait.
            Command::Nothing if !st.outbox.is_online() => {
                self.conn.retry_now();
                self.screen.status(&self.render.note("retrying now…"));
            }
            Command::Nothing => {}
            Command::Quit => return Flow::Quit,
            Command::Help => {
                self.show(st, HELP);
            }
            Command::Original => {
                self.render.show_original = !self.render.show_original;
                let state = if self.render.show_original {
                    "shown"
                } else {
                    "hidden"
                };
                let note = self.render.note(&format!("originals are {state}"));
                self.show(st, &note);
            }
            Command::Say(text) => {
                if !st.outbox.is_online() {
                    self.screen.warn(&self.render.queued(&text));
                }
                let frame = translate_frame(&text, st.ids.next());
                st.outbox.push(frame, &self.conn);
            }
            Command::MembersMore => match st.members_next.take() {
                Some(after) => st
                    .outbox
                    .push(ClientFrame::Members { after: Some(after) }, &self.conn),
                None => {
                    let note = self
                        .render
                        .note("no more members to list; /members starts over");
                    self.show(st, &note);
                }
            },
            Command::Edit(..)
            | Command::Delete(_)
            | Command::Correct(..)
            | Command::Glossary(_)
            | Command::Reply(..)
            | Command::React(..)
            | Command::Export(..) => return self.request(st, command),
            other => {
                if let Command::History(_) = other {
                    st.history_uses.push_back(HistoryUse::Show);
                }
                if let Some(frame) = other.frame() {
                    st.outbox.push(frame, &self.conn);
                }
            }
        }
        Flow::Go
    }

    /// A line refused before sending: said, and counted for a script.
    pub(crate) fn usage(&mut self, st: &mut State, why: &str) -> Flow {
        self.screen.warn(&self.render.error("usage", why, None));
        st.invalid += 1;
        Flow::Go
    }

    fn on_event(&mut self, st: &mut State, event: Event) -> Flow {
        match event {
            Event::Frame { raw, frame } => return self.on_frame(st, raw, frame),
            Event::Lost {
                reason,
                attempt,
                retry_in,
            } => {
                st.outbox.offline();
                st.offline_since.get_or_insert_with(Instant::now);
                self.screen
                    .status(&self.render.lost(&reason, attempt, retry_in));
            }
            Event::Reconnected => {
                let since = st.offline_since.take().unwrap_or_else(Instant::now);
                self.screen.status(&self.render.back(since.elapsed()));
                // Ask where we are first: what was missed shows before the
                // echoes of what is sent again.
                let greeting = self.interactive.then(|| {
                    st.quiet_joined = true;
                    Self::plan_catch_up(st, honyaku::limits::HISTORY_MAX_LIMIT as u32)
                });
                st.outbox.reconnected(&self.conn, greeting);
            }
            Event::Ended(_) => unreachable!("handled by run"),
        }
        Flow::Go
    }

    /// Asks where we are (the `joined` also says who we are), then what we
    /// missed, ahead of any queued message.
    pub(crate) fn catch_up(&mut self, st: &mut State, limit: u32) {
        let join = Self::plan_catch_up(st, limit);
        st.outbox.send_now(join, &self.conn);
    }

    /// The `join` that starts a catch-up of `limit` messages newer than
    /// what was shown so far (kept now: live lines may come before the
    /// history does).
    fn plan_catch_up(st: &mut State, limit: u32) -> ClientFrame {
        st.catch_up = Some(limit);
        st.catch_up_after = st.last_seen.clone();
        ClientFrame::Join {
            room: None,
            lang: None,
            name: None,
        }
    }

    /// A message that never got its echo.
    fn no_echo(&mut self, lost: &Unanswered) {
        tracing::info!(client_msg_id = %lost.id, "no echo");
        let why = format!(
            "no echo within {}s; it may not have been delivered",
            self.echo_timeout.as_secs()
        );
        self.screen
            .warn(&self.render.unanswered(&lost.text, "no_echo", &why));
    }

    /// A line of the chat; the typing line stays under it.
    pub(crate) fn show(&mut self, st: &State, text: &str) -> Flow {
        if let Err(e) = self.screen.show(text) {
            tracing::info!(error = %e, "output closed");
            return Flow::Quit;
        }
        if !st.typists.names().is_empty() {
            self.show_typing(st);
        }
        Flow::Go
    }

    pub(crate) fn show_typing(&mut self, st: &State) {
        if self.interactive && !self.json {
            self.screen
                .transient(&self.render.typing(&st.typists.names()));
        }
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
