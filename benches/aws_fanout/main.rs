//! Simulated AWS fan-out: how long until every member of a big room has a
//! message, and what one message costs, with the real pieces where they
//! matter.
//!
//! `cargo bench --bench aws_fanout --features aws`
//!
//! The room's members are real WebSocket clients of a local `honyaku
//! serve` (memory store). The `translate` is handled by a second core on
//! the same store — the "Lambda" — whose push is the real `ApiGatewayPush`
//! (SigV4 over HTTP) to the local Management API, each post delayed by
//! 25 ms as posts from a Lambda to API Gateway take. Rooms past
//! `fanout_direct_max` (1,000) go through an SQS stand-in: each batch
//! reaches a worker after a 20 ms queue hop, at most 10 workers at once,
//! and each worker is `App::deliver`, as the Lambda's SQS handler calls it.
//!
//! Knobs: `BENCH_SIZES` (comma-separated, default 10,100,1000,5000,10000),
//! `BENCH_ROUNDS` (messages per size, default 3; the median is reported),
//! `BENCH_POST_MS` (25), `BENCH_WORKERS` (10).

mod clients;
#[path = "../common/mod.rs"]
mod common;
mod cost;
mod sim;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use honyaku::config::{ServeConfig, StoreKind, TranslatorKind};
use honyaku::core::{App, Policy};
use honyaku::model::ConnectionId;
use honyaku::ports::Push;
use honyaku::push::ApiGatewayPush;
use honyaku::store::{Hooked, StoreOp};
use honyaku::testing::FailNext;
use honyaku::translate::PseudoTranslator;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio_tungstenite::tungstenite::Message;

use common::{Table, verdict};
use sim::{SimQueue, SimSqs, Slow};

