//! Cost per message: engine calls, store operations and posts per
//! `translate`, counted by wrappers around the real adapters (the memory
//! store, the pseudo engine, a recording push) for rooms of 2, 10 and 100
//! members in 1, 3 and 10 languages, next to what a naive per-recipient
//! design would pay. Built with `--features aws` and given DynamoDB Local
//! (`HONYAKU_DYNAMODB_ENDPOINT`), it also runs `translate` on the DynamoDB
//! store and prints the capacity units DynamoDB reported per message.
//!
//! `cargo bench --bench cost` (`--features aws` for the DynamoDB table)

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::json;

use honyaku::core::{App, ConnectParams};
use honyaku::model::ConnectionId;
use honyaku::ports::Store;
use honyaku::store::{Hooked, MemoryStore, StoreOp};
use honyaku::testing::{CountingTranslator, FailNext, RecordingPush};

use common::{Table, verdict};

const SIZES: [usize; 3] = [2, 10, 100];
const LANG_COUNTS: [usize; 3] = [1, 3, 10];
/// Members get these in turn; the sender (member 0) writes English.
const LANGS: [&str; 10] = ["en", "ja", "es", "fr", "de", "ko", "zh", "pt", "it", "ru"];
/// `translate`s measured per configuration and variant: the sender's 2 ×
/// 45 stay under the default policy's 100 messages a minute.
const MESSAGES: usize = 45;
/// `translate`s sent first by another member, not measured.
const WARM_UP: usize = 5;

/// Store operations that read.
const READS: [StoreOp; 12] = [
    StoreOp::GetConnection,
    StoreOp::RoomCount,
    StoreOp::RoomMembers,
    StoreOp::HasClientMsg,
    StoreOp::MessagesBefore,
    StoreOp::ConnectionsBefore,
    StoreOp::ConnectionsOfInstance,
    StoreOp::RestTranslations,
    StoreOp::Delivery,
    // v1.2: every message looks up the room's memory and glossary.
    StoreOp::Recall,
    StoreOp::Glossary,
    StoreOp::GetMessage,
];

/// Capacity units a store reports it consumed so far: (read, write).
type Units = Arc<dyn Fn() -> (f64, f64) + Send + Sync>;

/// The calls made since the last `take`, by name: store operations as
/// the store hook saw them, engine calls and posts from the doubles, and
/// (on DynamoDB) thousandths of capacity units as `units.read` and
/// `units.write`.
struct Calls {
    store: Arc<Hooked<FailNext>>,
    engine: Arc<CountingTranslator>,
    push: Arc<RecordingPush>,
    units: Option<Units>,
    seen: Mutex<(usize, usize, f64, f64)>,
}

impl Calls {
    fn take(&self) -> BTreeMap<&'static str, u64> {
        let mut out: BTreeMap<&'static str, u64> = BTreeMap::new();
        for (op, n) in self.store.hook().all_calls() {
            let name: &'static str = Box::leak(format!("{op:?}").into_boxed_str());
            out.insert(name, n as u64);
        }
        self.store.hook().reset_calls();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (engine, posts) = (self.engine.calls(), self.push.posts());
        out.insert("engine.translate", (engine - seen.0) as u64);
        out.insert("push.post", (posts - seen.1) as u64);
        let (read, write) = self.units.as_ref().map_or((0.0, 0.0), |units| units());
        let milli = |now: f64, then: f64| ((now - then) * 1000.0).round() as u64;
        out.insert("units.read", milli(read, seen.2));
        out.insert("units.write", milli(write, seen.3));
        *seen = (engine, posts, read, write);
        out.retain(|_, v| *v > 0);
        out
    }
}

fn is_read(name: &str) -> bool {
    READS.iter().any(|op| format!("{op:?}") == name)
}

/// Averages over `n` of one kind of call, as a per-call figure.
struct Cost {
    engine: f64,
    reads: f64,
    writes: f64,
    member_queries: f64,
    posts: f64,
    /// Capacity units DynamoDB reported (0 on the memory store).
    #[cfg_attr(
        not(feature = "aws"),
        expect(dead_code, reason = "the DynamoDB table needs feature aws")
    )]
    read_units: f64,
    #[cfg_attr(
        not(feature = "aws"),
        expect(dead_code, reason = "the DynamoDB table needs feature aws")
    )]
    write_units: f64,
    time: Duration,
    /// Every call by name, per call of the route.
    by_name: BTreeMap<&'static str, f64>,
}

