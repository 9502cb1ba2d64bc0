//! DNS rebinding: a page at `http://rebind.test:P` whose name now resolves
//! to 127.0.0.1 is same-origin with itself, so only the `Host` check stops
//! it. Raw sockets, so the `Host` header is exactly what a browser would
//! send after the rebind.

use std::net::SocketAddr;

use crate::helpers::{config, spawn, status_of};
use honyaku::config::ServeConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one request with `Host: host` and returns the status.
async fn status_for(addr: SocketAddr, host: &str, request: &str) -> u16 {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = request.replace("{HOST}", host);
    let _ = s.write_all(head.as_bytes()).await;
    // The status line is enough (a WebSocket stays open after its 101).
    let mut buf = Vec::new();
    let read = async {
        let mut chunk = [0u8; 1024];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(crate::helpers::WAIT, read).await;
    status_of(&String::from_utf8_lossy(&buf))
}

const GET: &str = "GET PATH HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n";

/// Every route a rebound page could reach.
fn routes() -> Vec<(&'static str, String)> {
    let get = |path: &str| GET.replace("PATH", path);
    let body = r#"{"text":"hello","sourceLang":"en","targetLang":"es"}"#;
    vec![
        ("page", get("/")),
        ("page file", get("/app.js")),
        ("status", get("/status.json")),
        ("healthz", get("/healthz")),
        (
            "websocket",
            "GET /local?room=r HTTP/1.1\r\nHost: {HOST}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
                .to_owned(),
        ),
        (
            "rest",
            format!(
                "POST /translate HTTP/1.1\r\nHost: {{HOST}}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        ),
        ("management", get("/local/@connections/abc")),
    ]
}

#[tokio::test]
async fn a_rebound_name_gets_421_on_every_route() {
    let server = spawn(config()).await;
    let addr = server.addr;
    let port = addr.port();
    for (route, request) in routes() {
        for host in [
            format!("rebind.test:{port}"),
            "rebind.test".to_owned(),
            format!("127.0.0.1.rebind.test:{port}"),
            // The right address, the wrong port: another server's page.
            format!("127.0.0.1:{}", port.wrapping_add(1)),
        ] {
            assert_eq!(
                status_for(addr, &host, &request).await,
                421,
                "{route} with Host {host}"
            );
        }
        // The server's own names pass the check (whatever the route says next).
        for host in [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ] {
            let status = status_for(addr, &host, &request).await;
            assert_ne!(status, 421, "{route} with Host {host}");
            assert_ne!(status, 0, "{route} with Host {host}: no answer");
        }
    }
    // No Host at all names no server either.
    let no_host = "GET /healthz HTTP/1.0\r\n\r\n";
    assert_eq!(status_for(addr, "", no_host).await, 421);
    server.stop().await;
}

#[tokio::test]
async fn allowed_host_names_a_shared_server() {
    let server = spawn(ServeConfig {
        allowed_hosts: vec!["chat.example".into()],
        ..config()
    })
    .await;
    let addr = server.addr;
    let healthz = GET.replace("PATH", "/healthz");
    assert_eq!(status_for(addr, "chat.example", &healthz).await, 200);
    assert_eq!(status_for(addr, "CHAT.example:443", &healthz).await, 200);
    assert_eq!(status_for(addr, "evil.example", &healthz).await, 421);
    server.stop().await;
}
