//! The real `honyaku serve` binary: flags, the printed address, the page,
//! SIGTERM (every `$disconnect` runs), restarts on the same redb data — after
//! a clean stop and after `kill -9`.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::helpers::Client;
use crate::helpers::binary::{Running, output_within, serve_command};
use serde_json::json;

/// `honyaku serve` on the redb store in `data`.
fn serve(data: &Path) -> Running {
    let data = data.to_str().unwrap();
    Running::start(serve_command(&["--store", "redb", "--data", data]))
}

#[tokio::test]
async fn sigterm_disconnects_everyone_and_history_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let mut server = serve(data.path());
    let mut aki = Client::connect(&server.ws("room=persist&lang=ja&name=Aki")).await;
    let mut bea = Client::connect(&server.ws("room=persist&lang=es&name=Bea")).await;
    aki.send(json!({"action":"translate","text":"おはよう","clientMsgId":"p1"}))
        .await;
    assert_eq!(aki.recv_type("message").await["clientMsgId"], "p1");
    assert_eq!(bea.recv_type("message").await["text"], "[es] おはよう");

    server.signal("-TERM");
    assert_eq!(aki.close_code(Duration::from_secs(5)).await, 1001);
    assert!(server.wait(Duration::from_secs(10)).await.success());

    let mut server = serve(data.path());
    let mut late = Client::connect(&server.ws("room=persist&lang=en&name=Late")).await;
    let members = late.request(json!({"action":"members"}), "members").await;
    // `$disconnect` ran for both at shutdown: only the newcomer is here.
    assert_eq!(members["members"], json!([{"name":"Late","lang":"en"}]));
    let h = late.request(json!({"action":"history"}), "history").await;
    assert_eq!(h["messages"][0]["text"], "[en] おはよう");
    assert_eq!(h["messages"][0]["original"], "おはよう");
    server.signal("-INT");
    assert!(server.wait(Duration::from_secs(10)).await.success());
}

#[tokio::test]
async fn acknowledged_messages_survive_kill_9_under_load() {
    let _turn = crate::helpers::heavy().await;
    let data = tempfile::tempdir().unwrap();
    let mut server = serve(data.path());
    let url = server.ws("room=crash&lang=en");
    // Four senders as fast as their echoes come back; each remembers what
    // was acknowledged until the server dies under it.
    let senders: Vec<_> = (0..4)
        .map(|s| {
            let url = format!("{url}&name=s{s}&client=crash-test-sender-{s:04}");
            tokio::spawn(async move {
                let mut c = Client::connect(&url).await;
                let mut acked = Vec::new();
                for i in 0.. {
                    let text = format!("s{s}-{i}");
                    let frame = json!({"action":"translate","text":text,"clientMsgId":text});
                    if futures_util::SinkExt::send(
                        &mut c.ws,
                        tokio_tungstenite::tungstenite::Message::text(frame.to_string()),
                    )
                    .await
                    .is_err()
                    {
                        break;
                    }
                    // Our own echo is the acknowledgement.
                    let echo = loop {
                        match tokio::time::timeout(
                            Duration::from_secs(5),
                            futures_util::StreamExt::next(&mut c.ws),
                        )
                        .await
                        {
                            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))) => {
                                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                                if v["clientMsgId"] == text.as_str() {
                                    // Only the message itself, not a refusal.
                                    if v["type"] != "message" {
                                        break None;
                                    }
                                    break Some(());
                                }
                            }
                            Ok(Some(Ok(_))) => {}
                            _ => break None,
                        }
                    };
                    if echo.is_none() {
                        break;
                    }
                    acked.push(text);
                }
                acked
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.signal("-KILL");
    server.wait(Duration::from_secs(5)).await;
    let mut acked = Vec::new();
    for s in senders {
        acked.extend(s.await.unwrap());
    }
    assert!(acked.len() > 20, "too little load: {}", acked.len());

    let server = serve(data.path());
    let mut r = Client::connect(&server.ws("room=crash&name=Rea")).await;
    let stored: std::collections::HashSet<String> = r
        .whole_history(usize::MAX)
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    let lost: Vec<&String> = acked.iter().filter(|t| !stored.contains(*t)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged messages lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
}

#[tokio::test]
async fn health_page_and_headers() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let (status, _, body) = crate::helpers::http_get(server.addr, "/healthz").await;
    assert_eq!((status, body.trim()), (200, "ok"));
    let (status, head, body) = crate::helpers::http_get(server.addr, "/").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'self'"),
        "{head}"
    );
    assert!(body.contains("<html"), "{body}");
    let (status, head, _) = crate::helpers::http_get(server.addr, "/app.js").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/javascript"), "{head}");
    let (status, _, _) = crate::helpers::http_get(server.addr, "/../Cargo.toml").await;
    assert!([0, 400, 404].contains(&status), "{status}");
}

