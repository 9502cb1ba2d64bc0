//! What a session sends, in order, and what it still waits for.
//!
//! Messages are pipelined: every `translate` carries a `clientMsgId`, and
//! both its echo and its `error` (protocol v1.1) carry it back, so several
//! may be on the wire at once (up to [`WINDOW`]). Any other frame (`join`,
//! `history`, `members`, v1.2's `edit`, `delete`, `correct`, `glossary`,
//! `glossary_set`) goes alone: it waits until everything before it is
//! answered, and what comes after waits for its reply. The local server
//! handles a connection's frames in order, but API Gateway may run two
//! frames' Lambdas at once; this way `hello` then `/join elsewhere` still
//! says hello where it was typed, and `/join` then `/members` lists the new
//! room. Replies to those frames carry no id; they come back in order, so
//! the oldest one waiting for that kind of reply takes it.
//!
//! While offline nothing is sent. After a reconnect, what the old
//! connection never answered goes again, in order: the server drops a
//! repeated `clientMsgId` it already accepted, so a message is not doubled.
//!
//! A message refused with `rate_limited` is not lost: sending pauses (1 s,
//! doubling on each refusal of the same message), the window drops to one
//! message and grows again with each echo, and the message goes again, up
//! to [`TRIES`] times (a minute and more). A script piping a long file so slows to the server's
//! rate instead of losing lines, or being closed for flooding.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use tokio::time::Instant;

pub use crate::answers::Reply;
use crate::connection::Connection;
use honyaku::protocol::ClientFrame;

/// Messages on the wire at once, at most.
pub const WINDOW: usize = 16;
/// The first pause after a `rate_limited`.
pub const PAUSE: Duration = Duration::from_secs(1);
/// Times one message is sent before a `rate_limited` counts as a refusal:
/// the pauses add up to 63 s, past the server's per-minute window (the
/// hourly character budget answers `rate_limited` too, and that one does
/// not pass so soon).
pub const TRIES: u32 = 7;

/// Where frames go: the connection, or a recorder in tests.
pub trait Wire {
    fn send(&self, frame: &ClientFrame);
    /// A `translate` with v1.2's `replyTo`, which `ClientFrame` has no
    /// field for (the server reads it beside the frame's own fields).
    fn send_reply(&self, frame: &ClientFrame, reply_to: &str);
}

impl Wire for Connection {
    fn send(&self, frame: &ClientFrame) {
        Connection::send(self, frame);
    }

    fn send_reply(&self, frame: &ClientFrame, reply_to: &str) {
        Connection::send_reply(self, frame, reply_to);
    }
}

/// A message whose echo never came, or that the server refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    pub id: String,
    pub text: String,
}

/// What an `error` meant for what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A request's error, or not about anything of ours.
    Other,
    /// This message was refused.
    Message(Unanswered),
    /// A message over the server's rate: it goes again after `pause`.
    /// `first` when sending was not already paused.
    Slowed { pause: Duration, first: bool },
}

enum Waiting {
    Echo {
        id: String,
        frame: ClientFrame,
        /// Times sent (after a `rate_limited`, more than once).
        tries: u32,
    },
    Reply {
        reply: Reply,
        resend: bool,
        frame: ClientFrame,
    },
}

struct Pending {
    waiting: Waiting,
    deadline: Instant,
}

pub struct Outbox {
    queue: VecDeque<ClientFrame>,
    /// Messages refused with `rate_limited`, to go again before the queue,
    /// with the times each was sent.
    held: VecDeque<(ClientFrame, u32)>,
    /// Sent and not answered yet, oldest first.
    in_flight: VecDeque<Pending>,
    online: bool,
    timeout: Duration,
    /// Messages allowed on the wire now: [`WINDOW`], or less after a
    /// `rate_limited`.
    window: usize,
    paused_until: Option<Instant>,
    /// `replyTo` of the messages that answer another, by `clientMsgId`.
    replies: HashMap<String, String>,
}

impl Outbox {
    pub fn new(timeout: Duration) -> Self {
        Self {
            queue: VecDeque::new(),
            held: VecDeque::new(),
            in_flight: VecDeque::new(),
            online: true,
            timeout,
            window: WINDOW,
            paused_until: None,
            replies: HashMap::new(),
        }
    }

