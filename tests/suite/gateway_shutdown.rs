//! SIGTERM under load, with the real binary and the load test's numbers
//! (500 connections in 10 rooms, two senders per room): the server stops
//! by itself, every connection gets its close, and after a restart on the
//! same data every message a sender saw acknowledged is in the history.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::binary::{Running, serve_command};

const ROOMS: usize = 10;
const PER_ROOM: usize = 50;
const SENDERS: usize = 2;

/// `honyaku serve` on the redb store in `data`, without a rate limit.
fn serve(data: &Path) -> Running {
    let data = data.to_str().unwrap();
    Running::start(serve_command(&[
        "--store",
        "redb",
        "--data",
        data,
        "--rate-limit",
        "100000",
    ]))
}

/// One sender: sends as fast as its own echoes come back, and returns what
/// was acknowledged before the server went away.
async fn sender(url: String, tag: String) -> Vec<String> {
    let (ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    let (mut sink, mut stream) = ws.split();
    let mut acked = Vec::new();
    for i in 0.. {
        let text = format!("{tag}-{i}");
        let frame = json!({"action":"translate","text":text,"clientMsgId":text});
        if sink.send(Message::text(frame.to_string())).await.is_err() {
            break;
        }
        let echoed = loop {
            match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                    if v["clientMsgId"] == text.as_str() {
                        break true;
                    }
                }
                Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) | Err(_) => {
                    break false;
                }
                Ok(Some(Ok(_))) => {}
            }
        };
        if !echoed {
            break;
        }
        acked.push(text);
    }
    acked
}

/// One reader: reads until the server closes; true if it sent a 1001.
async fn reader(url: String, connected: tokio::sync::mpsc::Sender<()>) -> bool {
    let (ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    let _ = connected.send(()).await;
    let (_sink, mut stream) = ws.split();
    loop {
        match tokio::time::timeout(Duration::from_secs(30), stream.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => {
                return frame.is_some_and(|f| u16::from(f.code) == 1001);
            }
            Ok(Some(Ok(_))) => {}
            _ => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_loses_no_acknowledged_message() {
    let _turn = crate::helpers::heavy().await;
    let data = tempfile::tempdir().unwrap();
    let mut server = serve(data.path());
    let addr = server.addr;

    let mut readers = Vec::new();
    let (connected, mut arrivals) = tokio::sync::mpsc::channel(PER_ROOM * ROOMS);
    for r in 0..ROOMS {
        for m in SENDERS..PER_ROOM {
            let url = format!("ws://{addr}/local?room=term{r}&name=r{r}x{m}");
            readers.push(tokio::spawn(reader(url, connected.clone())));
        }
    }
    for _ in 0..readers.len() {
        tokio::time::timeout(Duration::from_secs(60), arrivals.recv())
            .await
            .expect("readers connected in time");
    }
    let mut senders = Vec::new();
    for r in 0..ROOMS {
        for s in 0..SENDERS {
            let url = format!("ws://{addr}/local?room=term{r}&name=s{r}x{s}");
            senders.push((r, tokio::spawn(sender(url, format!("t{r}s{s}")))));
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    server.signal("-TERM");
    let status = server.wait(Duration::from_secs(20)).await;
    assert!(status.success(), "{status:?}");

    let mut acked: HashMap<usize, Vec<String>> = HashMap::new();
    for (r, s) in senders {
        acked.entry(r).or_default().extend(s.await.unwrap());
    }
    let total: usize = acked.values().map(Vec::len).sum();
    assert!(total >= 100, "too little load: {total} acknowledged");
    let mut closed_well = 0;
    for r in readers {
        closed_well += usize::from(r.await.unwrap());
    }
    assert_eq!(
        closed_well,
        ROOMS * (PER_ROOM - SENDERS),
        "readers told 1001"
    );

    let server = serve(data.path());
    let mut check = crate::helpers::Client::connect(&server.ws("room=term0&name=Check")).await;
    let mut lost = Vec::new();
    for (r, texts) in &acked {
        check
            .request(json!({"action":"join","room":format!("term{r}")}), "joined")
            .await;
        let stored: HashSet<String> = check
            .whole_history(usize::MAX)
            .await
            .iter()
            .map(|m| {
                m["original"]
                    .as_str()
                    .or(m["text"].as_str())
                    .unwrap()
                    .to_owned()
            })
            .collect();
        lost.extend(texts.iter().filter(|t| !stored.contains(*t)).cloned());
    }
    drop(server);
    eprintln!("{total} acknowledged before SIGTERM");
    assert!(
        lost.is_empty(),
        "{} acknowledged messages lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
}

/// v1.2 (issue: after a restart everyone saw every member "joined"
/// again): a member whose `client` is back within the grace after a
/// SIGTERM and a restart on the same redb data is `returning`; a member
/// new to the room is not.
#[tokio::test]
async fn after_a_restart_members_who_come_back_are_returning() {
    use crate::helpers::Client;
    let dir = tempfile::tempdir().unwrap();
    let query = |name: &str, client: &str| format!("room=back&name={name}&client={client}");
    let (aki, bea) = (
        query("Aki", "aki-client-key-0001"),
        query("Bea", "bea-client-key-0002"),
    );
    let mut server = serve(dir.path());
    let mut a = Client::connect(&server.ws(&aki)).await;
    let b = Client::connect(&server.ws(&bea)).await;
    let p = a.recv_type("presence").await;
    assert_eq!(
        (p["name"].as_str(), p.get("returning")),
        (Some("Bea"), None)
    );
    server.signal("-TERM");
    assert!(server.wait(Duration::from_secs(10)).await.success());
    drop((a, b));

    let server = serve(dir.path());
    let mut a = Client::connect(&server.ws(&aki)).await;
    let _b = Client::connect(&server.ws(&bea)).await;
    let p = a.recv_type("presence").await;
    assert_eq!(
        (
            p["event"].as_str(),
            p["name"].as_str(),
            p["returning"].as_bool()
        ),
        (Some("join"), Some("Bea"), Some(true))
    );
    let _cid = Client::connect(&server.ws(&query("Cid", "cid-client-key-0003"))).await;
    let p = a.recv_type("presence").await;
    assert_eq!(
        (p["name"].as_str(), p.get("returning")),
        (Some("Cid"), None)
    );
}
