//! One live WebSocket: frames in become `MESSAGE` events (one at a time, in
//! order), queued frames go out, API Gateway's limits apply, and every way a
//! connection ends runs `$disconnect` exactly once. A broken client gets
//! the close code RFC 6455 names: 1007 for a text frame that is not UTF-8,
//! 1002 for a protocol error (an unmasked frame, RSV bits, an unknown
//! opcode), 1009 for a frame or message over the limit.
//!
//! One task per connection, reading and writing the socket itself: no
//! second task, no split halves, no channel. While idle it holds the socket,
//! one timer and the shutdown signal; the work for a client frame is
//! allocated only while that frame is handled. Frames queued for the client
//! go out as they come, while a frame is handled too, as many as are
//! waiting in one write.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use aws_lambda_events::apigw::ApiGatewayProxyResponse;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::time::{Instant, Sleep};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame as WsFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_util::sync::WaitForCancellationFuture;

use super::connections::{Live, Next, Outbound};
use super::events::{EventContext, disconnect_event, message_event};
use super::gateway::Gateway;
use super::slots::Slot;
use crate::model::ConnectionId;
use crate::protocol::route_key;

type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// How long a closing socket gets to flush its close frame and hear the
/// peer's reply.
const CLOSE_GRACE: Duration = Duration::from_secs(3);
/// How long, of that, the server keeps reading after its close frame.
const LINGER: Duration = Duration::from_secs(2);

/// Why the connection ended, and what the peer is still owed.
struct End {
    code: u16,
    reason: &'static str,
    then: Then,
}

enum Then {
    /// The frames queued so far, then a close frame with this code (the
    /// close first if the queue is full).
    CloseAfterQueue,
    /// A close frame with this code, ahead of anything queued.
    CloseNow,
    /// Nothing more: our close frame was sent already; the peer's reply
    /// is waited for (a lingering close).
    Sent,
    /// Nothing: the peer closed or vanished, or writing failed.
    Flush,
}

impl End {
    fn new(code: u16, reason: &'static str, then: Then) -> Self {
        Self { code, reason, then }
    }

    fn going_away() -> Self {
        Self::new(1001, "Going away", Then::CloseAfterQueue)
    }

    fn lost() -> Self {
        Self::new(1006, "Connection lost", Then::Flush)
    }

    /// The server closed it (DeleteConnection), or writing failed.
    fn by_server() -> Self {
        Self::new(1000, "Connection closed by server", Then::Flush)
    }
}

/// The work for one client frame, while it runs (the Lambda entry's
/// answer to a `MESSAGE` event is always 200: replies travel by push).
type Handling<'a> = Pin<Box<dyn Future<Output = ApiGatewayProxyResponse> + Send + 'a>>;

struct Session<'a> {
    gw: &'a Gateway,
    live: &'a Live,
    ws: Socket,
    handling: Option<Handling<'a>>,
    /// The socket stopped taking frames (a close was sent, or writing
    /// failed): how the connection ends once the frame being handled is done.
    stopped: Option<End>,
    /// Frames handed to the socket and not flushed yet.
    unflushed: bool,
    /// Queued frames waited a turn already.
    gathered: bool,
    last_read: Instant,
    deadline: Instant,
}

/// Runs the connection until it ends, then `$disconnect`.
pub async fn run(gw: Arc<Gateway>, live: Arc<Live>, ws: Socket, slot: Option<Slot>) {
    // Its place under the connection cap, given back when it ends.
    let _slot = slot;
    let now = Instant::now();
    let deadline = now + gw.config.max_connection;
    let mut timer = pin!(tokio::time::sleep_until(
        (now + gw.config.idle_timeout).min(deadline)
    ));
    let mut shutdown = pin!(gw.shutdown.cancelled());
    let mut s = Session {
        gw: &gw,
        live: &live,
        ws,
        handling: None,
        stopped: None,
        unflushed: false,
        gathered: false,
        last_read: now,
        deadline,
    };
    let end = poll_fn(|cx| s.poll(cx, timer.as_mut(), shutdown.as_mut())).await;

    // Gone for everyone before `$disconnect` runs, as on API Gateway.
    gw.registry
        .remove(&ConnectionId::new(&live.ctx.connection_id));
    let _ = tokio::time::timeout(CLOSE_GRACE, finish(&mut s.ws, &live, &end)).await;
    drop(s);
    self::end(&gw, &live.ctx, end.code, end.reason).await;
}

