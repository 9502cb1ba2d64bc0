//! Behind a proxy every caller comes from the proxy's address; with
//! `--trusted-proxy` the caller is the right-most `X-Forwarded-For` hop
//! that is not a trusted proxy, so one caller cannot use up the REST limit
//! for everyone. Without it the header is ignored (anyone could send it).

use std::net::SocketAddr;

use crate::helpers::{config, spawn, status_of};
use honyaku::config::ServeConfig;
use honyaku::core::Policy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `POST /translate` as forwarded for `xff`: the status.
async fn post_for(addr: SocketAddr, xff: &str) -> u16 {
    let body = r#"{"text":"hello","sourceLang":"en","targetLang":"es"}"#;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /translate HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Forwarded-For: {xff}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(crate::helpers::WAIT, s.read_to_end(&mut buf)).await;
    status_of(&String::from_utf8_lossy(&buf))
}

fn two_a_minute(trusted: &[&str]) -> ServeConfig {
    ServeConfig {
        policy: Policy {
            rest_per_minute: 2,
            ..Policy::default()
        },
        trusted_proxies: trusted.iter().map(|c| c.parse().unwrap()).collect(),
        ..config()
    }
}

#[tokio::test]
async fn a_trusted_proxy_limits_each_caller_on_its_own() {
    let server = spawn(two_a_minute(&["127.0.0.1/32"])).await;
    let addr = server.addr;
    assert_eq!(post_for(addr, "203.0.113.1").await, 200);
    // What the caller wrote to the left of the proxy's entry is ignored.
    assert_eq!(post_for(addr, "6.6.6.6, 203.0.113.1").await, 200);
    assert_eq!(post_for(addr, "203.0.113.1").await, 429);
    // Another caller behind the same proxy still has its own.
    assert_eq!(post_for(addr, "203.0.113.2").await, 200);
    server.stop().await;
}

#[tokio::test]
async fn without_a_trusted_proxy_the_header_is_ignored() {
    let server = spawn(two_a_minute(&[])).await;
    let addr = server.addr;
    assert_eq!(post_for(addr, "203.0.113.1").await, 200);
    assert_eq!(post_for(addr, "203.0.113.2").await, 200);
    // A forged header does not buy a fresh limit.
    assert_eq!(post_for(addr, "203.0.113.3").await, 429);
    server.stop().await;
}
