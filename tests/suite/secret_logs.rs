//! The `client` secret and room tokens travel in the WebSocket URL's query
//! string (API Gateway's `$connect` has nowhere else): they must appear in
//! no log line, at any level, whatever happens to the connection.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::helpers::{Connect, rejected_status, spawn, with_policy};
use honyaku::core::{Policy, TokenSecret, access};
use honyaku::model::RoomName;
use serde_json::json;

/// Every log line, kept.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One thread: every task of the server logs through this test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn secrets_appear_in_no_log_line() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::NEW)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let secret = TokenSecret::new("a-token-secret-of-32-bytes-long!");
    let server = spawn(with_policy(Policy {
        token_secret: Some(secret.clone()),
        ..Policy::default()
    }))
    .await;
    let room = RoomName::parse("team").unwrap();
    let token = access::mint(&secret, &room, chrono::Utc::now().timestamp() + 3600);
    let other = access::mint(
        &secret,
        &RoomName::parse("other").unwrap(),
        chrono::Utc::now().timestamp() + 3600,
    );
    let client = "Sec1ret-client-VALUE-0123456789";
    let mut c = server
        .connect(&format!("room=team&name=Ann&token={token}&client={client}"))
        .await;
    c.request(json!({"action":"translate","text":"hello"}), "message")
        .await;
    c.request(json!({"action":"join","room":"other"}), "error")
        .await;
    // Refused handshakes: a token for another room, a bad client value.
    assert_eq!(
        rejected_status(&server.ws(&format!("room=team&token={other}&client={client}"))).await,
        401
    );
    assert_eq!(
        rejected_status(&server.ws(&format!("room=team&token={token}&client=short"))).await,
        400
    );
    assert_eq!(
        rejected_status(&server.ws("room=team&name=NoToken")).await,
        401
    );
    drop(c);
    server.stop().await;

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("connect refused"),
        "the refusals were not logged:\n{text}"
    );
    for (what, secret) in [
        ("token", token.as_str()),
        ("other token", other.as_str()),
        ("client", client),
    ] {
        assert!(!text.contains(secret), "the {what} is in the logs:\n{text}");
    }
    // Nor a recognisable part of a token.
    let (payload, signature) = token.split_once('.').unwrap();
    assert!(!text.contains(payload) && !text.contains(signature));
}