impl<'a> Session<'a> {
    /// Drives the connection until it ends: the frame being handled, the
    /// queue to the client, the next client frame, the timers.
    fn poll(
        &mut self,
        cx: &mut Context<'_>,
        mut timer: Pin<&mut Sleep>,
        mut shutdown: Pin<&mut WaitForCancellationFuture<'_>>,
    ) -> Poll<End> {
        loop {
            if let Some(handling) = self.handling.as_mut() {
                if handling.as_mut().poll(cx).is_pending() {
                    self.write(cx);
                    return Poll::Pending;
                }
                self.handling = None;
                self.last_read = Instant::now();
            }
            self.write(cx);
            if let Some(end) = self.stopped.take() {
                return Poll::Ready(end);
            }
            // Asked to close ahead of the queue (a reader too slow to drain
            // it), even while the socket takes nothing.
            if let Some((code, reason)) = self.live.close_now(cx) {
                return Poll::Ready(End::new(code, reason, Then::CloseNow));
            }
            // The next client frame, once the last one is handled.
            match Pin::new(&mut self.ws).poll_next(cx) {
                Poll::Ready(Some(Ok(msg))) => {
                    self.live.touch();
                    self.last_read = Instant::now();
                    match self.on_message(msg) {
                        Ok(handling) => self.handling = handling,
                        Err(end) => return Poll::Ready(end),
                    }
                    continue;
                }
                Poll::Ready(other) => return Poll::Ready(self.read_failed(other)),
                Poll::Pending => {}
            }
            if shutdown.as_mut().poll(cx).is_ready() {
                return Poll::Ready(End::going_away());
            }
            while timer.as_mut().poll(cx).is_ready() {
                let now = Instant::now();
                let idle_until = self.last_read + self.gw.config.idle_timeout;
                if now >= self.deadline || now >= idle_until {
                    return Poll::Ready(End::going_away());
                }
                timer.as_mut().reset(idle_until.min(self.deadline));
            }
            return Poll::Pending;
        }
    }

    /// Hands every queued frame to the socket, then flushes them together.
    /// Sets `stopped` once the socket takes no more.
    fn write(&mut self, cx: &mut Context<'_>) {
        if self.stopped.is_some() {
            return;
        }
        // Frames that just arrived wait one turn of the scheduler: what is
        // fanned out meanwhile (other messages, other languages) joins them
        // in the same write. Under load that is several frames a write, and
        // one write costs about as much as one frame alone (loopback, 1,000
        // members: 2.9 frames a write became 4.8, and the server's CPU per
        // frame fell from 3.8 to 2.6 µs).
        if !self.gathered && !self.unflushed && self.live.has_frames() {
            self.gathered = true;
            cx.waker().wake_by_ref();
            return;
        }
        self.gathered = false;
        loop {
            match Pin::new(&mut self.ws).poll_ready(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return self.stop(End::by_server()),
                // Flushing what was handed over before; the socket wakes us.
                Poll::Pending => return,
            }
            let (msg, last) = match self.live.next(cx) {
                Next::Empty => break,
                Next::Send(out @ Outbound::Close(..)) => (message(out), true),
                Next::Send(out) => (message(out), false),
                // Sent while finishing.
                Next::CloseNow(code, reason) => {
                    return self.stop(End::new(code, reason, Then::CloseNow));
                }
            };
            if Pin::new(&mut self.ws).start_send(msg).is_err() {
                return self.stop(End::by_server());
            }
            self.unflushed = true;
            if last {
                // A close (DeleteConnection, a flooder): flushed while
                // finishing, then the peer's reply is waited for.
                let mut end = End::by_server();
                end.then = Then::Sent;
                return self.stop(end);
            }
        }
        if self.unflushed {
            match Pin::new(&mut self.ws).poll_flush(cx) {
                Poll::Ready(Ok(())) => self.unflushed = false,
                Poll::Ready(Err(_)) => self.stop(End::by_server()),
                Poll::Pending => {}
            }
        }
    }

    fn stop(&mut self, end: End) {
        self.stopped = Some(end);
    }

    /// A frame from the client: the work to handle it, nothing (control
    /// frames), or the end (a close frame).
    fn on_message(&self, msg: Message) -> Result<Option<Handling<'a>>, End> {
        let (gw, ctx) = (self.gw, &self.live.ctx);
        Ok(match msg {
            Message::Text(t) => Some(on_frame(gw, ctx, t.as_bytes(), false)),
            Message::Binary(b) => Some(on_frame(gw, ctx, &b, true)),
            Message::Close(frame) => {
                let code = frame.as_ref().map_or(1005, |f| u16::from(f.code));
                return Err(End::new(code, "Client closed", Then::Flush));
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
        })
    }

