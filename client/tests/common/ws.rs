//! A bare WebSocket peer for the tests: someone else in the room, sending
//! frames `honyaku-chat` never sends by itself (or checking what it sends).

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::WAIT;

pub struct Peer(WebSocketStream<MaybeTlsStream<TcpStream>>);

impl Peer {
    /// Connects to `url` with `query` (e.g. `room=r&name=Ben`).
    pub async fn connect(url: &str, query: &str) -> Self {
        let (socket, _) = tokio_tungstenite::connect_async(format!("{url}?{query}"))
            .await
            .expect("peer connects");
        Self(socket)
    }

    pub async fn send(&mut self, frame: Value) {
        self.0
            .send(Message::text(frame.to_string()))
            .await
            .expect("peer sends");
    }

    /// The next frame `pred` accepts, skipping others.
    pub async fn recv_where(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .expect("peer: no such frame in time")
                .expect("peer: connection ended")
                .expect("peer: socket error");
            if let Message::Text(text) = msg {
                let v: Value = serde_json::from_str(text.as_str()).expect("JSON frame");
                if pred(&v) {
                    return v;
                }
            }
        }
    }
}
