//! The socket, kept alive: one task owns the WebSocket, pings under the
//! server's idle timeout, and when the connection drops reconnects with
//! backoff and jitter as the room, language and name it had last (taken
//! from the server's `joined` frames), so `/join` survives a reconnect.
//! Modes talk to it through two channels: frames out, [`Event`]s in.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;

use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep, sleep_until, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::backoff::Backoff;
use crate::error::ClientError;
use crate::handshake::{self, Socket};
use crate::reasons;
use crate::target::Target;
use honyaku::protocol::{ClientFrame, ServerFrame};

/// A `ping` unanswered this long means the connection is dead.
const PONG_WAIT: Duration = Duration::from_secs(20);
/// A connection that lived this long resets the backoff.
const STABLE: Duration = Duration::from_secs(30);
/// How long a closing socket gets to send its close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// For each connection attempt.
    pub connect_timeout: Duration,
    pub keepalive: Duration,
    pub reconnect: bool,
}

#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one event per received frame, moved once; a box would only add an allocation"
)]
pub enum Event {
    /// A text frame from the server; `frame` is `None` when this client does
    /// not know its shape. `pong`s answer our own keepalive and are not
    /// passed on.
    Frame {
        raw: String,
        frame: Option<ServerFrame>,
    },
    /// The connection dropped (`attempt` 1) or a reconnect attempt failed
    /// (2, 3, ...); the next attempt starts in `retry_in`.
    Lost {
        reason: String,
        attempt: u32,
        retry_in: Duration,
    },
    /// Open again, in the room the connection was last in.
    Reconnected,
    /// The last event: closed by the server, or reconnecting became
    /// pointless.
    Ended(ClientError),
}

