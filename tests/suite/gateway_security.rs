//! The local gateway as an attacker on the network, or a web page the user
//! visits, meets it: foreign origins, oversized and half-sent request
//! heads, racing handshakes against the connection cap, broken WebSocket
//! framing, and a reader that stops reading. Raw sockets where the
//! attack is below what a client library would send.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::helpers::{
    Client, Connect, config, rejected_status, spawn, status_with_origin, with_policy,
};
use aws_sdk_apigatewaymanagement::primitives::Blob;
use futures_util::StreamExt;
use honyaku::config::ServeConfig;
use honyaku::core::Policy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn only_the_page_itself_and_clients_without_origin_connect_by_default() {
    let server = spawn(config()).await;
    let url = server.ws("room=o");
    let own = format!("http://{}", server.addr);
    assert_eq!(status_with_origin(&url, &own).await, 101);
    for foreign in [
        "http://evil.example",
        "https://evil.example",
        "null",
        // Another name for the same machine is another origin.
        &format!("http://localhost:{}", server.addr.port()),
        &format!("http://{}.evil.example", server.addr.ip()),
    ] {
        assert_eq!(status_with_origin(&url, foreign).await, 403, "{foreign}");
    }
    server.connect("room=o").await;
    server.stop().await;

    // --allowed-origin adds origins; '*' opens it to every page.
    let listed = spawn(with_policy(Policy {
        allowed_origins: vec!["https://chat.example".into()],
        ..Policy::default()
    }))
    .await;
    let url = listed.ws("room=o");
    assert_eq!(status_with_origin(&url, "https://chat.example").await, 101);
    assert_eq!(
        status_with_origin(&url, &format!("http://{}", listed.addr)).await,
        101
    );
    assert_eq!(status_with_origin(&url, "https://evil.example").await, 403);
    listed.stop().await;
    let open = spawn(with_policy(Policy {
        allowed_origins: vec!["*".into()],
        ..Policy::default()
    }))
    .await;
    assert_eq!(
        status_with_origin(&open.ws("room=o"), "https://evil.example").await,
        101
    );
    open.stop().await;
}

/// Sends `head` (and nothing else) and returns the status and what came.
async fn raw_head(addr: SocketAddr, head: String) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = s.split();
    // The server may answer and close before it read everything.
    let write = async {
        let _ = wr.write_all(head.as_bytes()).await;
    };
    let read = async {
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(crate::helpers::WAIT, rd.read_to_end(&mut buf)).await;
        buf
    };
    let ((), buf) = tokio::join!(write, read);
    let text = String::from_utf8_lossy(&buf).into_owned();
    (crate::helpers::status_of(&text), text)
}

fn get_with_agent(addr: SocketAddr, path: &str, agent_bytes: usize) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(agent_bytes)
    )
}

#[tokio::test]
async fn request_heads_over_10_kb_get_431() {
    let server = spawn(config()).await;
    let addr = server.addr;
    let (status, _) = raw_head(addr, get_with_agent(addr, "/healthz", 8 * 1024)).await;
    assert_eq!(status, 200);
    for size in [11 * 1024, 420 * 1024] {
        let (status, _) = raw_head(addr, get_with_agent(addr, "/healthz", size)).await;
        assert_eq!(status, 431, "{size} bytes of User-Agent");
    }
    // A handshake too: refused before `$connect`, nobody joins.
    let mut watcher = Client::join(&server, "big", "en", "Wat").await;
    let handshake = format!(
        "GET /local?room=big HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\nUser-Agent: {}\r\n\r\n",
        "u".repeat(420 * 1024)
    );
    assert_eq!(raw_head(addr, handshake).await.0, 431);
    watcher.assert_silent().await;
    server.stop().await;
}