    /// Queues a message that answers message `reply_to`.
    pub fn push_reply(&mut self, frame: ClientFrame, reply_to: String, conn: &impl Wire) {
        if let ClientFrame::Translate {
            client_msg_id: Some(id),
            ..
        } = &frame
        {
            self.replies.insert(id.clone(), reply_to);
        }
        self.push(frame, conn);
    }

    /// Queues a frame and sends what may go now.
    pub fn push(&mut self, frame: ClientFrame, conn: &impl Wire) {
        self.queue.push_back(frame);
        self.pump(conn);
    }

    /// Sends a frame ahead of the queue (a greeting or a catch-up, which
    /// carry no message) and waits for its reply. Not sent again after a
    /// reconnect: the session asks afresh then.
    pub fn send_now(&mut self, frame: ClientFrame, conn: &impl Wire) {
        conn.send(&frame);
        if let Some(reply) = Reply::of(&frame) {
            self.wait(Waiting::Reply {
                reply,
                resend: false,
                frame,
            });
        }
    }

    /// A `message` arrived: the echo of one of ours if its `clientMsgId`
    /// is waiting (then `true`).
    pub fn echo(&mut self, client_msg_id: Option<&str>, conn: &impl Wire) -> bool {
        let Some(id) = client_msg_id else {
            return false;
        };
        let found = self.take(|w| matches!(w, Waiting::Echo { id: i, .. } if i == id));
        if found.is_some() {
            self.window = (self.window * 2).min(WINDOW);
            self.replies.remove(id);
        }
        self.pump(conn);
        found.is_some()
    }

    /// A `joined`, `history` or `members` arrived.
    pub fn reply(&mut self, reply: Reply, conn: &impl Wire) {
        self.take(|w| matches!(w, Waiting::Reply { reply: r, .. } if *r == reply));
        self.pump(conn);
    }

    /// An `error` with `code` arrived. An `error` for a `translate`
    /// without `clientMsgId` (a server older than v1.1) is taken as the
    /// oldest message's.
    pub fn error(
        &mut self,
        action: Option<&str>,
        client_msg_id: Option<&str>,
        code: &str,
        conn: &impl Wire,
    ) -> Refusal {
        let refusal = match (action, client_msg_id) {
            (Some("translate"), id) => {
                let taken = match id {
                    Some(id) => self.take(|w| matches!(w, Waiting::Echo { id: i, .. } if i == id)),
                    None => self.take(|w| matches!(w, Waiting::Echo { .. })),
                };
                match taken {
                    Some(Waiting::Echo { frame, tries, .. })
                        if code == "rate_limited" && tries < TRIES =>
                    {
                        self.slow_down(frame, tries)
                    }
                    Some(Waiting::Echo { id, frame, .. }) => {
                        self.replies.remove(&id);
                        unanswered_parts(&id, &frame).map_or(Refusal::Other, Refusal::Message)
                    }
                    _ => Refusal::Other,
                }
            }
            (Some(action), _) => {
                if let Some(reply) = Reply::for_action(action) {
                    self.take(|w| matches!(w, Waiting::Reply { reply: r, .. } if *r == reply));
                }
                Refusal::Other
            }
            (None, _) => Refusal::Other,
        };
        self.pump(conn);
        refusal
    }

    /// Holds a rate-limited message and pauses sending.
    fn slow_down(&mut self, frame: ClientFrame, tries: u32) -> Refusal {
        let now = Instant::now();
        let first = self.paused_until.is_none_or(|t| t <= now);
        let pause = PAUSE * 2u32.pow(tries.saturating_sub(1).min(5));
        let until = now + pause;
        self.paused_until = Some(self.paused_until.map_or(until, |t| t.max(until)));
        self.window = 1;
        self.held.push_back((frame, tries));
        Refusal::Slowed { pause, first }
    }

    /// The connection dropped: hold everything until it is back.
    pub fn offline(&mut self) {
        self.online = false;
    }

    pub fn is_online(&self) -> bool {
        self.online
    }

    /// A new connection: `greeting` (a catch-up's `join`) goes first and
    /// is waited for; then what the old connection never answered goes
    /// again, in order, then the queue. Sent after the greeting's reply,
    /// the echoes of messages sent again cannot come before what the
    /// catch-up shows.
    pub fn reconnected(&mut self, conn: &impl Wire, greeting: Option<ClientFrame>) {
        self.online = true;
        let old = std::mem::take(&mut self.in_flight);
        for pending in old.into_iter().rev() {
            match pending.waiting {
                // The send to come counts again; this one did not arrive.
                Waiting::Echo { frame, tries, .. } => {
                    self.held.push_front((frame, tries.saturating_sub(1)));
                }
                Waiting::Reply {
                    frame,
                    resend: true,
                    ..
                } => self.queue.push_front(frame),
                // A greeting or catch-up of the old connection: the new one asks afresh.
                Waiting::Reply { resend: false, .. } => {}
            }
        }
        match greeting {
            Some(frame) => self.send_now(frame, conn),
            None => self.pump(conn),
        }
    }