impl Cost {
    fn from(calls: BTreeMap<&'static str, u64>, n: usize, time: Duration) -> Cost {
        let per = |v: u64| v as f64 / n as f64;
        let sum = |pred: &dyn Fn(&str) -> bool| {
            per(calls.iter().filter(|(k, _)| pred(k)).map(|(_, v)| *v).sum())
        };
        let is_store = |k: &str| !k.contains('.');
        Cost {
            engine: sum(&|k| k.starts_with("engine.")),
            reads: sum(&|k| is_store(k) && is_read(k)),
            writes: sum(&|k| is_store(k) && !is_read(k)),
            member_queries: per(calls.get("RoomMembers").copied().unwrap_or(0)),
            posts: per(calls.get("push.post").copied().unwrap_or(0)),
            read_units: per(calls.get("units.read").copied().unwrap_or(0)) / 1000.0,
            write_units: per(calls.get("units.write").copied().unwrap_or(0)) / 1000.0,
            time: time / n as u32,
            by_name: calls.iter().map(|(k, v)| (*k, per(*v))).collect(),
        }
    }

    fn store_ops(&self) -> f64 {
        self.reads + self.writes
    }
}

struct Fixture {
    app: App,
    calls: Arc<Calls>,
}

/// The core over `inner` (the memory store unless given), with counters.
fn fixture(inner: Option<(Arc<dyn Store>, Units)>) -> Fixture {
    let (inner, units) = match inner {
        Some((store, units)) => (store, Some(units)),
        None => (Arc::new(MemoryStore::in_memory()) as Arc<dyn Store>, None),
    };
    let store = Arc::new(Hooked::new(inner, FailNext::default()));
    let engine = Arc::new(CountingTranslator::default());
    let push = Arc::new(RecordingPush::default());
    let app = App::new(store.clone(), engine.clone(), push.clone());
    let calls = Arc::new(Calls {
        store,
        engine,
        push,
        units,
        seen: Mutex::new((0, 0, 0.0, 0.0)),
    });
    Fixture { app, calls }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

struct Measured {
    members: usize,
    langs: usize,
    plain: Cost,
    with_id: Cost,
    connect: Cost,
    disconnect: Cost,
}

async fn measure(f: Fixture, members: usize, langs: usize) -> Measured {
    let id = |i: usize| ConnectionId::new(format!("m{i}"));
    // Everyone but the last joins; the last one's `$connect` is measured.
    for i in 0..members - 1 {
        let params = ConnectParams {
            room: Some("bench".into()),
            lang: Some(LANGS[i % langs].into()),
            name: Some(format!("member-{i}")),
            ..ConnectParams::default()
        };
        f.app
            .connect(id(i), params, now_ms())
            .await
            .expect("connect");
    }
    f.calls.take();
    let last = members - 1;
    let t = Instant::now();
    f.app
        .connect(
            id(last),
            ConnectParams {
                room: Some("bench".into()),
                lang: Some(LANGS[last % langs].into()),
                name: Some(format!("member-{last}")),
                ..ConnectParams::default()
            },
            now_ms(),
        )
        .await
        .expect("connect");
    let connect = Cost::from(f.calls.take(), 1, t.elapsed());

    for n in 0..WARM_UP {
        let frame = json!({"action": "translate", "text": format!("warm up {n}")});
        f.app.message(&id(last), &frame.to_string()).await;
    }
    f.calls.take();

    let sender = id(0);
    let run = |with_id: bool| {
        let app = f.app.clone();
        let sender = sender.clone();
        async move {
            let mut times = Vec::with_capacity(MESSAGES);
            for n in 0..MESSAGES {
                let frame = if with_id {
                    json!({"action": "translate", "text": format!("hello number {n}"),
                           "clientMsgId": format!("c-{n}")})
                } else {
                    json!({"action": "translate", "text": format!("hello number {n}")})
                };
                let body = frame.to_string();
                let t = Instant::now();
                app.message(&sender, &body).await;
                times.push(t.elapsed());
            }
            // The median: the machine is shared, and a slow outlier says
            // more about it than about the core.
            times.sort();
            times[times.len() / 2]
        }
    };
    // `Cost::from` divides the time by its count: the median is per call.
    let time = run(false).await;
    let plain = Cost::from(f.calls.take(), MESSAGES, time * MESSAGES as u32);
    let time = run(true).await;
    let with_id = Cost::from(f.calls.take(), MESSAGES, time * MESSAGES as u32);

    let t = Instant::now();
    f.app.disconnect(&id(last)).await;
    let disconnect = Cost::from(f.calls.take(), 1, t.elapsed());
    Measured {
        members,
        langs,
        plain,
        with_id,
        connect,
        disconnect,
    }
}

fn num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}")
    }
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut results = Vec::new();
    for &members in &SIZES {
        for &langs in &LANG_COUNTS {
            results.push(measure(fixture(None), members, langs).await);
        }
    }

    let mut per_msg = Table::new(
        "Cost per `translate` (per message, averaged over 45)",
        &[
            "members",
            "languages",
            "engine calls",
            "target: distinct targets",
            "naive engine calls",
            "store ops",
            "of which member queries",
            "store ops with clientMsgId",
            "naive store ops",
            "posts",
            "core time",
            "engine target",
            "store target",
        ],
    );
    for m in &results {
        let distinct = m.langs.min(m.members);
        // Members other than the sender whose language is not English.
        let naive_engine = (1..m.members).filter(|i| i % m.langs != 0).count();
        let targets = distinct - 1;
        // Store ops apart from the member query must not grow with the room.
        let base = results
            .iter()
            .find(|r| r.langs == m.langs && r.members == SIZES[0])
            .map(|r| {
                (
                    r.plain.store_ops() - r.plain.member_queries,
                    r.with_id.store_ops() - r.with_id.member_queries,
                )
            });
        let store_ok = base.is_some_and(|(plain, with_id)| {
            (m.plain.store_ops() - m.plain.member_queries - plain).abs() < 1e-9
                && (m.with_id.store_ops() - m.with_id.member_queries - with_id).abs() < 1e-9
                && m.plain.member_queries <= 1.0
        });
        per_msg.row(vec![
            m.members.to_string(),
            if distinct < m.langs {
                format!("{distinct} (of {} asked)", m.langs)
            } else {
                distinct.to_string()
            },
            num(m.plain.engine),
            targets.to_string(),
            naive_engine.to_string(),
            format!(
                "{} ({} read{} + {} write{})",
                num(m.plain.store_ops()),
                num(m.plain.reads),
                if m.plain.reads == 1.0 { "" } else { "s" },
                num(m.plain.writes),
                if m.plain.writes == 1.0 { "" } else { "s" },
            ),
            num(m.plain.member_queries),
            num(m.with_id.store_ops()),
            // Sender lookup, member query, one stored copy per recipient.
            (2 + m.members).to_string(),
            num(m.plain.posts),
            us(m.plain.time),
            verdict((m.plain.engine - targets as f64).abs() < 1e-9),
            verdict(store_ok),
        ]);
    }
    per_msg.note(
        "Counted by wrappers around the real adapters: honyaku's memory store, the pseudo engine \
         (deterministic, no I/O) and a push that only counts; `App::message` called directly. \
         The sender writes English; members take en, ja, es, fr, de, ko, zh, pt, it, ru in turn, \
         so a room of 2 holds at most 2 languages. Targets: engine calls = distinct target \
         languages other than the source; store operations constant in the room size apart from \
         the one member query. Naive: one engine call per recipient not reading the source \
         language, and a sender lookup, the member query and one stored copy per recipient. \
         Core time: median wall time of one `translate` through the core with these in-memory \
         adapters (no network, no sockets).",
    );
    if let Some(m) = results.last() {
        let names: Vec<String> = m
            .with_id
            .by_name
            .iter()
            .map(|(k, v)| format!("{k} × {}", num(*v)))
            .collect();
        per_msg.note(format!(
            "Calls per `translate` with a clientMsgId, {} members in {} languages: {}.",
            m.members,
            m.langs.min(m.members),
            names.join(", ")
        ));
    }

    let mut membership = Table::new(
        "Cost per `$connect` and `$disconnect` (one member joining or leaving)",
        &[
            "members after join",
            "$connect store ops",
            "$connect member queries",
            "$connect posts",
            "$connect core time",
            "$disconnect store ops",
            "$disconnect posts",
        ],
    );
    for m in results.iter().filter(|m| m.langs == LANG_COUNTS[1]) {
        membership.row(vec![
            m.members.to_string(),
            num(m.connect.store_ops()),
            num(m.connect.member_queries),
            num(m.connect.posts),
            us(m.connect.time),
            num(m.disconnect.store_ops()),
            num(m.disconnect.posts),
        ]);
    }
    membership.note(
        "Presence goes to every other member, so filling a room of N costs N(N−1)/2 posts in all.",
    );

    let raw: Vec<serde_json::Value> = results
        .iter()
        .map(|m| {
            json!({
                "members": m.members,
                "languages": m.langs.min(m.members),
                "translate": m.plain.by_name,
                "translate_with_client_msg_id": m.with_id.by_name,
                "connect": m.connect.by_name,
                "disconnect": m.disconnect.by_name,
            })
        })
        .collect();
    let tables: Vec<Table> = [per_msg, membership]
        .into_iter()
        .chain(dynamodb::table().await)
        .collect();
    common::report("cost", &tables, json!(raw));
}

/// Without the DynamoDB store there is no DynamoDB table.
#[cfg(not(feature = "aws"))]
mod dynamodb {
    pub async fn table() -> Option<super::Table> {
        None
    }
}

/// The same `translate`s on the DynamoDB store, on DynamoDB Local.
#[cfg(feature = "aws")]
#[path = "cost/dynamodb.rs"]
mod dynamodb;
