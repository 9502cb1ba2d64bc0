//! What a session sends, in order, and what it still waits for.
//!
//! Messages go out one at a time: the next `translate` leaves only when the
//! previous one's echo (matched by `clientMsgId`) or its `error` came back.
//! The server handles a connection's frames in order, so an `error` for a
//! `translate` is always the one in flight, and after a reconnect the one
//! in flight is simply sent again. Frames queued behind a message wait for
//! it, so `hello` then `/join elsewhere` says hello where it was typed.

use std::collections::VecDeque;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use honyaku::protocol::ClientFrame;
use tokio::time::Instant;

use crate::connection::Connection;

/// Where frames go: the connection, or a recorder in tests.
pub trait Wire {
    fn send(&self, frame: &ClientFrame);
}

impl Wire for Connection {
    fn send(&self, frame: &ClientFrame) {
        Connection::send(self, frame);
    }
}

struct InFlight {
    frame: ClientFrame,
    id: String,
    deadline: Instant,
}

pub struct Outbox {
    queue: VecDeque<ClientFrame>,
    in_flight: Option<InFlight>,
    /// Replies owed for `join`, `history` and `members` frames sent: a
    /// script's session ends only once they are in.
    replies_due: u32,
    echo_timeout: Duration,
    /// When waiting for owed replies stops: `echo_timeout` after the last
    /// frame sent.
    quiet_by: Instant,
}

impl Outbox {
    pub fn new(echo_timeout: Duration) -> Self {
        Self {
            queue: VecDeque::new(),
            in_flight: None,
            replies_due: 0,
            echo_timeout,
            quiet_by: Instant::now(),
        }
    }

    /// Queues a frame and sends what may go now.
    pub fn push(&mut self, frame: ClientFrame, conn: &impl Wire) {
        self.queue.push_back(frame);
        self.pump(conn);
    }

    /// Sends a frame that jumps the queue (the greeting and a catch-up,
    /// which carry no message) and expects its reply.
    pub fn send_now(&mut self, frame: &ClientFrame, conn: &impl Wire) {
        conn.send(frame);
        self.sent(frame);
    }

    /// A `message` arrived: if it is the echo of the one in flight, the
    /// next frames may go.
    pub fn message(&mut self, client_msg_id: Option<&str>, conn: &impl Wire) {
        if self
            .in_flight
            .as_ref()
            .is_some_and(|f| client_msg_id == Some(f.id.as_str()))
        {
            self.in_flight = None;
            self.pump(conn);
        }
    }

    /// A `joined`, `history` or `members` arrived.
    pub fn reply(&mut self) {
        self.replies_due = self.replies_due.saturating_sub(1);
    }

    /// An `error` arrived for `action`.
    pub fn error(&mut self, action: Option<&str>, conn: &impl Wire) {
        if action == Some("translate") {
            if self.in_flight.take().is_some() {
                self.pump(conn);
            }
        } else {
            self.reply();
        }
    }

    /// A new connection: replies to frames the old one took are not
    /// coming, and the message in flight goes again.
    pub fn reconnected(&mut self, conn: &impl Wire) {
        self.replies_due = 0;
        if let Some(f) = &mut self.in_flight {
            f.deadline = Instant::now() + self.echo_timeout;
            conn.send(&f.frame);
        }
    }

    /// When the message in flight stops waiting for its echo.
    pub fn echo_deadline(&self) -> Option<Instant> {
        self.in_flight.as_ref().map(|f| f.deadline)
    }

    /// Gives up on the message in flight; returns its `clientMsgId`.
    pub fn give_up(&mut self, conn: &impl Wire) -> Option<String> {
        let id = self.in_flight.take().map(|f| f.id);
        self.pump(conn);
        id
    }

    /// Nothing queued, nothing in flight, no reply owed.
    pub fn is_done(&self) -> bool {
        self.queue.is_empty() && self.in_flight.is_none() && self.replies_due == 0
    }

