//! Fan-out throughput and latency, and memory per idle connection.
//!
//! `cargo bench --bench fanout`
//!
//! Real WebSocket clients (tokio-tungstenite, in this process) in rooms
//! with mixed languages talk to a server in a process of its own: the real
//! `honyaku serve` binary (memory store and redb store, pseudo engine), and
//! in the same run a bare broadcast server built into this bench (the same
//! WebSocket library; no store, no translation, no events — a message is
//! copied to every socket of its room), the ceiling on this machine.
//!
//! Each scenario runs, per server: connect every client; wait for the
//! presence traffic to settle; read both processes' resident memory; then
//! - **fixed rate** (open loop): the senders send at a fixed rate; the
//!   latency columns of this phase are what the targets compare;
//! - **saturation** (closed loop): each sender sends its next message as
//!   soon as its own copy comes back, so the server is kept busy without
//!   unbounded queues; the delivered frames/s of this phase are what the
//!   throughput target compares.
//!
//! Latency is send→receive: every message carries its send time (µs since
//! the start of this process) in its text, `#B{phase}:{sender}:{seq}:{µs}#`,
//! which the pseudo engine keeps after its `[xx] ` prefix.
//!
//! Knobs (environment): `BENCH_REPEAT` (rounds, default 1; medians are
//! reported), `BENCH_PHASE_SECS` (default 5), `BENCH_IDLE_CONNS`
//! (default 10000), `BENCH_ONLY` (a substring of the scenario names),
//! `BENCH_SKIP` (scenarios whose name holds it are left out),
//! `BENCH_SERVERS` (a substring of the server names), `BENCH_RATE`
//! (messages a second per sender at the fixed rate), `BENCH_HONYAKU_BIN`
//! (another build of `honyaku` to measure), `BENCH_BARE_NODELAY=1` (the
//! bare server sets TCP_NODELAY), `BENCH_SERVER_LOG=FILE` with
//! `RUST_LOG_SERVER=LEVEL` (keep the server's log).

//!
//! - `bare.rs`: the bare broadcast server; `server.rs`: starting either.
//! - `client.rs`: the clients; `run.rs`: one scenario against one server.
//! - `report.rs`: runs merged into medians; `tables.rs`: the tables and
//!   the targets; `targets.rs`: the targets table.

mod bare;
mod client;
#[path = "../common/mod.rs"]
mod common;
mod report;
mod run;
mod server;
mod tables;
mod targets;

use std::sync::OnceLock;
use std::time::Duration;

use run::{RunResult, Scenario, run};
use server::ServerKind;

/// The languages of a room, assigned in turn to its members.
const LANGS: [&str; 5] = ["en", "ja", "es", "fr", "de"];
/// Phases: 0 is connecting/settling (no measured traffic).
const FIXED: usize = 1;
const SATURATE: usize = 2;
const PHASES: usize = 3;
/// Handshakes in flight at once, across rooms; within a room clients
/// connect one after another. (Concurrent `$connect`s to one room made
/// honyaku delete the rows of members whose own `$connect` was still
/// running; fixed since, see BENCHMARKS.md. The bench keeps the order so
/// that runs stay comparable.)
const CONNECT_CONCURRENCY: usize = 64;
/// What the bench's own clients read with in the idle scenario (the
/// library's default is 128 KiB, eagerly allocated and zeroed).
const IDLE_CLIENT_READ_BUFFER: usize = 4 * 1024;
/// The read buffer of the 5,000 clients of the largest room, so that
/// they fit this machine without 640 MB of zeroed buffers.
const LARGE_ROOM_CLIENT_READ_BUFFER: usize = 16 * 1024;

/// Microseconds since this process started; the clock of every timestamp.
fn now_us() -> u64 {
    static EPOCH: OnceLock<std::time::Instant> = OnceLock::new();
    EPOCH
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_micros() as u64
}

/// A scenario's fixed rate per sender, or `BENCH_RATE` (messages a
/// second per sender) for profiling at another offered load.
fn fixed_rate(scenario: f64) -> f64 {
    std::env::var("BENCH_RATE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|r| *r > 0.0)
        .unwrap_or(scenario)
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    now_us();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--bare-server") {
        let read_buf = args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(128 * 1024);
        bare::serve(
            read_buf,
            args.iter().any(|a| a == "--nodelay"),
            args.iter().any(|a| a == "--gather"),
        );
        return;
    }
    let fd_limit = common::raise_fd_limit();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(bench(fd_limit));
}