#[tokio::test]
async fn half_sent_requests_time_out_and_count_toward_the_cap() {
    let server = spawn(ServeConfig {
        max_connections: 3,
        header_read_timeout: Duration::from_secs(1),
        ..config()
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"GET /local?room=slow HTTP/1.1\r\nHost: x\r\nUser-Ag")
            .await
            .unwrap();
        slow.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Pending handshakes hold their places.
    assert_eq!(rejected_status(&server.ws("room=slow")).await, 429);
    // The server gives up on each of them within the timeout.
    let start = Instant::now();
    for mut s in slow {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "a half-sent request stayed open");
    }
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    // Their places are free again.
    server.connect("room=slow").await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_racing_handshakes_let_exactly_fifty_in() {
    let _turn = crate::helpers::heavy().await;
    let server = spawn(ServeConfig {
        max_connections: 50,
        ..config()
    })
    .await;
    let url = server.ws("room=race");
    let attempts = (0..200).map(|i| {
        let url = format!("{url}&name=r{i}");
        tokio::spawn(async move { tokio_tungstenite::connect_async(url).await })
    });
    let results = futures_util::future::join_all(attempts).await;
    let mut open = Vec::new();
    let mut refused = 0;
    for r in results {
        match r.unwrap() {
            Ok((ws, _)) => open.push(ws),
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status(), 429);
                refused += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((open.len(), refused), (50, 150));
    drop(open);
    server.stop().await;
}

#[tokio::test]
async fn connections_per_address_can_be_capped() {
    let server = spawn(ServeConfig {
        max_connections_per_ip: Some(2),
        ..config()
    })
    .await;
    let _a = server.connect("room=ip").await;
    let _b = server.connect("room=ip").await;
    assert_eq!(rejected_status(&server.ws("room=ip")).await, 429);
    // Another address (all of 127.0.0.0/8 is this machine) has its own.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let stream = socket.connect(server.addr).await.unwrap();
    let (_c, resp) = tokio_tungstenite::client_async(server.ws("room=ip"), stream)
        .await
        .expect("another address connects");
    assert_eq!(resp.status(), 101);
    server.stop().await;
}

/// A WebSocket opened by hand, for frames no client library would send.
async fn raw_websocket(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET /local?room=raw HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut b = [0u8; 1];
        s.read_exact(&mut b).await.unwrap();
        head.push(b[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"), "{head:?}");
    s
}

/// One frame with `first` as its first byte (FIN, RSV, opcode).
fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut f = vec![first, payload.len() as u8 | if masked { 0x80 } else { 0 }];
    if masked {
        let key = [0x12, 0x34, 0x56, 0x78];
        f.extend(key);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        f.extend(payload);
    }
    f
}

/// The code of the server's close frame (`None`: closed without one).
async fn close_code(s: &mut TcpStream) -> Option<u16> {
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(crate::helpers::WAIT, s.read_to_end(&mut buf)).await;
    let mut i = 0;
    while i + 2 <= buf.len() {
        let opcode = buf[i] & 0x0f;
        let (len, start) = match buf[i + 1] & 0x7f {
            126 => (
                usize::from(u16::from_be_bytes([buf[i + 2], buf[i + 3]])),
                i + 4,
            ),
            127 => return None,
            n => (usize::from(n), i + 2),
        };
        if opcode == 8 {
            return (len >= 2).then(|| u16::from_be_bytes([buf[start], buf[start + 1]]));
        }
        i = start + len;
    }
    None
}

#[tokio::test]
async fn broken_framing_gets_the_close_code_rfc_6455_names() {
    let server = spawn(config()).await;
    let cases: [(&str, Vec<u8>, u16); 4] = [
        (
            "a text frame that is not UTF-8",
            frame(0x81, &[0x68, 0xff, 0xfe], true),
            1007,
        ),
        ("an unmasked frame", frame(0x81, b"{}", false), 1002),
        ("RSV1 without an extension", frame(0xc1, b"{}", true), 1002),
        ("opcode 3", frame(0x83, b"{}", true), 1002),
    ];
    for (what, bytes, expected) in cases {
        let mut s = raw_websocket(server.addr).await;
        s.write_all(&bytes).await.unwrap();
        assert_eq!(close_code(&mut s).await, Some(expected), "{what}");
    }
    // A well-formed frame on a raw socket still works.
    let mut s = raw_websocket(server.addr).await;
    s.write_all(&frame(0x81, br#"{"action":"ping"}"#, true))
        .await
        .unwrap();
    let mut b = [0u8; 2];
    s.read_exact(&mut b).await.unwrap();
    assert_eq!(b[0], 0x81, "a text frame back");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_stops_reading_is_closed_with_1013() {
    let _turn = crate::helpers::heavy().await;
    let server = spawn(config()).await;
    // A tiny receive buffer, so the server's queue fills soon.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server.addr).await.unwrap();
    let (ws, _) = tokio_tungstenite::client_async(
        server.ws("room=slow&name=Sloth"),
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
    )
    .await
    .unwrap();
    let mut sloth = Client { ws };
    let id = sloth.connection_id().await;

    // The sloth stops reading; frames keep coming until its queue is full.
    let sdk = aws_sdk_apigatewaymanagement::Client::from_conf(
        crate::helpers::management_sdk(server.addr).build(),
    );
    let frame = format!(r#"{{"type":"custom","pad":"{}"}}"#, "x".repeat(30_000));
    let mut posted = 0;
    let refused = loop {
        let sent = sdk
            .post_to_connection()
            .connection_id(&id)
            .data(Blob::new(frame.as_bytes()))
            .send()
            .await;
        match sent {
            Ok(_) => posted += 1,
            Err(e) => break e,
        }
        assert!(posted < 5_000, "the queue never filled");
    };
    assert!(posted > 100, "refused after {posted}: {refused:?}");
    // Reading again, it gets what was on the wire, then 1013: it knows to
    // reconnect and catch up from history instead of missing frames.
    let mut got = 0;
    let close = loop {
        match tokio::time::timeout(crate::helpers::WAIT, sloth.ws.next()).await {
            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(c)))) => break c,
            Ok(Some(Ok(_))) => got += 1,
            other => panic!("no close frame after {got} frames: {other:?}"),
        }
    };
    assert_eq!(close.map(|c| u16::from(c.code)), Some(1013));
    assert!(got < posted, "{got} of {posted}");
    // The connection is gone for the management API too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let gone = sdk
        .get_connection()
        .connection_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.raw_response().map(|r| r.status().as_u16()), Some(410));
    server.stop().await;
}