    /// Only replies are owed; past [`Self::quiet_by`] they are given up.
    pub fn only_replies_due(&self) -> bool {
        self.queue.is_empty() && self.in_flight.is_none()
    }

    pub fn quiet_by(&self) -> Instant {
        self.quiet_by
    }

    /// Sends queued frames up to and including the next `translate`.
    fn pump(&mut self, conn: &impl Wire) {
        while self.in_flight.is_none() {
            let Some(frame) = self.queue.pop_front() else {
                return;
            };
            conn.send(&frame);
            self.sent(&frame);
            if let ClientFrame::Translate {
                client_msg_id: Some(id),
                ..
            } = &frame
            {
                self.in_flight = Some(InFlight {
                    id: id.clone(),
                    frame,
                    deadline: Instant::now() + self.echo_timeout,
                });
            }
        }
    }

    fn sent(&mut self, frame: &ClientFrame) {
        self.quiet_by = Instant::now() + self.echo_timeout;
        if matches!(
            frame,
            ClientFrame::Join { .. } | ClientFrame::History { .. } | ClientFrame::Members { .. }
        ) {
            self.replies_due += 1;
        }
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
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// Records the actions sent.
    #[derive(Default)]
    struct Recorder(RefCell<Vec<String>>);

    impl Wire for Recorder {
        fn send(&self, frame: &ClientFrame) {
            let json = serde_json::to_value(frame).unwrap();
            let label = match json["text"].as_str() {
                Some(text) => text.to_owned(),
                None => json["action"].as_str().unwrap().to_owned(),
            };
            self.0.borrow_mut().push(label);
        }
    }

    impl Recorder {
        fn take(&self) -> Vec<String> {
            std::mem::take(&mut self.0.borrow_mut())
        }
    }

    fn say(text: &str, id: &str) -> ClientFrame {
        crate::commands::translate_frame(text, id.to_owned())
    }

    fn members() -> ClientFrame {
        ClientFrame::Members { after: None }
    }

    #[test]
    fn one_message_in_flight_and_order_kept() {
        let wire = Recorder::default();
        let mut out = Outbox::new(Duration::from_secs(5));
        out.push(say("a", "1"), &wire);
        out.push(members(), &wire);
        out.push(say("b", "2"), &wire);
        assert_eq!(wire.take(), ["a"]);
        out.message(Some("other"), &wire);
        out.message(None, &wire);
        assert_eq!(wire.take(), Vec::<String>::new());
        out.message(Some("1"), &wire);
        assert_eq!(wire.take(), ["members", "b"]);
        assert!(!out.is_done());
        // An error for a translate is the one in flight.
        out.error(Some("translate"), &wire);
        assert!(out.only_replies_due());
        out.reply();
        assert!(out.is_done());
    }

    #[test]
    fn a_reconnect_resends_the_message_in_flight() {
        let wire = Recorder::default();
        let mut out = Outbox::new(Duration::from_secs(5));
        out.send_now(&members(), &wire);
        out.push(say("a", "1"), &wire);
        wire.take();
        out.reconnected(&wire);
        assert_eq!(wire.take(), ["a"]);
        out.message(Some("1"), &wire);
        // The members reply went with the old connection.
        assert!(out.is_done());
    }

    #[test]
    fn giving_up_lets_the_next_go() {
        let wire = Recorder::default();
        let mut out = Outbox::new(Duration::from_secs(5));
        out.push(say("a", "1"), &wire);
        out.push(say("b", "2"), &wire);
        assert!(out.echo_deadline().is_some());
        assert_eq!(out.give_up(&wire).as_deref(), Some("1"));
        assert_eq!(wire.take(), ["a", "b"]);
    }

    #[test]
    fn ids_are_unique() {
        let mut ids = MsgIds::new();
        let (a, b) = (ids.next(), ids.next());
        assert_ne!(a, b);
        assert!(a.len() <= 64 && a.starts_with("hc-"), "{a}");
    }
}
