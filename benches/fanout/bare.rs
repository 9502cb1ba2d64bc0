//! The bare broadcast server, run as `fanout --bare-server READ_BUFFER`:
//! tokio-tungstenite on a `TcpListener`, a reader and a writer task per
//! socket, the room from the query string, each text frame copied to every
//! socket of its room through a bounded queue. No store, no translation,
//! no events: the ceiling on this machine. With `--gather` each socket's
//! writer sends every frame queued while it wrote in one write (as
//! honyaku's local gateway does), so "vs bare" compares like with like.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::common;

/// Frames queued per socket, as honyaku's `LOCAL_SEND_QUEUE`.
const BARE_QUEUE: usize = 1024;

/// Sockets by room: (id, queue).
type Members = HashMap<String, Vec<(u64, mpsc::Sender<Message>)>>;
type Rooms = Mutex<Members>;

/// Serves until killed; prints `listening on http://ADDR` first.
pub fn serve(read_buf: usize, nodelay: bool, gather: bool) {
    common::raise_fd_limit();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        println!(
            "listening on http://{}",
            listener.local_addr().expect("addr")
        );
        let rooms: Arc<Rooms> = Arc::default();
        let ids = Arc::new(AtomicU64::new(0));
        loop {
            if let Ok((stream, _)) = listener.accept().await {
                if nodelay {
                    let _ = stream.set_nodelay(true);
                }
                let id = ids.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(conn(stream, rooms.clone(), id, read_buf, gather));
            }
        }
    });
}

// The handshake callback's error type is tungstenite's.
#[allow(clippy::result_large_err)]
async fn conn(stream: TcpStream, rooms: Arc<Rooms>, id: u64, read_buf: usize, gather: bool) {
    let mut room = String::from("lobby");
    let callback = |req: &Request, resp: Response| {
        if let Some(r) = req
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("room=")))
        {
            room = r.to_owned();
        }
        Ok(resp)
    };
    let config = WebSocketConfig::default().read_buffer_size(read_buf);
    let Ok(ws) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config)).await
    else {
        return;
    };
    let (tx, mut rx) = mpsc::channel::<Message>(BARE_QUEUE);
    lock(&rooms).entry(room.clone()).or_default().push((id, tx));
    let (mut sink, mut frames) = ws.split();
    let writer = tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            if !gather {
                if sink.send(msg).await.is_err() {
                    break;
                }
                continue;
            }
            // Everything queued meanwhile joins this write; one flush.
            let mut ok = sink.feed(msg).await.is_ok();
            while ok {
                match rx.try_recv() {
                    Ok(next) => ok = sink.feed(next).await.is_ok(),
                    Err(_) => break,
                }
            }
            if !ok || sink.flush().await.is_err() {
                break;
            }
        }
    });
    while let Some(Ok(msg)) = frames.next().await {
        match msg {
            Message::Text(text) => {
                let rooms = lock(&rooms);
                for (_, tx) in rooms.get(&room).into_iter().flatten() {
                    // A full queue loses the frame, as in honyaku.
                    let _ = tx.try_send(Message::Text(text.clone()));
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
    if let Some(members) = lock(&rooms).get_mut(&room) {
        members.retain(|(m, _)| *m != id);
    }
    writer.abort();
}

fn lock(rooms: &Rooms) -> std::sync::MutexGuard<'_, Members> {
    rooms.lock().unwrap_or_else(|p| p.into_inner())
}
