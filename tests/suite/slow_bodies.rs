//! A request body sent a byte at a time: the whole request is time-limited,
//! body included, so it is answered 408, its connection closes, and it
//! gives its place under the connection cap back. Raw sockets.

use std::time::{Duration, Instant};

use crate::helpers::{Connect, config, rejected_status, spawn, status_of};
use honyaku::config::ServeConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens `POST path` promising 1000 bytes, and sends the first one.
async fn slow_post(addr: std::net::SocketAddr, path: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n{{"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

#[tokio::test]
async fn a_slow_body_gets_408_and_frees_its_place() {
    let server = spawn(ServeConfig {
        max_connections: 3,
        request_read_timeout: Duration::from_secs(1),
        ..config()
    })
    .await;
    let addr = server.addr;
    let mut slow = Vec::new();
    for path in ["/translate", "/translate", "/local/@connections/abc"] {
        slow.push(slow_post(addr, path).await);
    }
    // Each keeps trickling: a byte every 200 ms.
    let start = Instant::now();
    let trickle = async {
        for _ in 0..15 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            for s in &mut slow {
                let _ = s.write_all(b" ").await;
            }
        }
    };
    let at_cap = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        rejected_status(&server.ws("room=slow")).await
    };
    let ((), status) = tokio::join!(trickle, at_cap);
    assert_eq!(status, 429, "the slow bodies hold the places meanwhile");
    for mut s in slow {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "a slow body's connection stayed open");
        let text = String::from_utf8_lossy(&buf);
        assert_eq!(status_of(&text), 408, "{text}");
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // Their places are free again.
    server.connect("room=slow").await;
    server.stop().await;
}

#[tokio::test]
async fn a_body_in_time_is_served() {
    let server = spawn(ServeConfig {
        request_read_timeout: Duration::from_secs(2),
        ..config()
    })
    .await;
    let addr = server.addr;
    let body = br#"{"text":"hello","sourceLang":"en","targetLang":"es"}"#;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /translate HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(20) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        s.write_all(chunk).await.unwrap();
    }
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert_eq!(status_of(&text), 200, "{text}");
    server.stop().await;
}