/// Members read these languages in turn; the sender writes English.
pub const LANGS: [&str; 5] = ["en", "ja", "es", "fr", "de"];
/// The message: 100 characters.
fn text(round: usize) -> String {
    let tag = format!("#SIM{round}#");
    format!("{tag}{}", "x".repeat(100 - tag.len()))
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one room size measured.
pub struct Measured {
    pub members: usize,
    /// The `translate` invocation's wall time (median), ms.
    pub translate_ms: f64,
    /// Send until every member has it (median), ms.
    pub all_ms: f64,
    /// Per message: fan-out batches, SQS send calls, worker time (ms).
    pub batches: f64,
    pub sqs_sends: f64,
    pub worker_ms: f64,
    pub posts: f64,
    /// Store calls per message, by operation.
    pub ops: Vec<(StoreOp, f64)>,
}

async fn measure(members: usize, rounds: usize, post_delay: Duration, workers: usize) -> Measured {
    let config = ServeConfig {
        store: StoreKind::Memory,
        translator: TranslatorKind::Pseudo.into(),
        max_connections: 30_000,
        policy: policy(),
        ..ServeConfig::default()
    };
    let prepared = honyaku::local::prepare(config).expect("prepare the server");
    let store = prepared.app().store().clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(prepared.run(listener, async {
        let _ = stopped.await;
    }));

    // The members, in a process of their own.
    let mut clients = Command::new(std::env::current_exe().expect("this bench"))
        .args([
            "--clients",
            &format!("ws://{addr}/local?room=sim"),
            &members.to_string(),
            &rounds.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the clients");
    let mut lines = BufReader::new(clients.stdout.take().expect("piped")).lines();
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("ready"));
    let sender = sender_id(addr).await;

    // The "Lambda": the real push to the local Management API.
    let sdk = honyaku::aws::sdk::load_for_endpoint("http://127.0.0.1:1").await;
    let endpoint = format!("http://{addr}/local");
    let push = Arc::new(Slow {
        inner: ApiGatewayPush::new(sdk, Some(endpoint)),
        delay: post_delay,
        posts: AtomicUsize::new(0),
    });
    let counted = Arc::new(Hooked::new(store, FailNext::default()));
    let sqs = SimSqs::new(Duration::from_millis(20), workers);
    let app = App::new(
        counted.clone(),
        Arc::new(PseudoTranslator),
        push.clone() as Arc<dyn Push>,
    )
    .with_policy(policy())
    .with_queue(Arc::new(SimQueue(sqs.clone())));
    let _ = sqs.app.set(app.clone());
    counted.hook().reset_calls();

    let mut translate = Vec::new();
    let mut all = Vec::new();
    for round in 0..rounds {
        let frame =
            json!({"action":"translate","text":text(round),"clientMsgId":format!("sim-{round}")});
        let sent = clients::unix_us();
        let t = Instant::now();
        app.message(&sender, &frame.to_string()).await;
        translate.push(t.elapsed().as_secs_f64() * 1e3);
        let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
            .await
            .unwrap_or_else(|_| {
                panic!("round {round} did not reach all {members} members in 120 s")
            })
            .unwrap()
            .expect("the clients' report");
        let last: u64 = line
            .strip_prefix(&format!("done {round} "))
            .and_then(|us| us.parse().ok())
            .unwrap_or_else(|| panic!("unexpected line {line:?}"));
        all.push(last.saturating_sub(sent) as f64 / 1e3);
    }
    let per = |n: f64| n / rounds as f64;
    let calls = counted.hook().all_calls();
    let mut ops: Vec<(StoreOp, f64)> = calls
        .into_iter()
        .map(|(op, n)| (op, per(n as f64)))
        .collect();
    ops.sort_by_key(|(op, _)| format!("{op:?}"));
    let measured = Measured {
        members,
        translate_ms: median(translate),
        all_ms: median(all),
        batches: per(sqs.batches.load(Ordering::SeqCst) as f64),
        sqs_sends: per(sqs.send_calls.load(Ordering::SeqCst) as f64),
        worker_ms: per(sqs.worker_us.load(Ordering::SeqCst) as f64 / 1e3),
        posts: per(push.posts.load(Ordering::SeqCst) as f64),
        ops,
    };
    let _ = clients.kill().await;
    let _ = clients.wait().await;
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(120), server).await;
    measured
}

fn policy() -> Policy {
    Policy {
        max_room_members: 50_000,
        messages_per_minute: 1_000_000,
        chars_per_hour: u32::MAX,
        ..Policy::default()
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The sender: a member too, whose connection id the "Lambda" acts for.
async fn sender_id(addr: std::net::SocketAddr) -> ConnectionId {
    let url = format!("ws://{addr}/local?room=sim&lang=en&name=sender");
    let (ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    let (mut sink, mut stream) = ws.split();
    futures_util::SinkExt::send(&mut sink, Message::text(r#"{"action":"join"}"#))
        .await
        .unwrap();
    let id = loop {
        let Some(Ok(Message::Text(t))) = stream.next().await else {
            panic!("no joined")
        };
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        if v["type"] == "joined" {
            break v["connectionId"].as_str().unwrap().to_owned();
        }
    };
    // Keep reading (and so the socket open) for the rest of the run.
    tokio::spawn(async move {
        let _sink = sink;
        while stream.next().await.is_some() {}
    });
    ConnectionId::new(id)
}

fn main() {
    let fd_limit = common::raise_fd_limit();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--clients") {
        let arg = |k: usize| args.get(i + k).cloned().unwrap_or_default();
        let (url, n, rounds) = (
            arg(1),
            arg(2).parse().unwrap_or(0),
            arg(3).parse().unwrap_or(1),
        );
        rt.block_on(clients::run(url, n, rounds));
        return;
    }
    rt.block_on(async move {
        let sizes = env_list("BENCH_SIZES", &[10, 100, 1_000, 5_000, 10_000]);
        let rounds = env_num("BENCH_ROUNDS", 3) as usize;
        let post = Duration::from_millis(env_num("BENCH_POST_MS", 25));
        let workers = env_num("BENCH_WORKERS", 10) as usize;
        let mut results = Vec::new();
        for &n in &sizes {
            // One end of every socket lives in this process.
            if (n + 2_000) as u64 > fd_limit {
                eprintln!("skipping {n} members: the open-file limit is {fd_limit}");
                continue;
            }
            eprintln!("measuring {n} members...");
            results.push(measure(n, rounds, post, workers).await);
        }
        let mut timing = Table::new(
            "Simulated AWS fan-out: send until every member has the message",
            &[
                "members",
                "path",
                "`translate` invocation",
                "until all have it",
                "worker invocations",
                "worker time",
                "target ≤ 5 s",
            ],
        );
        for m in &results {
            timing.row(vec![
                common::thousands(m.members as u64),
                if m.batches > 0.0 {
                    "SQS batches".into()
                } else {
                    "direct".into()
                },
                format!("{:.0} ms", m.translate_ms),
                format!("{:.0} ms", m.all_ms),
                format!("{:.0}", m.batches),
                format!("{:.0} ms", m.worker_ms),
                if m.members >= 10_000 {
                    verdict(m.all_ms <= 5_000.0)
                } else {
                    "—".into()
                },
            ]);
        }
        timing.note(format!(
            "Each post waits {} ms before the real ApiGatewayPush (SigV4, HTTP) reaches the local \
             Management API; {} posts in flight per invocation; rooms past 1,000 recipients go \
             through the SQS stand-in ({} workers at once, 20 ms per queue hop). Medians of {} \
             messages; members read en, ja, es, fr, de in turn; the pseudo engine.",
            post.as_millis(),
            honyaku::limits::FANOUT_CONCURRENCY,
            workers,
            rounds
        ));
        let costs = cost::table(&results);
        common::report("aws_fanout", &[timing, costs], json!({}));
    });
}