    /// The stream ended or failed: how the connection ends.
    fn read_failed(&self, item: Option<Result<Message, WsError>>) -> End {
        let conn = &self.live.ctx.connection_id;
        match item {
            None
            | Some(Ok(_))
            | Some(Err(
                WsError::ConnectionClosed
                | WsError::AlreadyClosed
                | WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake),
            )) => End::lost(),
            Some(Err(WsError::Capacity(e))) => {
                tracing::info!(%conn, error = %e, "frame over the limit");
                End::new(1009, "Message too big", Then::CloseAfterQueue)
            }
            Some(Err(WsError::Utf8(_))) => {
                tracing::info!(%conn, "text frame that is not UTF-8");
                End::new(1007, "Invalid frame payload data", Then::CloseAfterQueue)
            }
            Some(Err(WsError::Protocol(e))) => {
                tracing::info!(%conn, error = %e, "WebSocket protocol error");
                End::new(1002, "Protocol error", Then::CloseAfterQueue)
            }
            Some(Err(e)) => {
                tracing::debug!(%conn, error = %e, "socket error");
                End::lost()
            }
        }
    }
}

/// A queued frame as a WebSocket message. Text is sent as a ready-made
/// frame: its bytes are known to be UTF-8, so they are not checked again
/// for every recipient.
fn message(out: Outbound) -> Message {
    match out {
        Outbound::Text(bytes) => {
            Message::Frame(WsFrame::message(bytes, OpCode::Data(Data::Text), true))
        }
        Outbound::Binary(bytes) => Message::Binary(bytes),
        Outbound::Close(code, reason) => close(code, reason),
    }
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }))
}

/// What the peer is still owed once the connection has ended: the frames
/// queued before it ended and a close frame (the close first when the
/// queue is full), then the closing handshake.
async fn finish(ws: &mut Socket, live: &Live, end: &End) {
    let (mut code, mut reason) = (end.code, end.reason);
    match end.then {
        Then::Flush | Then::Sent => {}
        Then::CloseNow => {
            let _ = ws.send(close(code, reason)).await;
        }
        Then::CloseAfterQueue => {
            while !live.is_full() {
                match poll_fn(|cx| Poll::Ready(live.next(cx))).await {
                    Next::Empty => break,
                    // A close asked for meanwhile takes the place of ours.
                    Next::CloseNow(c, r) | Next::Send(Outbound::Close(c, r)) => {
                        (code, reason) = (c, r);
                        break;
                    }
                    Next::Send(out) => {
                        if ws.feed(message(out)).await.is_err() {
                            return;
                        }
                    }
                }
            }
            let _ = ws.send(close(code, reason)).await;
        }
    }
    if !matches!(end.then, Then::Flush) {
        linger(ws).await;
    }
    let _ = SinkExt::close(ws).await;
}

/// A lingering close: after our close frame, what the peer still sends is
/// read and dropped until its close reply (or the grace period ends).
/// Closing a socket with unread data in it makes the kernel send a reset,
/// and a reset may destroy what the peer had not read yet: a flooder would
/// never see its errors or the close frame saying why.
async fn linger(ws: &mut Socket) {
    let _ = tokio::time::timeout(LINGER, async {
        while let Some(Ok(msg)) = ws.next().await {
            if msg.is_close() {
                break;
            }
        }
    })
    .await;
}

/// `$disconnect` for a connection that is no longer live.
pub async fn end(gw: &Gateway, ctx: &EventContext, code: u16, reason: &str) {
    gw.registry.remove(&ConnectionId::new(&ctx.connection_id));
    tracing::info!(conn = %ctx.connection_id, code, "disconnect");
    gw.invoke(disconnect_event(ctx, code, reason)).await;
}

/// One client frame: route selection on `$request.body.action`, then the
/// Lambda entry.
fn on_frame<'a>(gw: &'a Gateway, ctx: &EventContext, body: &[u8], binary: bool) -> Handling<'a> {
    let route = if binary {
        None
    } else {
        std::str::from_utf8(body).ok().and_then(route_key)
    };
    gw.invoke(message_event(
        ctx,
        route.unwrap_or("$default"),
        body,
        binary,
    ))
}
