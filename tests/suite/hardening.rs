//! End to end: limits and access from the wire — floods, budgets, full
//! rooms and servers, origins, tokens, acting in another room, and a
//! thousand malformed frames.

use std::time::Duration;

use crate::helpers::{
    Client, Connect, config, redb_config, rejected_status, spawn, status_with_origin, with_policy,
};
use honyaku::config::ServeConfig;
use honyaku::core::{Policy, TokenSecret, access};
use honyaku::model::RoomName;
use serde_json::json;

#[tokio::test]
async fn a_flood_is_refused_then_closed_with_1008() {
    let server = spawn(with_policy(Policy {
        messages_per_minute: 5,
        strikes_before_close: 10,
        ..Policy::default()
    }))
    .await;
    let mut c = Client::join(&server, "r", "en", "Flo").await;
    let mut quiet = Client::join(&server, "r", "en", "Qui").await;
    for _ in 0..5 {
        c.request(json!({"action":"ping"}), "pong").await;
    }
    for _ in 0..9 {
        let e = c.request(json!({"action":"ping"}), "error").await;
        assert_eq!(
            (e["code"].as_str(), e["action"].as_str()),
            (Some("rate_limited"), Some("ping"))
        );
    }
    c.send(json!({"action":"ping"})).await;
    assert_eq!(c.close_code(Duration::from_secs(5)).await, 1008);
    // Others are untouched.
    quiet.recv_type("presence").await;
    quiet.request(json!({"action":"ping"}), "pong").await;
    server.stop().await;
}

#[tokio::test]
async fn the_translation_budget_runs_out() {
    let server = spawn(with_policy(Policy {
        chars_per_hour: 30,
        ..Policy::default()
    }))
    .await;
    let mut a = Client::join(&server, "r", "en", "Ann").await;
    let _b = Client::join(&server, "r", "es", "Bea").await;
    a.request(
        json!({"action":"translate","text":"twenty chars of text"}),
        "message",
    )
    .await;
    let e = a
        .request(
            json!({"action":"translate","text":"twenty chars of text"}),
            "error",
        )
        .await;
    assert_eq!(e["code"], "rate_limited");
    assert!(e["message"].as_str().unwrap().contains("budget"));
    server.stop().await;
}

#[tokio::test]
async fn full_rooms_and_full_servers_say_429() {
    let server = spawn(ServeConfig {
        max_connections: 3,
        ..with_policy(Policy {
            max_room_members: 2,
            ..Policy::default()
        })
    })
    .await;
    let _a = Client::join(&server, "small", "en", "A").await;
    let mut b = Client::join(&server, "small", "en", "B").await;
    assert_eq!(rejected_status(&server.ws("room=small&name=C")).await, 429);
    let mut c = Client::join(&server, "other", "en", "C").await;
    assert_eq!(rejected_status(&server.ws("room=third&name=E")).await, 429);
    // Joining a full room is refused too.
    let e = c
        .request(json!({"action":"join","room":"small"}), "error")
        .await;
    assert_eq!(e["code"], "room_full");
    b.request(json!({"action":"ping"}), "pong").await;
    server.stop().await;
}

/// A handler past API Gateway's 29 s is cut off, as Lambda is stopped on
/// AWS: here with no time at all, so a `$connect` that waits for redb
/// (reads on the blocking pool, commits on the writer thread) runs over,
/// unless it is done before the timer's next millisecond tick: a few tries
/// make that chance negligible.
#[tokio::test]
async fn a_handler_past_the_integration_timeout_is_cut_off_with_504() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(ServeConfig {
        integration_timeout: Duration::ZERO,
        ..redb_config(dir.path().to_path_buf())
    })
    .await;
    let mut refused = None;
    for i in 0..20 {
        match tokio_tungstenite::connect_async(server.ws(&format!("room=slow&name=A{i}"))).await {
            Ok(_) => continue,
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                refused = Some(resp.status().as_u16());
                break;
            }
            Err(e) => panic!("unexpected handshake error: {e}"),
        }
    }
    assert_eq!(refused, Some(504), "no $connect was cut off");
    server.stop().await;
}

#[tokio::test]
async fn origins_outside_the_allowlist_get_403() {
    let server = spawn(with_policy(Policy {
        allowed_origins: vec!["https://chat.example".into()],
        ..Policy::default()
    }))
    .await;
    let url = server.ws("room=o");
    assert_eq!(status_with_origin(&url, "https://evil.example").await, 403);
    assert_eq!(
        status_with_origin(&url, "https://chat.example.evil").await,
        403
    );
    assert_eq!(status_with_origin(&url, "https://chat.example").await, 101);
    // Non-browser clients send no Origin.
    server.connect("room=o").await;
    server.stop().await;
}

