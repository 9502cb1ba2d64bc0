//! A stand-in server that answers `translate` frames as a rate-limited
//! honyaku would: for a while after a chosen message, every message is
//! refused with `rate_limited` (as the server's per-minute window does),
//! then they are accepted again. The real server's window is a calendar
//! minute, too slow for a test.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

pub struct Limited {
    pub addr: SocketAddr,
    /// Texts accepted, in order.
    pub accepted: Arc<Mutex<Vec<String>>>,
}

/// Accepts the first `allowed` messages, then refuses every message for
/// `closed_for`, then accepts all.
pub async fn rate_limited(allowed: usize, closed_for: Duration) -> Limited {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let seen = accepted.clone();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let mut closed_until: Option<Instant> = None;
        while let Some(Ok(msg)) = ws.next().await {
            let Message::Text(text) = msg else { continue };
            let frame: Value = serde_json::from_str(text.as_str()).unwrap();
            if frame["action"] != "translate" {
                continue;
            }
            let text = frame["text"].as_str().unwrap().to_owned();
            let id = frame["clientMsgId"].clone();
            let count = seen.lock().unwrap().len();
            if count == allowed && closed_until.is_none() {
                closed_until = Some(Instant::now() + closed_for);
            }
            let reply = if closed_until.is_some_and(|t| Instant::now() < t) {
                json!({"type": "error", "code": "rate_limited", "action": "translate",
                       "message": "too many messages", "clientMsgId": id})
            } else {
                seen.lock().unwrap().push(text.clone());
                json!({"type": "message", "id": format!("{count:05}"), "room": "r", "ts": 0,
                       "from": {"name": "Al", "connectionId": "c"}, "sourceLang": "en",
                       "lang": "en", "text": text, "translated": false, "clientMsgId": id})
            };
            if ws.send(Message::text(reply.to_string())).await.is_err() {
                break;
            }
        }
    });
    Limited { addr, accepted }
}

/// A room whose glossary someone else saves between a client's read and
/// its `glossary_set`: the first `glossary` read answers version 1, the
/// `glossary_set` gets `conflict`, every later read answers Ben's
/// version 2. Records every frame the client sent.
pub struct Conflict {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Value>>>,
}

pub async fn glossary_conflict() -> Conflict {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let seen = received.clone();
    tokio::spawn(async move {
        // Each connection on its own: the client's /status.json request
        // is not a WebSocket and fails here, harmlessly.
        while let Ok((tcp, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let mut reads = 0;
                while let Some(Ok(msg)) = ws.next().await {
                    let Message::Text(text) = msg else { continue };
                    let frame: Value = serde_json::from_str(text.as_str()).unwrap();
                    seen.lock().unwrap().push(frame.clone());
                    let a = json!({"term": "a"});
                    let reply = match frame["action"].as_str() {
                        Some("join") => json!({"type": "joined", "connectionId": "c1", "room": "r",
                            "lang": "en", "name": "Al", "count": 1,
                            "members": [{"name": "Al", "lang": "en"}], "next": null}),
                        Some("history") => json!({"type": "history", "room": "r", "lang": "en",
                            "messages": [], "next": null}),
                        Some("glossary") if reads == 0 => {
                            reads += 1;
                            json!({"type": "glossary", "room": "r", "version": 1, "terms": [a],
                                   "by": {"name": "Al"}})
                        }
                        Some("glossary") => json!({"type": "glossary", "room": "r", "version": 2,
                            "terms": [a, {"term": "b"}], "by": {"name": "Ben"}}),
                        Some("glossary_set") => json!({"type": "error", "code": "conflict",
                            "message": "the glossary changed", "action": "glossary_set",
                            "clientMsgId": frame["clientMsgId"]}),
                        _ => continue,
                    };
                    if ws.send(Message::text(reply.to_string())).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    Conflict { addr, received }
}
