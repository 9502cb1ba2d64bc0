//! The room's members, in a process of their own (`aws_fanout --clients
//! URL N ROUNDS`): one side of each socket here, the other in the server,
//! so neither process needs more than 10,000 open files. It prints `ready`
//! once every member is in, then `done {round} {µs}` when every member has
//! that round's message, with the wall-clock time of the last arrival.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use futures_util::StreamExt;
use futures_util::stream;
use tokio_tungstenite::tungstenite::Message;

use super::LANGS;

/// Microseconds since the Unix epoch: the clock both processes share.
pub fn unix_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros() as u64
}

pub async fn run(url: String, members: usize, rounds: usize) {
    let arrivals: Arc<Vec<(AtomicUsize, AtomicU64)>> = Arc::new(
        (0..rounds)
            .map(|_| (AtomicUsize::new(0), AtomicU64::new(0)))
            .collect(),
    );
    let readers: Vec<_> = stream::iter(0..members)
        .map(|i| {
            let (url, arrivals) = (url.clone(), arrivals.clone());
            reader(url, i, arrivals)
        })
        .buffer_unordered(64)
        .collect()
        .await;
    say("ready");
    for round in 0..rounds {
        let (count, last) = &arrivals[round];
        while count.load(Ordering::SeqCst) < members {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        say(&format!("done {round} {}", last.load(Ordering::SeqCst)));
    }
    drop(readers);
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// One member: connects, then counts the rounds it receives.
async fn reader(
    url: String,
    i: usize,
    arrivals: Arc<Vec<(AtomicUsize, AtomicU64)>>,
) -> tokio::task::JoinHandle<()> {
    let url = format!("{url}&lang={}&name=m{i}", LANGS[i % LANGS.len()]);
    let (ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    let (sink, mut stream) = ws.split();
    tokio::spawn(async move {
        let _sink = sink;
        while let Some(Ok(msg)) = stream.next().await {
            let Message::Text(t) = msg else { continue };
            let Some(at) = t.find("#SIM") else { continue };
            let Some(round) = t[at + 4..]
                .split('#')
                .next()
                .and_then(|r| r.parse::<usize>().ok())
            else {
                continue;
            };
            let Some((count, last)) = arrivals.get(round) else {
                continue;
            };
            last.fetch_max(unix_us(), Ordering::SeqCst);
            count.fetch_add(1, Ordering::SeqCst);
        }
    })
}