#[tokio::test]
async fn tokens_open_exactly_their_room() {
    let secret = TokenSecret::new("correct horse battery staple");
    let server = spawn(with_policy(Policy {
        token_secret: Some(secret.clone()),
        ..Policy::default()
    }))
    .await;
    let now = chrono::Utc::now().timestamp();
    let good = access::mint(&secret, &RoomName::parse("team").unwrap(), now + 3600);
    let expired = access::mint(&secret, &RoomName::parse("team").unwrap(), now - 1);
    let forged = access::mint(
        &TokenSecret::new("guess"),
        &RoomName::parse("team").unwrap(),
        now + 3600,
    );
    assert_eq!(rejected_status(&server.ws("room=team")).await, 401);
    assert_eq!(
        rejected_status(&server.ws(&format!("room=team&token={forged}"))).await,
        401
    );
    assert_eq!(
        rejected_status(&server.ws(&format!("room=team&token={expired}"))).await,
        401
    );
    assert_eq!(
        rejected_status(&server.ws(&format!("room=other&token={good}"))).await,
        401
    );
    // The token's room is the default room.
    let mut c = server.connect(&format!("token={good}&name=Tom")).await;
    let joined = c.request(json!({"action":"join"}), "joined").await;
    assert_eq!(joined["room"], "team");
    let e = c
        .request(json!({"action":"join","room":"elsewhere"}), "error")
        .await;
    assert_eq!(
        (e["code"].as_str(), e["action"].as_str()),
        (Some("unauthorized"), Some("join"))
    );
    server.stop().await;
}

#[tokio::test]
async fn a_client_cannot_post_into_another_room() {
    let server = spawn(config()).await;
    let mut a = Client::join(&server, "mine", "en", "Ann").await;
    let mut other = Client::join(&server, "theirs", "en", "Eve").await;
    a.send(json!({"action":"translate","text":"hi","room":"theirs"}))
        .await;
    assert_eq!(a.recv_type("message").await["room"], "mine");
    other.assert_silent().await;
    server.stop().await;
}

#[tokio::test]
async fn a_thousand_malformed_frames_each_get_an_error_and_the_socket_lives() {
    let server = spawn(with_policy(Policy {
        messages_per_minute: 100_000,
        ..Policy::default()
    }))
    .await;
    let mut c = Client::join(&server, "m", "en", "Mal").await;
    let shapes = [
        String::new(),
        "{".into(),
        "}".into(),
        "null".into(),
        "42".into(),
        "\"action\"".into(),
        "[{\"action\":\"ping\"}]".into(),
        "{\"action\":null}".into(),
        "{\"action\":[]}".into(),
        "{\"action\":\"translate\",\"text\":{}}".into(),
        "{\"action\":\"translate\",\"text\":\"\\u0000\"}".into(),
        "{\"action\":\"history\",\"limit\":-5}".into(),
        "{\"action\":\"history\",\"limit\":1.5}".into(),
        "{\"action\":\"history\",\"before\":7}".into(),
        "{\"action\":\"join\",\"room\":\"\"}".into(),
        "{\"action\":\"join\",\"lang\":\"EN\"}".into(),
        "{\"action\":\"join\",\"name\":\"\\u001b[31m\"}".into(),
        "{\"action\":\"translate\",\"text\":\"x\",\"sourceLang\":5}".into(),
        "{\"action\":\"translate\",\"text\":\"x\",\"clientMsgId\":\"".to_owned()
            + &"y".repeat(65)
            + "\"}",
        "\u{feff}{}".into(),
    ];
    for i in 0..1_000 {
        let base = &shapes[i % shapes.len()];
        // Vary them: a suffix of junk for every other round.
        let frame = if (i / shapes.len()).is_multiple_of(2) {
            base.clone()
        } else {
            format!("{base}{}", "}".repeat(i % 3))
        };
        c.send_raw(&frame).await;
        let f = c.recv().await;
        assert!(
            f["type"] == "error" || f["type"] == "message",
            "{frame:?} → {f}"
        );
    }
    c.request(json!({"action":"ping"}), "pong").await;
    let (status, _, _) = crate::helpers::http_get(server.addr, "/healthz").await;
    assert_eq!(status, 200);
    server.stop().await;
}

#[tokio::test]
async fn a_resend_after_reconnecting_is_delivered_once() {
    let server = spawn(config()).await;
    let mut watcher = Client::join(&server, "idem", "es", "Wat").await;
    // The client keeps its identity (`client`) across reconnects.
    let ann = "room=idem&lang=en&name=Ann&client=ann-keeps-this-secret";
    let mut a = server.connect(ann).await;
    let frame = json!({"action":"translate","text":"only once","clientMsgId":"c-re-1"});
    a.send(frame.clone()).await;
    a.recv_type("message").await;
    assert_eq!(watcher.recv_type("message").await["original"], "only once");
    // The connection drops before the client saw... anything; it comes back
    // (a new connection id) and resends the same id.
    a.ws.close(None).await.unwrap();
    let mut a = server.connect(ann).await;
    a.send(frame).await;
    a.assert_silent().await;
    let mut later = Vec::new();
    while let Ok(Some(Ok(m))) = tokio::time::timeout(
        Duration::from_millis(300),
        futures_util::StreamExt::next(&mut watcher.ws),
    )
    .await
    {
        later.push(m);
    }
    assert!(
        later
            .iter()
            .all(|m| !m.to_string().contains("\"type\":\"message\"")),
        "delivered twice: {later:?}"
    );
    // A new id goes through.
    a.send(json!({"action":"translate","text":"again","clientMsgId":"c-re-2"}))
        .await;
    assert_eq!(a.recv_type("message").await["clientMsgId"], "c-re-2");
    server.stop().await;
}