#[test]
fn unusable_engines_and_stores_fail_with_a_sentence() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--translator",
                "apertium",
                "--apertium-modes",
                "/nonexistent",
            ],
            "apt-get install apertium",
        ),
        (&["--translator", "babelfish"], "babelfish"),
        (&["--store", "postgres"], "postgres"),
        (&["--stage", "a/b"], "stage"),
        (&["--idle-timeout", "soon"], "duration"),
    ];
    for (args, expected) in cases {
        let out = output_within(serve_command(args), Duration::from_secs(20));
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            out.stdout.is_empty(),
            "nothing is announced before a failure"
        );
    }
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = output_within(serve_command(&["--addr", &addr]), Duration::from_secs(20));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on"), "{err}");
}

#[tokio::test]
async fn without_apertium_it_falls_back_to_pseudo_and_says_so() {
    // Nothing listens on port 9: no LibreTranslate either.
    let mut cmd = serve_command(&[
        "--apertium-modes",
        "/nonexistent",
        "--libretranslate-url",
        "http://127.0.0.1:9",
    ]);
    cmd.stderr(Stdio::piped());
    let mut server = Running::start(cmd);
    let (status, head, body) = crate::helpers::http_get(server.addr, "/status.json").await;
    assert_eq!(status, 200);
    assert!(head.contains("application/json"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["engine"], "pseudo");
    assert_eq!(
        v["engines"],
        serde_json::json!([{"name": "pseudo", "ok": true, "pairs": null}])
    );
    assert!(
        v["notice"]
            .as_str()
            .unwrap()
            .contains("apt-get install apertium"),
        "{v}"
    );
    server.signal("-TERM");
    assert!(server.wait(Duration::from_secs(10)).await.success());
    let err = server.stderr();
    assert!(err.contains("Apertium is not installed"), "{err}");
}

/// After `kill -9`, a restart on the same data clears this instance's own
/// connection rows before it lets anyone in, and tells nobody: the room
/// counts only the live members at once, and no ghost "leaves".
#[tokio::test]
async fn no_ghosts_after_kill_9() {
    let data = tempfile::tempdir().unwrap();
    let mut server = serve(data.path());
    let mut ghosts = Vec::new();
    for name in ["Alice", "Beto", "Cleo"] {
        let mut c = Client::connect(&server.ws(&format!("room=ghosts&lang=en&name={name}"))).await;
        c.request(json!({"action":"join"}), "joined").await;
        ghosts.push(c);
    }
    server.signal("-KILL");
    server.wait(Duration::from_secs(5)).await;
    drop(ghosts);

    let restarted = std::time::Instant::now();
    let server = serve(data.path());
    let mut alice = Client::connect(&server.ws("room=ghosts&lang=en&name=Alice")).await;
    let joined = alice.request(json!({"action":"join"}), "joined").await;
    assert!(restarted.elapsed() < Duration::from_secs(5));
    assert_eq!(joined["count"], 1, "{joined}");
    assert_eq!(joined["members"], json!([{"name":"Alice","lang":"en"}]));
    // Nobody is told that the dead connections left.
    alice.assert_silent().await;
    let mut beto = Client::connect(&server.ws("room=ghosts&lang=en&name=Beto")).await;
    let joined = beto.request(json!({"action":"join"}), "joined").await;
    assert_eq!(joined["count"], 2);
}
