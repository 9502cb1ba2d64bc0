//! One live WebSocket: frames in become `MESSAGE` events (one at a time, in
//! order), queued frames go out, API Gateway's limits apply, and every way a
//! connection ends runs `$disconnect` exactly once. A broken client gets
//! the close code RFC 6455 names: 1007 for a text frame that is not UTF-8,
//! 1002 for a protocol error (an unmasked frame, RSV bits, an unknown
//! opcode), 1009 for a frame or message over the limit.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::connections::{Closer, ConnInfo, Outbound};
use super::events::{EventContext, disconnect_event, message_event};
use super::gateway::Gateway;
use super::slots::Slot;
use crate::model::ConnectionId;
use crate::protocol::route_key;

type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// How long a closing socket gets to flush its close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// What a session owns besides its socket.
pub struct Parts {
    pub ctx: EventContext,
    pub info: Arc<ConnInfo>,
    pub closer: Arc<Closer>,
    pub tx: mpsc::Sender<Outbound>,
    pub rx: mpsc::Receiver<Outbound>,
    /// Its place under the connection cap, given back when it ends.
    pub slot: Option<Slot>,
}

/// Runs the connection until it ends, then `$disconnect`.
pub async fn run(gw: Arc<Gateway>, parts: Parts, ws: Socket) {
    let Parts {
        ctx,
        info,
        closer,
        tx,
        mut rx,
        slot: _slot,
    } = parts;
    let (mut sink, mut stream) = ws.split();
    let wants_close = closer.clone();
    let mut writer = tokio::spawn(async move {
        loop {
            let out = tokio::select! {
                biased;
                (code, reason) = wants_close.closed() => Outbound::Close(code, reason),
                out = rx.recv() => match out {
                    Some(out) => out,
                    None => break,
                },
            };
            let sent = match out {
                Outbound::Text(t) => sink.send(Message::text(t)).await,
                Outbound::Binary(b) => sink.send(Message::binary(b)).await,
                Outbound::Close(code, reason) => {
                    let frame = CloseFrame {
                        code: CloseCode::from(code),
                        reason: reason.into(),
                    };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
            };
            if sent.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });

    let idle = gw.config.idle_timeout;
    let deadline = tokio::time::Instant::now() + gw.config.max_connection;
    let mut writer_done = false;
    // What ended the connection, and whether we still owe the peer a close frame.
    let (code, reason, close_first): (u16, &'static str, bool) = loop {
        tokio::select! {
            frame = tokio::time::timeout(idle, stream.next()) => match frame {
                Err(_) => break (1001, "Going away", true),
                Ok(None)
                | Ok(Some(Err(
                    WsError::ConnectionClosed
                    | WsError::AlreadyClosed
                    | WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake),
                ))) => break (1006, "Connection lost", false),
                Ok(Some(Ok(msg))) => {
                    info.touch();
                    match msg {
                        Message::Text(t) => on_frame(&gw, &ctx, t.as_bytes(), false).await,
                        Message::Binary(b) => on_frame(&gw, &ctx, &b, true).await,
                        Message::Close(frame) => {
                            let code = frame.as_ref().map_or(1005, |f| u16::from(f.code));
                            break (code, "Client closed", false);
                        }
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                    }
                }
                Ok(Some(Err(WsError::Capacity(e)))) => {
                    tracing::info!(conn = %ctx.connection_id, error = %e, "frame over the limit");
                    break (1009, "Message too big", true);
                }
                Ok(Some(Err(WsError::Utf8(_)))) => {
                    tracing::info!(conn = %ctx.connection_id, "text frame that is not UTF-8");
                    break (1007, "Invalid frame payload data", true);
                }
                Ok(Some(Err(WsError::Protocol(e)))) => {
                    tracing::info!(conn = %ctx.connection_id, error = %e, "WebSocket protocol error");
                    break (1002, "Protocol error", true);
                }
                Ok(Some(Err(e))) => {
                    tracing::debug!(conn = %ctx.connection_id, error = %e, "socket error");
                    break (1006, "Connection lost", false);
                }
            },
            _ = tokio::time::sleep_until(deadline) => break (1001, "Going away", true),
            _ = gw.shutdown.cancelled() => break (1001, "Going away", true),
            // Asked to close ahead of the queue (a slow reader): the writer
            // sends the close frame.
            (code, reason) = closer.closed() => break (code, reason, false),
            // The writer stops after a server-side close (DeleteConnection)
            // or a failed write.
            _ = &mut writer => {
                writer_done = true;
                let (code, reason) = closer.why().unwrap_or((1000, "Connection closed by server"));
                break (code, reason, false);
            }
        }
    };

    // Gone for everyone before `$disconnect` runs, as on API Gateway.
    gw.registry.remove(&ConnectionId::new(&ctx.connection_id));
    if !writer_done {
        // Queued frames go first unless the queue is full.
        if close_first && tx.try_send(Outbound::Close(code, reason)).is_err() {
            closer.close(code, reason);
        }
        drop(tx);
        if tokio::time::timeout(CLOSE_GRACE, &mut writer)
            .await
            .is_err()
        {
            writer.abort();
        }
    }
    end(&gw, &ctx, code, reason).await;
}

/// `$disconnect` for a connection that is no longer live.
pub async fn end(gw: &Gateway, ctx: &EventContext, code: u16, reason: &str) {
    gw.registry.remove(&ConnectionId::new(&ctx.connection_id));
    tracing::info!(conn = %ctx.connection_id, code, "disconnect");
    gw.invoke(disconnect_event(ctx, code, reason)).await;
}

/// One client frame: route selection on `$request.body.action`, then the
/// Lambda entry.
async fn on_frame(gw: &Gateway, ctx: &EventContext, body: &[u8], binary: bool) {
    let route = if binary {
        None
    } else {
        std::str::from_utf8(body).ok().and_then(route_key)
    };
    let event = message_event(ctx, route.unwrap_or("$default"), body, binary);
    gw.invoke(event).await;
}
