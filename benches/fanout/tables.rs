//! The tables this bench prints: fan-out throughput and latency, memory
//! per idle connection, and the targets, each against the bare server of
//! the same run.

use crate::common::{Table, thousands, verdict};
use crate::run::{PhaseResult, RunResult};
use crate::server::ServerKind;
use crate::{FIXED, IDLE_CLIENT_READ_BUFFER, LANGS, SATURATE};

/// The scenario the throughput and latency targets are about.
pub const TARGET_ROOM: &str = "1 room × 1,000 members";
/// Memory per idle connection, server side.
const MEMORY_TARGET_KIB: f64 = 8.0;
/// Delivered frames/s at saturation, as a share of the bare server's.
const THROUGHPUT_TARGETS: [(&str, f64); 2] = [("memory", 0.95), ("redb", 0.80)];
/// p99 send→receive, as a multiple of the bare server's, per phase.
const P99_TARGETS: [(usize, f64); 2] = [(FIXED, 1.5), (SATURATE, 2.0)];

/// How the run was made, for the notes.
pub struct Setup {
    pub phase_secs: u64,
    pub repeat: usize,
    pub fd_limit: u64,
}

fn lat_ms(us: Option<u32>) -> String {
    us.map_or("—".into(), |u| format!("{:.2} ms", f64::from(u) / 1e3))
}

fn per_conn_kib(r: &RunResult, rss: (u64, u64)) -> f64 {
    rss.1.saturating_sub(rss.0) as f64 / r.connections.max(1) as f64
}

fn phase_name(phase: usize) -> &'static str {
    if phase == FIXED {
        "fixed rate"
    } else {
        "saturation"
    }
}

/// One phase of one scenario on one server.
fn find<'a>(
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

fn bare_label() -> String {
    ServerKind::Bare {
        read_buf: 128 * 1024,
    }
    .label()
}

fn honyaku_label(store: &'static str) -> String {
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
    let bare = bare_label();
    for r in results {
        for p in &r.phases {
            let b =
                find(results, r.scenario, &bare, p.phase).filter(|_| !r.server.is_bare_default());
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
         server). Rooms have members in {} languages in turn ({}). Fixed rate: each sender sends \
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

pub fn targets(results: &[RunResult], memory_scenarios: &[&str]) -> Table {
    let mut t = Table::new("Targets", &["target", "measured", "goal", "verdict"]);
    let bare = bare_label();
    let room = TARGET_ROOM;
    for (store, share) in THROUGHPUT_TARGETS {
        let what = format!("{room}, {store} store: delivered frames/s vs bare (saturation)");
        let goal = format!("≥ {:.0}%", share * 100.0);
        match (
            find(results, room, &honyaku_label(store), SATURATE),
            find(results, room, &bare, SATURATE),
        ) {
            (Some(h), Some(b)) => {
                let ratio = h.frames_per_sec / b.frames_per_sec;
                t.row(vec![
                    what,
                    format!(
                        "{:.0}% ({} vs {})",
                        ratio * 100.0,
                        thousands(h.frames_per_sec.round() as u64),
                        thousands(b.frames_per_sec.round() as u64)
                    ),
                    goal,
                    verdict(ratio >= share),
                ]);
            }
            _ => t.row(vec![what, "not measured".into(), goal, "—".into()]),
        }
    }
    for (phase, times) in P99_TARGETS {
        for (store, _) in THROUGHPUT_TARGETS {
            let what = format!("{room}, {store} store: p99 vs bare ({})", phase_name(phase));
            let goal = format!("≤ {times}×");
            let h = find(results, room, &honyaku_label(store), phase).and_then(|p| p.p99);
            let b = find(results, room, &bare, phase).and_then(|p| p.p99);
            match (h, b) {
                (Some(h), Some(b)) => {
                    let ratio = f64::from(h) / f64::from(b.max(1));
                    t.row(vec![
                        what,
                        format!("{ratio:.2}× ({} vs {})", lat_ms(Some(h)), lat_ms(Some(b))),
                        goal,
                        verdict(ratio <= times),
                    ]);
                }
                _ => t.row(vec![what, "not measured".into(), goal, "—".into()]),
            }
        }
    }
    for r in
        idle(results, memory_scenarios).filter(|r| matches!(r.server, ServerKind::Honyaku { .. }))
    {
        let kib = per_conn_kib(r, r.server_rss);
        t.row(vec![
            format!(
                "memory per idle connection at {} connections, server ({})",
                thousands(r.connections as u64),
                r.server.label()
            ),
            format!("{kib:.1} KiB"),
            format!("≤ {MEMORY_TARGET_KIB:.0} KiB"),
            verdict(kib <= MEMORY_TARGET_KIB),
        ]);
    }
    let lost: u64 = results
        .iter()
        .flat_map(|r| &r.phases)
        .map(|p| p.expected.saturating_sub(p.received))
        .sum();
    let ended: usize = results.iter().map(|r| r.dropped + r.failed).sum();
    let errors: u64 = results.iter().flat_map(|r| r.errors.values()).sum();
    t.row(vec![
        "no frame lost, in any scenario and server".into(),
        format!("{lost} frames lost; {ended} sockets failed or ended early; {errors} error frames"),
        "0".into(),
        verdict(lost == 0 && ended == 0 && errors == 0),
    ]);
    t
}
