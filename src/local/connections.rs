//! The live sockets of the local gateway, by connection id, and the
//! in-process [`Push`] that delivers to them. A reader too slow to drain
//! its send queue is closed with 1013 (try again later) rather than
//! silently losing frames: it reconnects and catches up from history.
//!
//! Each connection is one [`Live`]: what the management API reports about
//! it and its send queue, in one allocation. The queue holds nothing while
//! the connection is idle (an idle chat socket is the common case, and
//! there may be 10,000 of them); a posted frame is the core's shared bytes,
//! never a copy.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Waker};

use async_trait::async_trait;
use bytes::Bytes;

use super::events::EventContext;
use crate::limits::{LOCAL_SEND_QUEUE, MAX_MESSAGE_BYTES};
use crate::model::ConnectionId;
use crate::ports::{Frame, Push, PushError};

/// What the socket of one connection is asked to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// A text frame: bytes known to be UTF-8 (a [`Frame`] is made from a
    /// `String`; the management API checks what it is given). Shared: a
    /// frame fanned out to many is not copied per socket.
    Text(Bytes),
    /// A binary frame (the management API was posted bytes that are not UTF-8).
    Binary(Bytes),
    /// Send a close frame with this code and reason, then stop.
    Close(u16, &'static str),
}

/// One live connection: its identity (for its events and the management
/// API), when it was last heard from, and what waits to be sent to it.
pub struct Live {
    pub ctx: EventContext,
    last_active_ms: AtomicI64,
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    frames: VecDeque<Outbound>,
    /// The session to wake when something arrives.
    waker: Option<Waker>,
    /// A close to send ahead of anything queued (a queue that is full).
    close_now: Option<(u16, &'static str)>,
}

/// How a push went.
enum Pushed {
    Queued,
    /// Refused: the queue is full (`first`: this push found it so).
    Full {
        first: bool,
    },
}

/// What the session takes from the queue.
pub enum Next {
    Send(Outbound),
    /// Close at once with this code, dropping what is queued.
    CloseNow(u16, &'static str),
    Empty,
}

impl Live {
    pub fn new(ctx: EventContext) -> Self {
        Self {
            last_active_ms: AtomicI64::new(ctx.connected_at_ms),
            ctx,
            queue: Mutex::default(),
        }
    }

    pub fn touch(&self) {
        self.last_active_ms
            .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
    }

    pub fn last_active_ms(&self) -> i64 {
        self.last_active_ms.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `out` without waiting. A full queue takes nothing more: a
    /// close then goes ahead of it, anything else closes with 1013.
    fn push(&self, out: Outbound) -> Pushed {
        let mut q = self.lock();
        let pushed = if q.frames.len() < LOCAL_SEND_QUEUE {
            q.frames.push_back(out);
            Pushed::Queued
        } else if let Outbound::Close(code, reason) = out {
            q.close_now.get_or_insert((code, reason));
            Pushed::Queued
        } else {
            let first = q.close_now.is_none();
            q.close_now.get_or_insert((1013, "Try Again Later"));
            Pushed::Full { first }
        };
        // Woken once per burst: the session takes everything queued.
        let waker = q.waker.take();
        drop(q);
        if let Some(w) = waker {
            w.wake();
        }
        pushed
    }

    /// The next thing to send, for the session; with nothing left it
    /// registers to be woken (and gives back the queue's memory).
    pub fn next(&self, cx: &Context<'_>) -> Next {
        let mut q = self.lock();
        if let Some((code, reason)) = q.close_now {
            q.frames = VecDeque::new();
            return Next::CloseNow(code, reason);
        }
        match q.frames.pop_front() {
            Some(out) => Next::Send(out),
            None => {
                if q.frames.capacity() > 0 {
                    q.frames = VecDeque::new();
                }
                if !q.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    q.waker = Some(cx.waker().clone());
                }
                Next::Empty
            }
        }
    }

    /// A close asked for ahead of the queue; else registers the session to
    /// be woken by one (while the socket takes no frames).
    pub fn close_now(&self, cx: &Context<'_>) -> Option<(u16, &'static str)> {
        let mut q = self.lock();
        if q.close_now.is_none() && !q.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            q.waker = Some(cx.waker().clone());
        }
        q.close_now
    }

    /// Whether frames wait to be sent.
    pub fn has_frames(&self) -> bool {
        !self.lock().frames.is_empty()
    }

    /// Whether the queue is full (a close then goes ahead of it).
    pub fn is_full(&self) -> bool {
        self.lock().frames.len() >= LOCAL_SEND_QUEUE
    }
}

/// Live connections; a connection is here from the end of a successful
/// `$connect` until its socket ends.
#[derive(Default)]
pub struct Registry {
    conns: Mutex<HashMap<ConnectionId, Arc<Live>>>,
    /// Connections closed with 1013 because their send queue was full.
    slow_closed: AtomicU64,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<ConnectionId, Arc<Live>>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection, once its `$connect` has succeeded.
    pub fn register(&self, id: ConnectionId, live: Arc<Live>) {
        self.lock().insert(id, live);
    }

    /// Forgets a connection that has ended.
    pub fn remove(&self, id: &ConnectionId) {
        self.lock().remove(id);
    }

    /// The live connection `id`, if this server holds it.
    pub fn info(&self, id: &ConnectionId) -> Option<Arc<Live>> {
        self.lock().get(id).cloned()
    }

    /// How many connections this server holds.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Connections closed so far because they read too slowly.
    pub fn slow_closed(&self) -> u64 {
        self.slow_closed.load(Ordering::Relaxed)
    }

    /// Queues `out` for a connection without waiting. A reader too slow to
    /// drain its queue is not allowed to stall everyone else, nor to miss
    /// frames without knowing: it is closed with 1013.
    pub fn send(&self, id: &ConnectionId, out: Outbound) -> Result<(), PushError> {
        // Queued under the registry's lock: no reference counting per post.
        let pushed = self.lock().get(id).ok_or(PushError::Gone)?.push(out);
        match pushed {
            Pushed::Queued => Ok(()),
            Pushed::Full { first } => {
                if first {
                    let total = self.slow_closed.fetch_add(1, Ordering::Relaxed) + 1;
                    tracing::warn!(conn = %id, slow_closed_total = total,
                        "send queue full: closing the connection with 1013");
                }
                Err(PushError::Other(
                    "the connection's send queue was full; it is being closed with 1013".into(),
                ))
            }
        }
    }
}

#[async_trait]
impl Push for Registry {
    /// Refuses what API Gateway refuses: a frame over 128 KB.
    async fn post(&self, to: &ConnectionId, frame: &Frame) -> Result<(), PushError> {
        if frame.len() > MAX_MESSAGE_BYTES {
            return Err(PushError::PayloadTooLarge);
        }
        self.send(to, Outbound::Text(frame.bytes().clone()))
    }

    async fn close(
        &self,
        to: &ConnectionId,
        code: u16,
        reason: &'static str,
    ) -> Result<(), PushError> {
        self.send(to, Outbound::Close(code, reason))
    }
}
