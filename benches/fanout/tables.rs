//! The tables this bench prints: fan-out throughput and latency, durable
//! messages/s in many small rooms, memory per idle connection, each
//! against the baselines of the same run (the targets: `targets.rs`).

use crate::common::{Table, thousands, verdict};
use crate::run::{PhaseResult, RunResult};
use crate::server::ServerKind;
use crate::{FIXED, IDLE_CLIENT_READ_BUFFER, LANGS, SATURATE};

/// Memory per idle connection, server side.
pub const MEMORY_TARGET_KIB: f64 = 8.0;

/// The scenario the throughput and latency targets are about.
pub const TARGET_ROOM: &str = "1 room × 1,000 members";
/// Many small rooms at a fixed offered load (a p99 target).
pub const SMALL_ROOMS: &str = "50 rooms × 20 members";
/// Many tiny rooms, saturated: server-wide durable messages/s.
pub const MANY_ROOMS: &str = "200 rooms × 5 members";

/// How the run was made, for the notes.
pub struct Setup {
    pub phase_secs: u64,
    pub repeat: usize,
    pub fd_limit: u64,
}

pub fn lat_ms(us: Option<u32>) -> String {
    us.map_or("—".into(), |u| format!("{:.2} ms", f64::from(u) / 1e3))
}

pub fn per_conn_kib(r: &RunResult, rss: (u64, u64)) -> f64 {
    rss.1.saturating_sub(rss.0) as f64 / r.connections.max(1) as f64
}

pub fn phase_name(phase: usize) -> &'static str {
    if phase == FIXED {
        "fixed rate"
    } else {
        "saturation"
    }
}

/// One phase of one scenario on one server.
pub fn find<'a>(
    results: &'a [RunResult],
    scenario: &str,
    server: &str,
    phase: usize,
) -> Option<&'a PhaseResult> {
    results
        .iter()
        .find(|r| r.scenario == scenario && r.server.label() == server)
        .and_then(|r| r.phases.iter().find(|p| p.phase == phase))
}

/// The baseline of a scenario: the bare server that gathers queued frames
/// into one write, as honyaku does (like with like), or else the plain one.
pub fn baseline(results: &[RunResult], scenario: &str) -> Option<String> {
    let gathered = ServerKind::Bare {
        read_buf: 128 * 1024,
        gather: true,
    }
    .label();
    let plain = ServerKind::Bare {
        read_buf: 128 * 1024,
        gather: false,
    }
    .label();
    [gathered, plain].into_iter().find(|label| {
        results
            .iter()
            .any(|r| r.scenario == scenario && r.server.label() == *label)
    })
}

pub fn honyaku_label(store: &'static str) -> String {
    ServerKind::Honyaku { store }.label()
}

pub fn fanout(results: &[RunResult], setup: &Setup) -> Table {
    let mut t = Table::new(
        "Fan-out: delivered frames/s and send→receive latency",
        &[
            "scenario",
            "server",
            "phase",
            "sent msg/s",
            "delivered frames/s",
            "vs bare",
            "p50",
            "p99",
            "p99 vs bare",
            "max",
            "lost",
            "bytes/frame",
            "server CPU/frame",
            "client CPU/frame",
        ],
    );
    for r in results {
        let base = baseline(results, r.scenario).filter(|b| *b != r.server.label());
        for p in &r.phases {
            let b = base
                .as_deref()
                .and_then(|bare| find(results, r.scenario, bare, p.phase));
            let vs = b.map_or("—".into(), |b| {
                format!("{:.0}%", 100.0 * p.frames_per_sec / b.frames_per_sec)
            });
            let p99_vs = match (b.and_then(|b| b.p99), p.p99) {
                (Some(b), Some(h)) => format!("{:.2}×", f64::from(h) / f64::from(b.max(1))),
                _ => "—".into(),
            };
            t.row(vec![
                r.scenario.into(),
                r.server.label(),
                phase_name(p.phase).into(),
                format!("{:.0}", p.offered_msgs),
                thousands(p.frames_per_sec.round() as u64),
                vs,
                lat_ms(p.p50),
                lat_ms(p.p99),
                p99_vs,
                lat_ms(p.max),
                format!("{}", p.expected.saturating_sub(p.received)),
                format!("{:.0}", p.bytes_per_frame),
                format!("{:.1} µs", p.server_cpu_us_per_frame),
                format!("{:.1} µs", p.client_cpu_us_per_frame),
            ]);
        }
    }
    t.note(format!(
        "Clients and server share this machine's {} CPUs; the server runs in a process of its own \
         (`honyaku serve --translator pseudo`, RUST_LOG=warn; or this bench's bare broadcast \
         server, which writes each frame on its own or, \"gathered writes\", every frame queued \
         meanwhile in one write as honyaku does). \"vs bare\" compares with the gathered bare \
         server where the scenario has it. Rooms have members in {} languages in turn ({}). Fixed rate: each sender sends \
         on a fixed schedule for {} s. Saturation: each sender sends again as soon as \
         its own copy arrives. Delivered frames/s counts message frames received by all clients, \
         from the start of the phase to the last one received. Server CPU/frame is the server \
         process's user+system time over the phase (and its drain) divided by frames delivered. \
         Each figure is the median of {} run(s) per server, the servers taking turns \
         (`lost` and errors are summed). Open-file limit of the bench process: {}.",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        LANGS.len(),
        LANGS.join(", "),
        setup.phase_secs,
        setup.repeat,
        setup.fd_limit,
    ));
    t
}

