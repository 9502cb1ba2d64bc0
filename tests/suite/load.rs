//! A bounded load test against the real binary: 500 connections in 10
//! rooms, steady senders for HONYAKU_LOAD_SECONDS (default 20), loopback
//! only. Every live member gets every message of its room exactly once, and
//! the server's memory stays flat.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::binary::{Running, serve_command};

const ROOMS: usize = 10;
const PER_ROOM: usize = 50;
const LANGS: [&str; 5] = ["en", "es", "fr", "de", "ja"];

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_connections_lose_nothing_and_memory_stays_flat() {
    let _turn = crate::helpers::heavy().await;
    let seconds: u64 = std::env::var("HONYAKU_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let mut server = Running::start(serve_command(&["--rate-limit", "100000"]));
    let addr = server.addr;
    let pid = server.child.id();

    // Connect everyone; each reader counts the messages it gets by id.
    let done = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    let mut writers = Vec::new();
    for r in 0..ROOMS {
        for m in 0..PER_ROOM {
            let url = format!(
                "ws://{addr}/local?room=load{r}&lang={}&name=m{r}x{m}&client=load-client-{r:03}-{m:03}",
                LANGS[m % LANGS.len()]
            );
            let (ws, _) = tokio_tungstenite::connect_async(&url)
                .await
                .expect("connect");
            let (sink, mut stream) = ws.split();
            if m < 2 {
                writers.push((r, sink));
            } else {
                drop(sink);
            }
            let done = done.clone();
            readers.push(tokio::spawn(async move {
                let mut seen: HashMap<String, usize> = HashMap::new();
                loop {
                    let msg =
                        match tokio::time::timeout(Duration::from_secs(3), stream.next()).await {
                            Ok(Some(Ok(msg))) => msg,
                            // Quiet: done once the senders are.
                            Err(_) if !done.load(Ordering::SeqCst) => continue,
                            _ => break,
                        };
                    if let Message::Text(t) = msg {
                        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                        if v["type"] == "message" {
                            let text = v["original"]
                                .as_str()
                                .or(v["text"].as_str())
                                .unwrap()
                                .to_owned();
                            *seen.entry(text).or_default() += 1;
                        }
                    }
                }
                (r, seen)
            }));
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_start = rss_kb(pid);

    // Two senders per room, each one message every 100 ms.
    let start = Instant::now();
    let mut sent: HashMap<usize, Vec<String>> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut n = 0usize;
    let mut rss_samples = Vec::new();
    while start.elapsed() < Duration::from_secs(seconds) {
        tick.tick().await;
        for (r, sink) in writers.iter_mut() {
            let text = format!("load-{r}-{n}");
            sink.send(Message::text(
                json!({"action":"translate","text":text}).to_string(),
            ))
            .await
            .unwrap();
            sent.entry(*r).or_default().push(text);
            n += 1;
        }
        if n.is_multiple_of(writers.len() * 10) {
            rss_samples.push(rss_kb(pid));
        }
    }
    // Readers stop after 3 quiet seconds once the senders are done.
    done.store(true, Ordering::SeqCst);
    let mut results = Vec::new();
    for reader in readers {
        results.push(reader.await.unwrap());
    }
    drop(writers);
    server.signal("-TERM");
    server.wait(Duration::from_secs(20)).await;

    let total: usize = sent.values().map(Vec::len).sum();
    assert!(total >= 100, "too little load: {total}");
    for (r, seen) in &results {
        let expected = &sent[r];
        let missing = expected.iter().filter(|t| !seen.contains_key(*t)).count();
        let doubled = seen.values().filter(|c| **c > 1).count();
        assert_eq!(
            (missing, doubled),
            (0, 0),
            "room {r}: {missing} missing, {doubled} duplicated"
        );
        assert_eq!(
            seen.len(),
            expected.len(),
            "room {r}: messages from other rooms"
        );
    }
    // Flat memory: the second half of the run grows no more than a little.
    let half = &rss_samples[rss_samples.len() / 2..];
    let (mid, end) = (
        half.first().copied().unwrap_or(rss_start),
        half.last().copied().unwrap_or(rss_start),
    );
    eprintln!(
        "rss: start {rss_start} KB, mid {mid} KB, end {end} KB, {total} messages, {} deliveries",
        total * PER_ROOM
    );
    assert!(
        end <= mid + mid / 5 + 4_096,
        "memory grew from {mid} KB to {end} KB"
    );
}
