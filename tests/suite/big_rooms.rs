//! Rooms of thousands, long histories and many languages, end to end on
//! every store: no frame over 128 KB (the local gateway refuses bigger
//! posts exactly as API Gateway does, so a frame that would not fit is a
//! lost frame here too), no item over 400 KB, nothing lost.

use futures_util::future::join_all;
use futures_util::{SinkExt, StreamExt};
use honyaku::config::ServeConfig;
use honyaku::limits::MAX_MESSAGE_BYTES;
use honyaku::model::Lang;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{Client, Connect, TestServer, config, redb_config, spawn};

/// 32 characters of four bytes each: the longest name, in bytes.
fn long_name(i: usize) -> String {
    let mut name: String = "😀".repeat(27);
    name.push_str(&format!("{i:05}"));
    name
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Opens `n` members of `room`, a few dozen at a time.
async fn fill(server: &TestServer, room: &str, n: usize) -> Vec<Client> {
    let mut clients = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(50) {
        let opened = join_all(chunk.iter().map(|i| {
            let q = format!("room={room}&lang=en&name={}", encode(&long_name(*i)));
            async move { server.connect(&q).await }
        }))
        .await;
        clients.extend(opened);
    }
    clients
}

/// Every text frame the client has now, within `MAX_MESSAGE_BYTES`.
async fn drain(c: &mut Client) -> Vec<Value> {
    let mut frames = Vec::new();
    while let Ok(Some(Ok(msg))) =
        tokio::time::timeout(std::time::Duration::from_millis(200), c.ws.next()).await
    {
        if let Message::Text(t) = msg {
            assert!(t.len() <= MAX_MESSAGE_BYTES, "a frame of {} bytes", t.len());
            frames.push(serde_json::from_str(&t).unwrap());
        }
    }
    frames
}

async fn a_room_of_a_thousand_long_names(config: ServeConfig) {
    let _turn = crate::helpers::heavy().await;
    let server = spawn(config).await;
    let mut members = fill(&server, "big", 1_000).await;
    let me = &mut members[0];
    drain(me).await;
    let joined = me.request(json!({"action":"join"}), "joined").await;
    assert_eq!(joined["count"], 1_000);
    assert!(joined.to_string().len() <= MAX_MESSAGE_BYTES);
    let mut seen = joined["members"].as_array().unwrap().len();
    assert_eq!(seen, 500);
    let mut next = joined["next"].as_str().map(str::to_owned);
    while let Some(after) = next {
        let page = me
            .request(json!({"action":"members","after":after}), "members")
            .await;
        assert_eq!(page["count"], 1_000);
        seen += page["members"].as_array().unwrap().len();
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, 1_000);
    // Presence stopped at 100 members: the last ones heard nothing.
    assert!(drain(&mut members[999]).await.is_empty());
    // A message reaches everyone.
    members[1]
        .send(json!({"action":"translate","text":"hello, all"}))
        .await;
    let got = join_all(
        members
            .iter_mut()
            .map(|c| async move { c.recv_type("message").await["text"] == "hello, all" }),
    )
    .await;
    assert!(got.into_iter().all(|ok| ok));
    server.stop().await;
}

async fn a_long_history_comes_in_frames_that_fit(config: ServeConfig) {
    let server = spawn(config).await;
    let mut a = Client::join(&server, "long", "en", "Writer").await;
    for i in 0..30 {
        let text = format!("{i:02} {}", "x".repeat(9_000));
        a.send(json!({"action":"translate","text":text})).await;
        a.recv_type("message").await;
    }
    let mut r = Client::join(&server, "long", "es", "Reader").await;
    let got: Vec<String> = r
        .whole_history(MAX_MESSAGE_BYTES)
        .await
        .iter()
        .map(|m| m["original"].as_str().unwrap()[..2].to_owned())
        .collect();
    let expected: Vec<String> = (0..30).map(|i| format!("{i:02}")).collect();
    assert_eq!(got, expected);
    server.stop().await;
}

/// 10,000 bytes to readers of 60 languages: delivered, stored, read back.
async fn ten_thousand_bytes_into_sixty_languages(config: ServeConfig) {
    let _turn = crate::helpers::heavy().await;
    let server = spawn(ServeConfig {
        policy: honyaku::core::Policy {
            chars_per_hour: u32::MAX,
            chars_per_day: 0,
            ..config.policy.clone()
        },
        ..config
    })
    .await;
    let langs: Vec<Lang> = Lang::all().filter(|l| *l != Lang::EN).take(60).collect();
    let mut readers = Vec::new();
    for (i, lang) in langs.iter().enumerate() {
        let q = format!("room=polyglot&lang={lang}&name=r{i}");
        readers.push(server.connect(&q).await);
    }
    let mut writer = Client::join(&server, "polyglot", "en", "Writer").await;
    let text = "word ".repeat(2_000);
    writer
        .send(json!({"action":"translate","text":text, "clientMsgId":"big-1"}))
        .await;
    assert_eq!(writer.recv_type("message").await["clientMsgId"], "big-1");
    for (reader, lang) in readers.iter_mut().zip(&langs) {
        let m = reader.recv_type("message").await;
        assert_eq!(m["lang"], lang.as_str());
        assert_eq!(m["translated"], true, "{lang}");
    }
    let last = readers.last_mut().unwrap();
    let h = last.request(json!({"action":"history"}), "history").await;
    assert_eq!(h["messages"][0]["translated"], true);
    // Frames from the server never passed 128 KB on the way.
    let _ = writer.ws.send(Message::Close(None)).await;
    server.stop().await;
}

macro_rules! on_every_store {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn memory() {
                super::$name(config()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redb() {
                let dir = tempfile::tempdir().unwrap();
                super::$name(redb_config(dir.path().to_path_buf())).await;
            }

            #[cfg(feature = "aws")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn dynamodb() {
                let test = concat!(module_path!(), "::dynamodb");
                let Some(url) = crate::dynamodb_local::endpoint(test) else {
                    return;
                };
                super::$name(ServeConfig {
                    store: honyaku::config::StoreKind::Dynamodb,
                    dynamodb_endpoint: Some(url),
                    table: crate::dynamodb_local::table_name(),
                    ..config()
                })
                .await;
            }
        }
    };
}

on_every_store!(a_room_of_a_thousand_long_names);
on_every_store!(a_long_history_comes_in_frames_that_fit);
on_every_store!(ten_thousand_bytes_into_sixty_languages);
