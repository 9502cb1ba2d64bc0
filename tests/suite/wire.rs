//! End to end: what a client can get wrong, and API Gateway's limits —
//! every error code reachable from the wire, handshake refusals, 1009,
//! idle and maximum connection time.

use std::time::Duration;

use crate::helpers::{Client, Connect, config, rejected_status, spawn};
use futures_util::SinkExt;
use honyaku::config::ServeConfig;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{Frame, FrameHeader};

async fn error_for(c: &mut Client, raw: &str) -> serde_json::Value {
    c.send_raw(raw).await;
    let e = c.recv().await;
    assert_eq!(e["type"], "error", "{raw} → {e}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    e
}

#[tokio::test]
async fn every_client_error_code_from_the_wire() {
    let server = spawn(config()).await;
    let mut c = Client::join(&server, "r", "en", "Eve").await;
    let long = "a".repeat(10_001);
    let cases = [
        ("not json at all", "bad_request", None),
        ("[1,2,3]", "bad_request", None),
        ("{}", "unknown_action", None),
        (r#"{"action":"dance"}"#, "unknown_action", Some("dance")),
        (
            r#"{"action":"translate"}"#,
            "bad_request",
            Some("translate"),
        ),
        (
            r#"{"action":"translate","text":42}"#,
            "bad_request",
            Some("translate"),
        ),
        (
            r#"{"action":"translate","text":"   "}"#,
            "empty_text",
            Some("translate"),
        ),
        (
            r#"{"action":"translate","text":"hi","sourceLang":"xx"}"#,
            "invalid_lang",
            Some("translate"),
        ),
        (
            r#"{"action":"translate","text":"hi","clientMsgId":""}"#,
            "bad_request",
            Some("translate"),
        ),
        (
            r#"{"action":"join","room":"no spaces"}"#,
            "invalid_room",
            Some("join"),
        ),
        (
            r#"{"action":"join","lang":"klingon"}"#,
            "invalid_lang",
            Some("join"),
        ),
        (
            r#"{"action":"join","name":""}"#,
            "invalid_name",
            Some("join"),
        ),
        (
            r#"{"action":"join","name":"a\u0007b"}"#,
            "invalid_name",
            Some("join"),
        ),
        (
            r#"{"action":"history","limit":0}"#,
            "bad_request",
            Some("history"),
        ),
        (
            r#"{"action":"history","before":"garbage!"}"#,
            "bad_request",
            Some("history"),
        ),
    ];
    for (raw, code, action) in cases {
        let e = error_for(&mut c, raw).await;
        assert_eq!(e["code"], code, "{raw}");
        assert_eq!(e["action"].as_str(), action, "{raw}");
    }
    let e = error_for(
        &mut c,
        &json!({"action":"translate","text":long}).to_string(),
    )
    .await;
    assert_eq!(e["code"], "text_too_long");
    assert_eq!(e["message"], "text is 10001 bytes; the limit is 10000");
    // Exactly at the limit is fine, and the connection is still open.
    let ok = json!({"action":"translate","text":"a".repeat(10_000)});
    assert_eq!(
        c.request(ok, "message").await["text"]
            .as_str()
            .unwrap()
            .len(),
        10_000
    );
    server.stop().await;
}

#[tokio::test]
async fn handshake_refusals_store_nothing() {
    let server = spawn(config()).await;
    let mut watcher = Client::join(&server, "r", "en", "Wat").await;
    let long_room = "r".repeat(65);
    let long_name = "n".repeat(33);
    for query in [
        "room=",
        "room=a%20b",
        &format!("room={long_room}"),
        "lang=",
        "lang=xx",
        "name=",
        "name=%20%20",
        &format!("name={long_name}"),
        "room=r&name=%07",
    ] {
        assert_eq!(rejected_status(&server.ws(query)).await, 400, "{query}");
    }
    watcher.assert_silent().await;
    let members = watcher
        .request(json!({"action":"members"}), "members")
        .await;
    assert_eq!(members["members"], json!([{"name":"Wat","lang":"en"}]));
    // Exactly at the limits is accepted.
    let ok_room = "r".repeat(64);
    let ok_name = "n".repeat(32);
    server
        .connect(&format!("room={ok_room}&name={ok_name}"))
        .await;
    // Not a WebSocket request at all.
    let (status, _, _) = crate::helpers::http_get(server.addr, "/local").await;
    assert_eq!(status, 426);
    server.stop().await;
}

#[tokio::test]
async fn a_frame_over_32_kb_closes_with_1009() {
    let server = spawn(config()).await;
    let mut c = Client::join(&server, "r", "en", "Big").await;
    // Just under the frame limit is read (and refused as too long a text).
    let under = json!({"action":"translate","text":"a".repeat(32 * 1024 - 100)}).to_string();
    assert!(under.len() <= 32 * 1024);
    assert_eq!(error_for(&mut c, &under).await["code"], "text_too_long");
    let over = "a".repeat(32 * 1024 + 1);
    c.ws.send(Message::text(over)).await.unwrap();
    assert_eq!(c.close_code(Duration::from_secs(5)).await, 1009);
    server.stop().await;
}

#[tokio::test]
async fn a_message_over_128_kb_in_small_frames_closes_with_1009() {
    let server = spawn(config()).await;
    let mut c = Client::join(&server, "r", "en", "Frag").await;
    let chunk = vec![b'a'; 16 * 1024];
    for i in 0..9 {
        let opcode = if i == 0 {
            OpCode::Data(Data::Text)
        } else {
            OpCode::Data(Data::Continue)
        };
        let header = FrameHeader {
            is_final: false,
            opcode,
            ..FrameHeader::default()
        };
        let frame = Frame::from_payload(header, chunk.clone().into());
        if c.ws.send(Message::Frame(frame)).await.is_err() {
            break;
        }
    }
    assert_eq!(c.close_code(Duration::from_secs(5)).await, 1009);
    server.stop().await;
}

#[tokio::test]
async fn idle_connections_close_and_leave_the_room() {
    let server = spawn(ServeConfig {
        idle_timeout: Duration::from_millis(600),
        ..config()
    })
    .await;
    let mut idle = Client::join(&server, "r", "en", "Idle").await;
    let mut busy = Client::join(&server, "r", "en", "Busy").await;
    let start = std::time::Instant::now();
    // `busy` stays active; `idle` says nothing.
    let mut left = None;
    while start.elapsed() < Duration::from_secs(5) {
        busy.send(json!({"action":"ping"})).await;
        let f = busy.recv().await;
        if f["type"] == "presence" {
            left = Some(f);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left = left.expect("no leave for the idle connection");
    assert_eq!(
        (left["event"].as_str(), left["name"].as_str()),
        (Some("leave"), Some("Idle"))
    );
    assert_eq!(idle.close_code(Duration::from_secs(2)).await, 1001);
    server.stop().await;
}

#[tokio::test]
async fn connections_end_at_the_maximum_duration() {
    let server = spawn(ServeConfig {
        max_connection: Duration::from_millis(500),
        ..config()
    })
    .await;
    let mut c = Client::join(&server, "r", "en", "Max").await;
    let t = std::time::Instant::now();
    assert_eq!(c.close_code(Duration::from_secs(5)).await, 1001);
    assert!(t.elapsed() >= Duration::from_millis(400));
    server.stop().await;
}

#[tokio::test]
async fn binary_frames_are_bad_requests_and_the_socket_stays_open() {
    let server = spawn(config()).await;
    let mut c = Client::join(&server, "r", "en", "Bin").await;
    c.ws.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(c.recv().await["code"], "bad_request");
    c.request(json!({"action":"ping"}), "pong").await;
    server.stop().await;
}
