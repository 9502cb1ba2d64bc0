//! A client that floods frames without reading is closed with 1008 and a
//! reason, and the server lingers so the close frame arrives instead of a
//! TCP reset. The flood is that connection's own: a fellow client behind
//! the same address carries on. Raw sockets, masked frames written by hand.

use std::net::SocketAddr;
use std::time::Duration;

use crate::helpers::{Client, spawn, with_policy};
use honyaku::core::Policy;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens a WebSocket by hand and returns the socket after the 101.
async fn raw_ws(addr: SocketAddr, query: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "GET /local?{query} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    while !got.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8];
        s.read_exact(&mut byte).await.unwrap();
        got.push(byte[0]);
    }
    assert!(
        got.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    s
}

/// A masked client frame.
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut f = vec![0x80 | opcode, 0x80 | payload.len() as u8];
    f.extend_from_slice(&mask);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    f
}

/// The server's frames in `bytes`: (opcode, payload).
fn frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while bytes.len() >= 2 {
        let opcode = bytes[0] & 0x0f;
        let (len, at) = match bytes[1] & 0x7f {
            126 if bytes.len() >= 4 => (usize::from(u16::from_be_bytes([bytes[2], bytes[3]])), 4),
            127 => panic!("an unexpectedly large frame"),
            n => (usize::from(n), 2),
        };
        if bytes.len() < at + len {
            break;
        }
        out.push((opcode, bytes[at..at + len].to_vec()));
        bytes = &bytes[at + len..];
    }
    out
}

#[tokio::test]
async fn a_flooder_reads_its_1008_and_the_reason_instead_of_a_reset() {
    let server = spawn(with_policy(Policy {
        messages_per_minute: 3,
        strikes_before_close: 20,
        ..Policy::default()
    }))
    .await;
    let mut fellow = Client::join(&server, "f", "en", "Fel").await;
    let mut s = raw_ws(server.addr, "room=f&name=Flo").await;
    // 300 chat messages, written at once, none of the answers read.
    let mut flood = Vec::new();
    let msg = json!({"action":"translate","text":"spam"}).to_string();
    for _ in 0..300 {
        flood.extend(frame(0x1, msg.as_bytes()));
    }
    let _ = s.write_all(&flood).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Now read: everything up to the close frame must be there.
    let mut got = Vec::new();
    let mut reset = None;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), s.read(&mut chunk)).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => {
                got.extend_from_slice(&chunk[..n]);
                if frames(&got).iter().any(|(op, _)| *op == 0x8) {
                    break;
                }
            }
            Ok(Err(e)) => {
                reset = Some(e);
                break;
            }
            Err(_) => panic!("no close frame within 5 s"),
        }
    }
    assert!(
        reset.is_none(),
        "the flooder got {reset:?} instead of a close"
    );
    let frames = frames(&got);
    let errors = frames
        .iter()
        .filter(|(op, p)| *op == 0x1 && String::from_utf8_lossy(p).contains("rate_limited"))
        .count();
    assert!(errors >= 10, "{errors} rate_limited errors arrived");
    let (_, close) = frames
        .iter()
        .find(|(op, _)| *op == 0x8)
        .expect("a close frame");
    assert_eq!(u16::from_be_bytes([close[0], close[1]]), 1008);
    let reason = String::from_utf8_lossy(&close[2..]);
    assert!(reason.contains("too many messages"), "{reason}");
    // The close handshake completes.
    let _ = s.write_all(&frame(0x8, &close[..2])).await;

    // A fellow client on the same address is not closed for it: its own
    // frames are answered (the per-address limit is another matter).
    fellow.request(json!({"action":"ping"}), "pong").await;
    fellow
        .send(json!({"action":"translate","text":"hello"}))
        .await;
    let reply = fellow.recv().await;
    assert!(
        reply["type"] == "message"
            || reply["code"] == "rate_limited"
            || reply["type"] == "presence",
        "{reply}"
    );
    fellow.request(json!({"action":"ping"}), "pong").await;
    // Nor is one that arrives after the flood, on its first frames.
    let mut late = Client::join(&server, "f", "en", "Lat").await;
    // (Three frames: its own flood guard allows 3 a minute.)
    for _ in 0..2 {
        late.send(json!({"action":"translate","text":"hi"})).await;
        let reply = late.recv().await;
        assert!(
            reply["type"] != "error" || reply["code"] == "rate_limited",
            "{reply}"
        );
    }
    late.request(json!({"action":"ping"}), "pong").await;
    server.stop().await;
}