/// Results of the scenarios that measure memory.
fn idle<'a>(
    results: &'a [RunResult],
    memory_scenarios: &'a [&str],
) -> impl Iterator<Item = &'a RunResult> {
    results
        .iter()
        .filter(|r| memory_scenarios.contains(&r.scenario))
}

pub fn memory(results: &[RunResult], memory_scenarios: &[&str]) -> Table {
    let mut t = Table::new(
        "Memory per idle connection (resident set, VmRSS delta / connections)",
        &[
            "process",
            "connections",
            "connect time",
            "RSS before",
            "RSS with connections",
            "per connection",
            "target ≤ 8 KiB",
        ],
    );
    for r in idle(results, memory_scenarios) {
        let kib = per_conn_kib(r, r.server_rss);
        t.row(vec![
            format!("server: {}", r.server.label()),
            thousands(r.connections as u64),
            format!(
                "{:.1} s ({:.0}/s)",
                r.connect_secs,
                r.connections as f64 / r.connect_secs
            ),
            format!("{:.1} MiB", r.server_rss.0 as f64 / 1024.0),
            format!("{:.1} MiB", r.server_rss.1 as f64 / 1024.0),
            format!("{kib:.1} KiB"),
            if matches!(r.server, ServerKind::Honyaku { .. }) {
                verdict(kib <= MEMORY_TARGET_KIB)
            } else {
                "(baseline)".into()
            },
        ]);
    }
    if let Some(r) = idle(results, memory_scenarios).next() {
        t.row(vec![
            format!(
                "client: this bench (tokio-tungstenite, {} KiB read buffer)",
                IDLE_CLIENT_READ_BUFFER / 1024
            ),
            thousands(r.connections as u64),
            "—".into(),
            format!("{:.1} MiB", r.client_rss.0 as f64 / 1024.0),
            format!("{:.1} MiB", r.client_rss.1 as f64 / 1024.0),
            format!("{:.1} KiB", per_conn_kib(r, r.client_rss)),
            "—".into(),
        ]);
    }
    t.note(
        "Server side: the server process's VmRSS (from /proc/PID/status) with no connections and \
         with every connection open and idle (presence traffic settled), divided by the \
         connections. Client side: the same for this bench process, around its own clients \
         (the idle scenario runs first, so its first run starts from a fresh process; the \
         largest growth of its runs is shown, as later runs reuse memory freed by earlier ones). \
         The two sides are separate processes and counted separately.",
    );
    t
}

/// Server-wide messages/s in many tiny rooms, saturated: every message
/// stored (durably with redb) before it goes out, beside the disk's
/// fsyncs/s measured in the same run.
pub fn durable(results: &[RunResult]) -> Table {
    let mut t = Table::new(
        "Durable messages/s, many small rooms, saturated",
        &[
            "scenario",
            "server",
            "messages/s",
            "vs memory store",
            "p50",
            "p99",
            "disk: 4 KiB fsyncs/s (same run)",
        ],
    );
    let memory = find(results, MANY_ROOMS, &honyaku_label("memory"), SATURATE);
    for r in results.iter().filter(|r| r.scenario == MANY_ROOMS) {
        let Some(p) = r.phases.iter().find(|p| p.phase == SATURATE) else {
            continue;
        };
        let vs = match memory {
            Some(m) if !r.server.is_bare() => {
                format!("{:.0}%", 100.0 * p.frames_per_sec / m.frames_per_sec)
            }
            _ => "—".into(),
        };
        t.row(vec![
            r.scenario.into(),
            r.server.label(),
            thousands(messages_per_sec(p).round() as u64),
            vs,
            lat_ms(p.p50),
            lat_ms(p.p99),
            r.fsyncs_per_sec
                .map_or("—".into(), |f| thousands(f.round() as u64)),
        ]);
    }
    t.note(
        "Each of the 200 rooms has one sender that sends again as soon as its own copy arrives \
         (200 messages in flight, server-wide); messages/s is delivered frames/s over the room \
         size. The disk's ceiling: 4 KiB overwrites of one file, each followed by fdatasync, for \
         1 s in a temporary directory (where the server keeps its data) before each server \
         starts; median over the rounds. A store that commits each message with its own fsync \
         can not go past that figure; group commit shares one among many messages.",
    );
    t
}

/// A phase's messages/s: delivered frames/s over the room size.
pub fn messages_per_sec(p: &PhaseResult) -> f64 {
    let members = p.expected as f64 / p.sent.max(1) as f64;
    p.frames_per_sec / members.max(1.0)
}