    /// When [`Self::expire`] has something to do: the oldest unanswered
    /// frame stops waiting, or a pause ends.
    pub fn deadline(&self) -> Option<Instant> {
        self.in_flight
            .iter()
            .map(|p| p.deadline)
            .chain(self.paused_until)
            .min()
    }

    /// Stops waiting for what is past its deadline, and ends a pause that
    /// is over; returns the messages that got no echo. A reply that never
    /// came is only logged.
    pub fn expire(&mut self, now: Instant, conn: &impl Wire) -> Vec<Unanswered> {
        if self.paused_until.is_some_and(|t| t <= now) {
            self.paused_until = None;
        }
        let mut expired = Vec::new();
        self.in_flight.retain(|p| {
            if p.deadline > now {
                return true;
            }
            match &p.waiting {
                Waiting::Echo { id, frame, .. } => expired.extend(unanswered_parts(id, frame)),
                Waiting::Reply { reply, .. } => tracing::info!(?reply, "no reply in time"),
            }
            false
        });
        self.pump(conn);
        expired
    }

    /// Nothing queued, nothing waiting.
    pub fn is_done(&self) -> bool {
        self.queue.is_empty() && self.held.is_empty() && self.in_flight.is_empty()
    }

    /// Sends queued frames while the rules above allow.
    fn pump(&mut self, conn: &impl Wire) {
        if !self.online || self.paused_until.is_some() {
            return;
        }
        loop {
            let Some(front) = self.held.front().map(|(f, _)| f).or(self.queue.front()) else {
                return;
            };
            let messages = self
                .in_flight
                .iter()
                .filter(|p| matches!(p.waiting, Waiting::Echo { .. }))
                .count();
            let may = match front {
                ClientFrame::Translate { .. } => {
                    messages == self.in_flight.len() && messages < self.window
                }
                _ => self.in_flight.is_empty(),
            };
            if !may {
                return;
            }
            let (frame, tries) = match self.held.pop_front() {
                Some(held) => held,
                None => (self.queue.pop_front().expect("front exists"), 0),
            };
            match &frame {
                ClientFrame::Translate {
                    client_msg_id: Some(id),
                    ..
                } if self.replies.contains_key(id) => conn.send_reply(&frame, &self.replies[id]),
                _ => conn.send(&frame),
            }
            match (&frame, Reply::of(&frame)) {
                (
                    ClientFrame::Translate {
                        client_msg_id: Some(id),
                        ..
                    },
                    _,
                ) => {
                    let id = id.clone();
                    self.wait(Waiting::Echo {
                        id,
                        frame,
                        tries: tries + 1,
                    });
                }
                (_, Some(reply)) => self.wait(Waiting::Reply {
                    reply,
                    resend: true,
                    frame,
                }),
                _ => {}
            }
        }
    }

    fn wait(&mut self, waiting: Waiting) {
        self.in_flight.push_back(Pending {
            waiting,
            deadline: Instant::now() + self.timeout,
        });
    }

    fn take(&mut self, pred: impl Fn(&Waiting) -> bool) -> Option<Waiting> {
        let i = self.in_flight.iter().position(|p| pred(&p.waiting))?;
        self.in_flight.remove(i).map(|p| p.waiting)
    }
}

fn unanswered_parts(id: &str, frame: &ClientFrame) -> Option<Unanswered> {
    match frame {
        ClientFrame::Translate { text, .. } => Some(Unanswered {
            id: id.to_owned(),
            text: text.clone().unwrap_or_default(),
        }),
        _ => None,
    }
}

/// `clientMsgId`s: unique per process (a random tag) and per message.
pub struct MsgIds {
    tag: u32,
    next: u64,
}

impl MsgIds {
    pub fn new() -> Self {
        let tag = RandomState::new().build_hasher().finish() as u32;
        Self { tag, next: 1 }
    }

    pub fn next(&mut self) -> String {
        let id = format!("hc-{:08x}-{}", self.tag, self.next);
        self.next += 1;
        id
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