pub struct Connection {
    frames: mpsc::UnboundedSender<String>,
    events: mpsc::UnboundedReceiver<Event>,
    quit: watch::Sender<bool>,
    /// Cuts the wait before the next reconnect attempt short.
    retry: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Connection {
    /// Connects once (so the caller sees why a first attempt fails), then
    /// hands the socket to the task that keeps it.
    pub async fn open(target: Target, opts: Options) -> Result<Self, ClientError> {
        let socket = handshake::connect(&target, opts.connect_timeout).await?;
        let (frames_tx, frames_rx) = mpsc::unbounded_channel();
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (quit_tx, quit_rx) = watch::channel(false);
        let retry = Arc::new(Notify::new());
        let keeper = Keeper {
            target,
            opts,
            frames: frames_rx,
            events: events_tx,
            quit: quit_rx,
            retry: retry.clone(),
        };
        Ok(Self {
            frames: frames_tx,
            events: events_rx,
            quit: quit_tx,
            retry,
            task: tokio::spawn(keeper.run(socket)),
        })
    }

    /// Queues a frame for the socket. One queued while the connection is
    /// down is dropped at the reconnect (the session resends what matters).
    pub fn send(&self, frame: &ClientFrame) {
        let text = serde_json::to_string(frame).expect("client frames always serialize");
        let _ = self.frames.send(text);
    }

    /// A `translate` with v1.2's `replyTo` beside its fields.
    pub fn send_reply(&self, frame: &ClientFrame, reply_to: &str) {
        let mut v = serde_json::to_value(frame).expect("client frames always serialize");
        v["replyTo"] = reply_to.into();
        let _ = self.frames.send(v.to_string());
    }

    /// While offline: try to reconnect now rather than after the planned
    /// wait (a key the person pressed).
    pub fn retry_now(&self) {
        self.retry.notify_one();
    }

    /// The next event; `None` after [`Event::Ended`].
    pub async fn next(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// Closes the socket politely (1000) and waits for the task.
    pub async fn close(self) {
        let _ = self.quit.send(true);
        let _ = timeout(CLOSE_GRACE * 2, self.task).await;
    }
}

/// Why one socket stopped being served.
enum End {
    Quit,
    /// The server closed with 1000: on purpose, so no reconnect.
    Closed(String),
    Lost(String),
}

struct Keeper {
    target: Target,
    opts: Options,
    frames: mpsc::UnboundedReceiver<String>,
    events: mpsc::UnboundedSender<Event>,
    quit: watch::Receiver<bool>,
    retry: Arc<Notify>,
}

impl Keeper {
    #[tracing::instrument(skip_all, fields(endpoint = self.target.endpoint()))]
    async fn run(mut self, mut socket: Socket) {
        let mut backoff = Backoff::default();
        loop {
            let opened = Instant::now();
            let mut reason = match self.serve(&mut socket).await {
                End::Quit => return,
                End::Closed(reason) => return self.emit(Event::Ended(ClientError::Closed(reason))),
                End::Lost(reason) if !self.opts.reconnect => {
                    return self.emit(Event::Ended(ClientError::Lost(reason)));
                }
                End::Lost(reason) => reason,
            };
            tracing::info!(%reason, "connection lost");
            // The old socket goes now, not when a new one takes its place:
            // the server keeps its side open until the closing handshake
            // ends (a lingering close), which dropping the socket ends.
            drop(socket);
            if opened.elapsed() >= STABLE {
                backoff.reset();
            }
            let mut attempt = 0;
            socket = loop {
                attempt += 1;
                let retry_in = backoff.next_delay();
                self.emit(Event::Lost {
                    reason,
                    attempt,
                    retry_in,
                });
                let retry = async {
                    tokio::select! {
                        () = sleep(retry_in) => {}
                        () = self.retry.notified() => tracing::info!("retrying now, as asked"),
                    }
                    handshake::connect(&self.target, self.opts.connect_timeout).await
                };
                let result = tokio::select! {
                    r = retry => r,
                    _ = self.quit.changed() => return,
                };
                match result {
                    Ok(s) => break s,
                    Err(e) if e.is_transient() => reason = e.reason(),
                    Err(e) => return self.emit(Event::Ended(e)),
                }
            };
            // What was queued for the old socket is stale: the session
            // sends again whatever was not answered (outbox.rs), once.
            while self.frames.try_recv().is_ok() {}
            self.emit(Event::Reconnected);
        }
    }

    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// Pumps one socket until it ends.
    async fn serve(&mut self, socket: &mut Socket) -> End {
        let keepalive = self.opts.keepalive;
        let mut next_ping = Instant::now() + keepalive;
        let mut pong_due: Option<Instant> = None;
        loop {
            tokio::select! {
                msg = socket.next() => match msg {
                    Some(Ok(Message::Text(text))) => {
                        pong_due = None;
                        self.received(text.as_str());
                    }
                    Some(Ok(Message::Close(frame))) => {
                        let (code, why) = frame
                            .map(|f| (u16::from(f.code), f.reason.to_string()))
                            .unwrap_or((1005, String::new()));
                        let _ = timeout(CLOSE_GRACE, socket.close(None)).await;
                        tracing::info!(code, %why, "closed by the server");
                        let what = reasons::close(code, &why);
                        return if code == 1000 { End::Closed(what) } else { End::Lost(what) };
                    }
                    Some(Ok(_)) => pong_due = None,
                    Some(Err(e)) => {
                        tracing::info!(error = %e, "socket error");
                        return End::Lost(reasons::socket(&e));
                    }
                    None => return End::Lost("the connection dropped".into()),
                },
                text = self.frames.recv() => {
                    let Some(text) = text else {
                        return self.quit(socket).await;
                    };
                    if let Err(e) = socket.send(Message::text(text)).await {
                        return End::Lost(reasons::socket(&e));
                    }
                    next_ping = Instant::now() + keepalive;
                }
                _ = sleep_until(next_ping) => {
                    let ping = serde_json::to_string(&ClientFrame::Ping {}).expect("ping serializes");
                    if let Err(e) = socket.send(Message::text(ping)).await {
                        return End::Lost(reasons::socket(&e));
                    }
                    tracing::debug!("keepalive ping");
                    next_ping = Instant::now() + keepalive;
                    pong_due.get_or_insert(Instant::now() + PONG_WAIT);
                }
                _ = sleep_until(pong_due.unwrap_or(next_ping)), if pong_due.is_some() => {
                    return End::Lost(format!("the server stopped answering (no reply to a ping in {}s)", PONG_WAIT.as_secs()));
                }
                _ = self.quit.changed() => return self.quit(socket).await,
            }
        }
    }

    async fn quit(&self, socket: &mut Socket) -> End {
        let bye = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        let _ = timeout(CLOSE_GRACE, socket.close(Some(bye))).await;
        End::Quit
    }

    /// Passes a frame on, remembering where a `joined` put us.
    fn received(&mut self, raw: &str) {
        let frame = serde_json::from_str::<ServerFrame>(raw).ok();
        match &frame {
            Some(ServerFrame::Pong { .. }) => return,
            Some(ServerFrame::Joined {
                room, lang, name, ..
            }) => {
                self.target.set("room", room);
                self.target.set("lang", lang);
                self.target.set("name", name);
            }
            _ => {}
        }
        self.emit(Event::Frame {
            raw: raw.to_owned(),
            frame,
        });
    }
}