/// The scenarios, in the order they run (the idle one first, so that its
/// client-side memory is measured in a fresh process). The fixed rates
/// are offered loads the bare server keeps up with (the v3 targets'
/// phase): 1 room × 1,000 at 300 msg/s, 50 rooms × 20 at 3,000 msg/s.
fn scenarios(idle_conns: usize) -> Vec<Scenario> {
    let bare = ServerKind::Bare {
        read_buf: 128 * 1024,
        gather: false,
    };
    let gathered = ServerKind::Bare {
        read_buf: 128 * 1024,
        gather: true,
    };
    let bare_small = ServerKind::Bare {
        read_buf: 4 * 1024,
        gather: false,
    };
    let memory = ServerKind::Honyaku { store: "memory" };
    let redb = ServerKind::Honyaku { store: "redb" };
    let one_room = |name, members, rate, client_read_buf| Scenario {
        name,
        rooms: 1,
        members,
        active_rooms: 1,
        senders_per_room: 10,
        rate,
        saturate: true,
        memory: false,
        durable: false,
        client_read_buf,
        servers: vec![bare, gathered, memory, redb],
    };
    vec![
        Scenario {
            name: "10,000 idle connections",
            rooms: idle_conns / 20,
            members: 20,
            active_rooms: 50.min(idle_conns / 20),
            senders_per_room: 1,
            rate: 2.0,
            saturate: false,
            memory: true,
            durable: false,
            client_read_buf: Some(IDLE_CLIENT_READ_BUFFER),
            servers: vec![bare, bare_small, memory, redb],
        },
        // 10 senders × 30 msg/s: 300 msg/s, 300,000 frames/s.
        one_room(tables::TARGET_ROOM, 1000, 30.0, None),
        // 10 senders × 0.5 msg/s to 5,000 readers: 25,000 frames/s at the
        // fixed rate.
        one_room(
            "1 room × 5,000 members",
            5000,
            0.5,
            Some(LARGE_ROOM_CLIENT_READ_BUFFER),
        ),
        // 2 senders per room × 30 msg/s: 3,000 msg/s, 60,000 frames/s.
        Scenario {
            name: tables::SMALL_ROOMS,
            rooms: 50,
            members: 20,
            active_rooms: 50,
            senders_per_room: 2,
            rate: 30.0,
            saturate: true,
            memory: false,
            durable: false,
            client_read_buf: None,
            servers: vec![bare, gathered, memory, redb],
        },
        // Every room's one sender saturating: 200 messages in flight, each
        // to be stored durably (redb) before it goes out.
        Scenario {
            name: tables::MANY_ROOMS,
            rooms: 200,
            members: 5,
            active_rooms: 200,
            senders_per_room: 1,
            rate: 1.0,
            saturate: true,
            memory: false,
            durable: true,
            client_read_buf: None,
            servers: vec![gathered, memory, redb],
        },
    ]
}

async fn bench(fd_limit: u64) {
    let setup = tables::Setup {
        phase_secs: env_num("BENCH_PHASE_SECS", 5).max(1),
        repeat: env_num("BENCH_REPEAT", 1).clamp(1, 9) as usize,
        fd_limit,
    };
    let idle_conns = env_num("BENCH_IDLE_CONNS", 10_000).max(20) as usize;
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let servers = std::env::var("BENCH_SERVERS").unwrap_or_default();
    let skip = std::env::var("BENCH_SKIP").ok().filter(|s| !s.is_empty());
    let scenarios = scenarios(idle_conns);
    let repeat = setup.repeat;

    let mut runs: Vec<RunResult> = Vec::new();
    let wanted = |s: &&Scenario| {
        s.name.contains(&only) && !skip.as_deref().is_some_and(|k| s.name.contains(k))
    };
    for scn in scenarios.iter().filter(wanted) {
        // Servers take turns, so a burst of noise from other processes
        // does not land on one server only.
        for round in 1..=repeat {
            for &kind in scn.servers.iter().filter(|k| k.label().contains(&servers)) {
                eprintln!(
                    "fanout: {} — {} (run {round}/{repeat}) …",
                    scn.name,
                    kind.label()
                );
                let r = run(scn, kind, setup.phase_secs).await;
                eprintln!(
                    "  {} connected ({} failed) in {:.1} s; {} sockets ended early; \
                     error frames: {:?}",
                    r.connections, r.failed, r.connect_secs, r.dropped, r.errors
                );
                if let Some(f) = r.fsyncs_per_sec {
                    eprintln!("  disk: {f:.0} fsyncs/s of 4 KiB");
                }
                runs.push(r);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    let raw = report::raw_json(&runs);
    let results = report::merge(runs);
    let memory_scenarios: Vec<&str> = scenarios
        .iter()
        .filter(|s| s.memory)
        .map(|s| s.name)
        .collect();
    common::report(
        "fanout",
        &[
            tables::fanout(&results, &setup),
            tables::durable(&results),
            tables::memory(&results, &memory_scenarios),
            targets::targets(&results, &memory_scenarios),
        ],
        raw,
    );
}
