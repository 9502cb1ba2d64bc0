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
//! `BENCH_SERVERS` (a substring of the server names), `BENCH_HONYAKU_BIN`
//! (another build of `honyaku` to measure), `BENCH_BARE_NODELAY=1` (the
//! bare server sets TCP_NODELAY), `BENCH_SERVER_LOG=FILE` with
//! `RUST_LOG_SERVER=LEVEL` (keep the server's log).

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use common::{Table, cpu_time, percentile, rss_kib, thousands, verdict};

/// The languages of a room, assigned in turn to its members.
const LANGS: [&str; 5] = ["en", "ja", "es", "fr", "de"];
/// Phases: 0 is connecting/settling (no measured traffic).
const FIXED: usize = 1;
const SATURATE: usize = 2;
const PHASES: usize = 3;
/// Handshakes in flight at once, across rooms; within a room clients
/// connect one after another. (Concurrent `$connect`s to one room make
/// honyaku delete the rows of members whose own `$connect` is still
/// running: their presence post finds no live socket yet, answers Gone,
/// and Gone removes the rows. Those clients then stay connected but are in
/// no room; see BENCHMARKS.md.)
const CONNECT_CONCURRENCY: usize = 64;
/// What the bench's own clients read with in the idle scenario (the
/// library's default is 128 KiB, eagerly allocated and zeroed).
const IDLE_CLIENT_READ_BUFFER: usize = 4 * 1024;
/// Frames queued per socket in the bare server, as honyaku's
/// `LOCAL_SEND_QUEUE`.
const BARE_QUEUE: usize = 1024;
/// The target for memory per idle connection, server side.
const MEMORY_TARGET_KIB: f64 = 16.0;

/// Microseconds since this process started; the clock of every timestamp.
fn now_us() -> u64 {
    static EPOCH: OnceLock<std::time::Instant> = OnceLock::new();
    EPOCH
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_micros() as u64
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
        bare::serve(read_buf, args.iter().any(|a| a == "--nodelay"));
        return;
    }
    let fd_limit = common::raise_fd_limit();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(bench(fd_limit));
}

// ---------------------------------------------------------------------------
// The bare broadcast server, run as `fanout --bare-server READ_BUFFER`.

mod bare {
    use super::*;

    /// Sockets by room: (id, queue).
    type Members = HashMap<String, Vec<(u64, mpsc::Sender<Message>)>>;
    type Rooms = Mutex<Members>;

    /// Serves until killed; prints `listening on http://ADDR` first.
    pub fn serve(read_buf: usize, nodelay: bool) {
        common::raise_fd_limit();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            println!(
                "listening on http://{}",
                listener.local_addr().expect("addr")
            );
            let rooms: Arc<Rooms> = Arc::default();
            let ids = Arc::new(AtomicU64::new(0));
            loop {
                if let Ok((stream, _)) = listener.accept().await {
                    if nodelay {
                        let _ = stream.set_nodelay(true);
                    }
                    let id = ids.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(conn(stream, rooms.clone(), id, read_buf));
                }
            }
        });
    }

    // The handshake callback's error type is tungstenite's.
    #[allow(clippy::result_large_err)]
    async fn conn(stream: TcpStream, rooms: Arc<Rooms>, id: u64, read_buf: usize) {
        let mut room = String::from("lobby");
        let callback = |req: &Request, resp: Response| {
            if let Some(r) = req
                .uri()
                .query()
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("room=")))
            {
                room = r.to_owned();
            }
            Ok(resp)
        };
        let config = WebSocketConfig::default().read_buffer_size(read_buf);
        let Ok(ws) =
            tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config)).await
        else {
            return;
        };
        let (tx, mut rx) = mpsc::channel::<Message>(BARE_QUEUE);
        lock(&rooms).entry(room.clone()).or_default().push((id, tx));
        let (mut sink, mut frames) = ws.split();
        let writer = tokio::spawn(async move {
            while let Some(msg) = rx.recv().await {
                if sink.send(msg).await.is_err() {
                    break;
                }
            }
        });
        while let Some(Ok(msg)) = frames.next().await {
            match msg {
                Message::Text(text) => {
                    let rooms = lock(&rooms);
                    for (_, tx) in rooms.get(&room).into_iter().flatten() {
                        // A full queue loses the frame, as in honyaku.
                        let _ = tx.try_send(Message::Text(text.clone()));
                    }
                }
                Message::Close(_) => break,
                _ => {}
            }
        }
        if let Some(members) = lock(&rooms).get_mut(&room) {
            members.retain(|(m, _)| *m != id);
        }
        writer.abort();
    }

    fn lock(rooms: &Rooms) -> std::sync::MutexGuard<'_, Members> {
        rooms.lock().unwrap_or_else(|p| p.into_inner())
    }
}

// ---------------------------------------------------------------------------
// Servers under test, each in a process of its own.

#[derive(Clone, Copy, Debug)]
enum ServerKind {
    /// The bare broadcast server with this WebSocket read buffer.
    Bare { read_buf: usize },
    /// `honyaku serve --store STORE --translator pseudo`.
    Honyaku { store: &'static str },
}

impl ServerKind {
    fn label(self) -> String {
        match self {
            Self::Bare { read_buf } if read_buf == 128 * 1024 => "bare broadcast".into(),
            Self::Bare { read_buf } => {
                format!("bare broadcast, {} KiB read buffer", read_buf / 1024)
            }
            Self::Honyaku { store } => format!("honyaku, {store} store"),
        }
    }

    fn is_bare_default(self) -> bool {
        matches!(self, Self::Bare { read_buf } if read_buf == 128 * 1024)
    }
}

/// `honyaku serve` flags that would otherwise limit the bench's senders
/// (passed only when the binary has them).
const UNLIMITED: [(&str, &str); 4] = [
    ("--rate-limit", "1000000"),
    ("--chars-per-hour", "4000000000"),
    ("--max-connections", "100000"),
    ("--max-room-members", "100000"),
];

/// The honyaku binary: cargo's build of it, or `BENCH_HONYAKU_BIN` (to
/// measure a changed build against this one).
fn honyaku_bin() -> std::path::PathBuf {
    std::env::var_os("BENCH_HONYAKU_BIN")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_honyaku").into())
}

struct Server {
    child: Child,
    addr: SocketAddr,
    _data: Option<tempfile::TempDir>,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    fn start(kind: ServerKind) -> Server {
        let (mut cmd, data) = match kind {
            ServerKind::Bare { read_buf } => {
                let mut cmd = Command::new(std::env::current_exe().expect("own path"));
                cmd.args(["--bare-server", &read_buf.to_string()]);
                if std::env::var_os("BENCH_BARE_NODELAY").is_some() {
                    cmd.arg("--nodelay");
                }
                (cmd, None)
            }
            ServerKind::Honyaku { store } => {
                let data = tempfile::tempdir().expect("temp dir");
                let bin = honyaku_bin();
                let mut cmd = Command::new(&bin);
                cmd.args(["serve", "--addr", "127.0.0.1:0", "--translator", "pseudo"])
                    .args(["--store", store])
                    .arg("--data")
                    .arg(data.path());
                // Abuse limits off: this measures fan-out, not the limiter.
                let help = Command::new(&bin)
                    .args(["serve", "--help"])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                    .unwrap_or_default();
                for (flag, value) in UNLIMITED {
                    if help.contains(flag) {
                        cmd.args([flag, value]);
                    }
                }
                (cmd, Some(data))
            }
        };
        // Warnings only: a log line per connection and per message is an
        // operator's choice, not part of the fan-out.
        cmd.env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // `BENCH_SERVER_LOG=FILE`: keep the server's log (at RUST_LOG_SERVER).
        if let Some(path) = std::env::var_os("BENCH_SERVER_LOG") {
            if let Ok(file) = std::fs::File::create(path) {
                cmd.stderr(file);
            }
            if let Ok(level) = std::env::var("RUST_LOG_SERVER") {
                cmd.env("RUST_LOG", level);
            }
        }
        let mut child = cmd.spawn().expect("start the server");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let addr = loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("{kind:?} exited before listening");
            }
            if let Some(rest) = line.trim().strip_prefix("listening on http://") {
                break rest.parse().expect("address");
            }
        };
        Server {
            child,
            addr,
            _data: data,
            _stdout: stdout,
        }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------
// Clients.

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Pause,
    Fixed { interval: Duration },
    Saturate,
    Stop,
}

#[derive(Clone, Copy, Debug)]
struct Ctl {
    phase: usize,
    mode: Mode,
    start: Instant,
}

#[derive(Default)]
struct Shared {
    sent: [AtomicU64; PHASES],
    received: [AtomicU64; PHASES],
    /// Every text frame, presence included: settling is when this stops.
    frames: AtomicU64,
    connected: AtomicUsize,
    failed: AtomicUsize,
    /// Sockets that ended before the bench stopped them.
    dropped: AtomicUsize,
}

#[derive(Default)]
struct Stats {
    latency_us: [Vec<u32>; PHASES],
    last_us: [u64; PHASES],
    bytes: [u64; PHASES],
    /// `error` frames by code.
    errors: HashMap<String, u64>,
}

/// The `code` of an `error` frame.
fn error_code(text: &str) -> Option<&str> {
    if !text.contains(r#""type":"error""#) {
        return None;
    }
    let start = text.find(r#""code":""#)? + 8;
    let rest = &text[start..];
    Some(&rest[..rest.find('"')?])
}

/// A sender: its global id, and where in the interval it first sends.
#[derive(Clone, Copy)]
struct SenderSpec {
    id: u32,
    offset: f64,
}

/// `#B{phase}:{sender}:{seq}:{µs}#` in a frame's text.
struct Marker {
    phase: usize,
    sender: u32,
    seq: u64,
    sent_us: u64,
}

impl Marker {
    fn find(text: &str) -> Option<Marker> {
        let start = text.find("#B")? + 2;
        let rest = &text[start..];
        let body = &rest[..rest.find('#')?];
        let mut parts = body.split(':');
        Some(Marker {
            phase: parts.next()?.parse().ok()?,
            sender: parts.next()?.parse().ok()?,
            seq: parts.next()?.parse().ok()?,
            sent_us: parts.next()?.parse().ok()?,
        })
    }
}

/// How long a saturating sender waits for its own copy before sending anyway.
const ECHO_TIMEOUT: Duration = Duration::from_secs(2);

async fn client(
    url: String,
    config: WebSocketConfig,
    sender: Option<SenderSpec>,
    shared: Arc<Shared>,
    mut ctl: watch::Receiver<Ctl>,
    room_gate: Arc<Semaphore>,
    gate: Arc<Semaphore>,
) -> Stats {
    let mut stats = Stats::default();
    let room_permit = room_gate.acquire().await;
    let permit = gate.acquire().await;
    let connect = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true);
    let mut ws = match tokio::time::timeout(Duration::from_secs(30), connect).await {
        Ok(Ok((ws, _))) => ws,
        _ => {
            shared.failed.fetch_add(1, Ordering::Relaxed);
            return stats;
        }
    };
    drop((permit, room_permit));
    shared.connected.fetch_add(1, Ordering::Relaxed);

    let mut current = *ctl.borrow_and_update();
    let mut next_send: Option<Instant> = None;
    let mut seq: u64 = 0;
    loop {
        let due = async {
            match next_send {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            frame = ws.next() => {
                let Some(Ok(msg)) = frame else {
                    shared.dropped.fetch_add(1, Ordering::Relaxed);
                    break;
                };
                let Message::Text(text) = msg else { continue };
                shared.frames.fetch_add(1, Ordering::Relaxed);
                let Some(m) = Marker::find(&text) else {
                    if let Some(code) = error_code(&text) {
                        *stats.errors.entry(code.to_owned()).or_default() += 1;
                    }
                    continue;
                };
                if m.phase >= PHASES {
                    continue;
                }
                let now = now_us();
                let p = m.phase;
                stats.latency_us[p].push(now.saturating_sub(m.sent_us) as u32);
                stats.last_us[p] = now;
                stats.bytes[p] += text.len() as u64;
                shared.received[p].fetch_add(1, Ordering::Relaxed);
                if current.mode == Mode::Saturate
                    && p == current.phase
                    && sender.is_some_and(|s| s.id == m.sender)
                    && m.seq == seq
                {
                    next_send = Some(Instant::now());
                }
            }
            () = due => {
                let Some(me) = sender else { next_send = None; continue };
                let now = Instant::now();
                next_send = match current.mode {
                    Mode::Fixed { interval } => {
                        // Keep the schedule; never burst to catch up.
                        let next = next_send.unwrap_or(now) + interval;
                        Some(next.max(now))
                    }
                    Mode::Saturate => Some(now + ECHO_TIMEOUT),
                    Mode::Pause | Mode::Stop => None,
                };
                if next_send.is_none() {
                    continue;
                }
                seq += 1;
                let frame = format!(
                    r##"{{"action":"translate","text":"hello from {} #B{}:{}:{}:{}#"}}"##,
                    me.id, current.phase, me.id, seq, now_us()
                );
                shared.sent[current.phase].fetch_add(1, Ordering::Relaxed);
                if ws.send(Message::text(frame)).await.is_err() {
                    shared.dropped.fetch_add(1, Ordering::Relaxed);
                    break;
                }
            }
            changed = ctl.changed() => {
                if changed.is_err() {
                    break;
                }
                current = *ctl.borrow_and_update();
                next_send = match (current.mode, sender) {
                    (Mode::Stop, _) => break,
                    (Mode::Fixed { interval }, Some(me)) => {
                        Some(current.start + interval.mul_f64(me.offset))
                    }
                    (Mode::Saturate, Some(me)) => {
                        // Spread the first sends over a millisecond.
                        Some(current.start + Duration::from_micros((me.offset * 1000.0) as u64))
                    }
                    _ => None,
                };
            }
        }
    }
    stats
}

// ---------------------------------------------------------------------------
// Scenarios.

struct Scenario {
    name: &'static str,
    rooms: usize,
    members: usize,
    /// Rooms with senders (the first ones); the rest stay idle.
    active_rooms: usize,
    senders_per_room: usize,
    /// Messages per second per sender in the fixed-rate phase.
    rate: f64,
    saturate: bool,
    /// Measure memory per idle connection (before any traffic).
    memory: bool,
    /// The bench's clients' read buffer (the library default otherwise).
    client_read_buf: Option<usize>,
    servers: Vec<ServerKind>,
}

struct PhaseResult {
    phase: usize,
    sent: u64,
    received: u64,
    expected: u64,
    secs: f64,
    offered_msgs: f64,
    frames_per_sec: f64,
    p50: Option<u32>,
    p99: Option<u32>,
    max: Option<u32>,
    bytes_per_frame: f64,
    server_cpu_us_per_frame: f64,
    client_cpu_us_per_frame: f64,
}

struct RunResult {
    scenario: &'static str,
    server: ServerKind,
    connections: usize,
    failed: usize,
    connect_secs: f64,
    server_rss: (u64, u64),
    client_rss: (u64, u64),
    phases: Vec<PhaseResult>,
    /// `error` frames the clients got, by code.
    errors: HashMap<String, u64>,
    dropped: usize,
}

async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

/// Waits until `counter` stops moving for `quiet` (at most `limit`).
async fn settle(counter: &AtomicU64, quiet: Duration, limit: Duration) {
    let deadline = Instant::now() + limit;
    let mut last = counter.load(Ordering::Relaxed);
    let mut since = Instant::now();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = counter.load(Ordering::Relaxed);
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            return;
        }
    }
}

async fn run(scn: &Scenario, kind: ServerKind, phase_secs: u64) -> RunResult {
    let server = Server::start(kind);
    let pid = server.pid();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let server_rss0 = rss_kib(&pid).unwrap_or(0);
    let client_rss0 = rss_kib("self").unwrap_or(0);

    let n = scn.rooms * scn.members;
    let shared = Arc::new(Shared::default());
    let idle = Ctl {
        phase: 0,
        mode: Mode::Pause,
        start: Instant::now(),
    };
    // Phase changes go to the senders only; the others hear only the
    // final stop. (Waking thousands of idle clients at the start of a
    // phase would delay the first messages in this process, not the server.)
    let (ctl_tx, ctl_rx) = watch::channel(idle);
    let (stop_tx, stop_rx) = watch::channel(idle);
    let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    // One handshake at a time per room (see `CONNECT_CONCURRENCY`).
    let room_gates: Vec<Arc<Semaphore>> = (0..scn.rooms)
        .map(|_| Arc::new(Semaphore::new(1)))
        .collect();
    let mut config = WebSocketConfig::default();
    if let Some(size) = scn.client_read_buf {
        config = config.read_buffer_size(size);
    }
    let senders_total = scn.active_rooms * scn.senders_per_room;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    let mut sender_id = 0u32;
    for i in 0..n {
        let (room, j) = (i / scn.members, i % scn.members);
        let lang = LANGS[j % LANGS.len()];
        let url = format!(
            "ws://{}/local?room=r{room}&lang={lang}&name=c{i}",
            server.addr
        );
        let sender = (room < scn.active_rooms && j < scn.senders_per_room).then(|| {
            sender_id += 1;
            SenderSpec {
                id: sender_id,
                offset: f64::from(sender_id - 1) / senders_total as f64,
            }
        });
        tasks.push(tokio::spawn(client(
            url,
            config,
            sender,
            shared.clone(),
            if sender.is_some() {
                ctl_rx.clone()
            } else {
                stop_rx.clone()
            },
            room_gates[room].clone(),
            gate.clone(),
        )));
    }
    wait_until(Duration::from_secs(180), || {
        shared.connected.load(Ordering::Relaxed) + shared.failed.load(Ordering::Relaxed) >= n
    })
    .await;
    let connect_secs = started.elapsed().as_secs_f64();
    settle(
        &shared.frames,
        Duration::from_millis(500),
        Duration::from_secs(60),
    )
    .await;
    let server_rss1 = rss_kib(&pid).unwrap_or(0);
    let client_rss1 = rss_kib("self").unwrap_or(0);

    let mut phases = Vec::new();
    let mut plan = vec![(
        FIXED,
        Mode::Fixed {
            interval: Duration::from_secs_f64(1.0 / scn.rate),
        },
    )];
    if scn.saturate {
        plan.push((SATURATE, Mode::Saturate));
    }
    for (phase, mode) in plan {
        let cpu0 = cpu_time(&pid).unwrap_or_default();
        let client_cpu0 = cpu_time("self").unwrap_or_default();
        let start = Instant::now();
        let start_us = now_us();
        let _ = ctl_tx.send(Ctl { phase, mode, start });
        tokio::time::sleep(Duration::from_secs(phase_secs)).await;
        let _ = ctl_tx.send(Ctl {
            phase: 0,
            mode: Mode::Pause,
            start: Instant::now(),
        });
        // Drain: everything arrived, or nothing moved for a second.
        let expected = || shared.sent[phase].load(Ordering::Relaxed) * scn.members as u64;
        let got = || shared.received[phase].load(Ordering::Relaxed);
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = got();
        let mut since = Instant::now();
        while got() < expected()
            && Instant::now() < deadline
            && since.elapsed() < Duration::from_secs(1)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if got() != last {
                last = got();
                since = Instant::now();
            }
        }
        let cpu = cpu_time(&pid).unwrap_or_default().saturating_sub(cpu0);
        let client_cpu = cpu_time("self")
            .unwrap_or_default()
            .saturating_sub(client_cpu0);
        phases.push((phase, start_us, expected(), cpu, client_cpu));
    }

    let dropped = shared.dropped.load(Ordering::Relaxed);
    let stop = Ctl {
        phase: 0,
        mode: Mode::Stop,
        start: Instant::now(),
    };
    let _ = ctl_tx.send(stop);
    let _ = stop_tx.send(stop);
    let mut stats = Vec::with_capacity(n);
    for t in tasks {
        if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_secs(30), t).await {
            stats.push(s);
        }
    }
    server.stop();

    let phases = phases
        .into_iter()
        .map(|(phase, start_us, expected, cpu, client_cpu)| {
            let mut lat: Vec<u32> = stats
                .iter()
                .flat_map(|s| s.latency_us[phase].iter().copied())
                .collect();
            lat.sort_unstable();
            let received = lat.len() as u64;
            let last = stats.iter().map(|s| s.last_us[phase]).max().unwrap_or(0);
            let bytes: u64 = stats.iter().map(|s| s.bytes[phase]).sum();
            let secs = (last.saturating_sub(start_us) as f64 / 1e6).max(1e-6);
            let sent = shared.sent[phase].load(Ordering::Relaxed);
            PhaseResult {
                phase,
                sent,
                received,
                expected,
                secs,
                offered_msgs: sent as f64 / phase_secs as f64,
                frames_per_sec: received as f64 / secs,
                p50: percentile(&lat, 0.50),
                p99: percentile(&lat, 0.99),
                max: lat.last().copied(),
                bytes_per_frame: bytes as f64 / received.max(1) as f64,
                server_cpu_us_per_frame: cpu.as_secs_f64() * 1e6 / received.max(1) as f64,
                client_cpu_us_per_frame: client_cpu.as_secs_f64() * 1e6 / received.max(1) as f64,
            }
        })
        .collect();
    RunResult {
        scenario: scn.name,
        server: kind,
        connections: shared.connected.load(Ordering::Relaxed),
        failed: shared.failed.load(Ordering::Relaxed),
        connect_secs,
        server_rss: (server_rss0, server_rss1),
        client_rss: (client_rss0, client_rss1),
        phases,
        errors: stats.iter().fold(HashMap::new(), |mut all, s| {
            for (code, n) in &s.errors {
                *all.entry(code.clone()).or_default() += n;
            }
            all
        }),
        dropped,
    }
}

// ---------------------------------------------------------------------------
// Report.

/// Every run as measured, for the JSON.
fn raw_json(runs: &[RunResult]) -> serde_json::Value {
    json!(
        runs.iter()
            .map(|r| json!({
                "scenario": r.scenario,
                "server": r.server.label(),
                "connections": r.connections,
                "failed": r.failed,
                "connect_secs": r.connect_secs,
                "server_rss_kib": [r.server_rss.0, r.server_rss.1],
                "client_rss_kib": [r.client_rss.0, r.client_rss.1],
                "error_frames": r.errors,
                "sockets_ended_early": r.dropped,
                "phases": r.phases.iter().map(|p| json!({
                    "phase": if p.phase == FIXED { "fixed" } else { "saturation" },
                    "sent": p.sent,
                    "received": p.received,
                    "expected": p.expected,
                    "secs": p.secs,
                    "frames_per_sec": p.frames_per_sec,
                    "p50_us": p.p50, "p99_us": p.p99, "max_us": p.max,
                    "server_cpu_us_per_frame": p.server_cpu_us_per_frame,
                    "client_cpu_us_per_frame": p.client_cpu_us_per_frame,
                })).collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>()
    )
}

/// The median of some numbers (the lower middle one for an even count).
fn median<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[(v.len() - 1) / 2]
}

/// Repeated runs of one scenario and server folded into one: the median of
/// each figure, and the sum of what went wrong.
fn merge(runs: Vec<RunResult>) -> Vec<RunResult> {
    let mut groups: Vec<Vec<RunResult>> = Vec::new();
    for r in runs {
        match groups
            .iter_mut()
            .find(|g| g[0].scenario == r.scenario && g[0].server.label() == r.server.label())
        {
            Some(g) => g.push(r),
            None => groups.push(vec![r]),
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let phases = g[0]
                .phases
                .iter()
                .map(|p0| {
                    let same: Vec<&PhaseResult> = g
                        .iter()
                        .filter_map(|r| r.phases.iter().find(|p| p.phase == p0.phase))
                        .collect();
                    let med = |f: &dyn Fn(&PhaseResult) -> f64| {
                        median(same.iter().map(|p| f(p)).collect())
                    };
                    let med_lat = |f: &dyn Fn(&PhaseResult) -> Option<u32>| {
                        let v: Vec<u32> = same.iter().filter_map(|p| f(p)).collect();
                        (!v.is_empty()).then(|| median(v))
                    };
                    PhaseResult {
                        phase: p0.phase,
                        sent: same.iter().map(|p| p.sent).sum(),
                        received: same.iter().map(|p| p.received).sum(),
                        expected: same.iter().map(|p| p.expected).sum(),
                        secs: med(&|p| p.secs),
                        offered_msgs: med(&|p| p.offered_msgs),
                        frames_per_sec: med(&|p| p.frames_per_sec),
                        p50: med_lat(&|p| p.p50),
                        p99: med_lat(&|p| p.p99),
                        max: same.iter().filter_map(|p| p.max).max(),
                        bytes_per_frame: med(&|p| p.bytes_per_frame),
                        server_cpu_us_per_frame: med(&|p| p.server_cpu_us_per_frame),
                        client_cpu_us_per_frame: med(&|p| p.client_cpu_us_per_frame),
                    }
                })
                .collect();
            let per_conn = |rss: (u64, u64)| rss.1.saturating_sub(rss.0);
            let server_delta = median(g.iter().map(|r| per_conn(r.server_rss)).collect());
            // This process reuses memory that earlier runs freed, so only
            // its largest growth shows what its clients cost.
            let client_delta = g.iter().map(|r| per_conn(r.client_rss)).max().unwrap_or(0);
            let first = &g[0];
            RunResult {
                scenario: first.scenario,
                server: first.server,
                connections: median(g.iter().map(|r| r.connections).collect()),
                failed: g.iter().map(|r| r.failed).sum(),
                connect_secs: median(g.iter().map(|r| r.connect_secs).collect()),
                server_rss: (first.server_rss.0, first.server_rss.0 + server_delta),
                client_rss: (first.client_rss.0, first.client_rss.0 + client_delta),
                phases,
                errors: g.iter().fold(HashMap::new(), |mut all, r| {
                    for (code, n) in &r.errors {
                        *all.entry(code.clone()).or_default() += n;
                    }
                    all
                }),
                dropped: g.iter().map(|r| r.dropped).sum(),
            }
        })
        .collect()
}

fn lat_ms(us: Option<u32>) -> String {
    us.map_or("—".into(), |u| format!("{:.2} ms", f64::from(u) / 1e3))
}

fn per_conn_kib(r: &RunResult, rss: (u64, u64)) -> f64 {
    rss.1.saturating_sub(rss.0) as f64 / r.connections.max(1) as f64
}

async fn bench(fd_limit: u64) {
    let phase_secs = env_num("BENCH_PHASE_SECS", 5).max(1);
    let repeat = env_num("BENCH_REPEAT", 1).clamp(1, 9) as usize;
    let idle_conns = env_num("BENCH_IDLE_CONNS", 10_000).max(20) as usize;
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let bare = ServerKind::Bare {
        read_buf: 128 * 1024,
    };
    let bare_small = ServerKind::Bare { read_buf: 4 * 1024 };
    let memory = ServerKind::Honyaku { store: "memory" };
    let redb = ServerKind::Honyaku { store: "redb" };
    let scenarios = [
        Scenario {
            name: "10,000 idle connections",
            rooms: idle_conns / 20,
            members: 20,
            active_rooms: 50.min(idle_conns / 20),
            senders_per_room: 1,
            rate: 2.0,
            saturate: false,
            memory: true,
            client_read_buf: Some(IDLE_CLIENT_READ_BUFFER),
            servers: vec![bare, bare_small, memory, redb],
        },
        Scenario {
            name: "1 room × 1,000 members",
            rooms: 1,
            members: 1000,
            active_rooms: 1,
            senders_per_room: 10,
            rate: 2.0,
            saturate: true,
            memory: false,
            client_read_buf: None,
            servers: vec![bare, memory, redb],
        },
        Scenario {
            name: "50 rooms × 20 members",
            rooms: 50,
            members: 20,
            active_rooms: 50,
            senders_per_room: 2,
            rate: 10.0,
            saturate: true,
            memory: false,
            client_read_buf: None,
            servers: vec![bare, memory, redb],
        },
    ];

    let mut runs: Vec<RunResult> = Vec::new();
    let servers = std::env::var("BENCH_SERVERS").unwrap_or_default();
    for scn in scenarios.iter().filter(|s| s.name.contains(&only)) {
        // Servers take turns, so a burst of noise from other processes
        // does not land on one server only.
        for round in 1..=repeat {
            for &kind in scn.servers.iter().filter(|k| k.label().contains(&servers)) {
                eprintln!(
                    "fanout: {} — {} (run {round}/{repeat}) …",
                    scn.name,
                    kind.label()
                );
                let r = run(scn, kind, phase_secs).await;
                eprintln!(
                    "  {} connected ({} failed) in {:.1} s; {} sockets ended early; \
                     error frames: {:?}",
                    r.connections, r.failed, r.connect_secs, r.dropped, r.errors
                );
                runs.push(r);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    let raw = raw_json(&runs);
    let results = merge(runs);

    let mut fanout = Table::new(
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
            "max",
            "lost",
            "bytes/frame",
            "server CPU/frame",
            "client CPU/frame",
        ],
    );
    let bare_of = |scenario: &str, phase: usize| {
        results
            .iter()
            .find(|r| r.scenario == scenario && r.server.is_bare_default())
            .and_then(|r| r.phases.iter().find(|p| p.phase == phase))
    };
    for r in &results {
        for p in &r.phases {
            let vs = bare_of(r.scenario, p.phase)
                .filter(|_| !r.server.is_bare_default())
                .map_or("—".into(), |b| {
                    format!("{:.0}%", 100.0 * p.frames_per_sec / b.frames_per_sec)
                });
            fanout.row(vec![
                r.scenario.into(),
                r.server.label(),
                if p.phase == FIXED {
                    "fixed rate"
                } else {
                    "saturation"
                }
                .into(),
                format!("{:.0}", p.offered_msgs),
                thousands(p.frames_per_sec.round() as u64),
                vs,
                lat_ms(p.p50),
                lat_ms(p.p99),
                lat_ms(p.max),
                format!("{}", p.expected.saturating_sub(p.received)),
                format!("{:.0}", p.bytes_per_frame),
                format!("{:.1} µs", p.server_cpu_us_per_frame),
                format!("{:.1} µs", p.client_cpu_us_per_frame),
            ]);
        }
    }
    fanout.note(format!(
        "Clients and server share this machine's {} CPUs; the server runs in a process of its own \
         (`honyaku serve --translator pseudo`, RUST_LOG=warn; or this bench's bare broadcast \
         server). Rooms have members in {} languages in turn ({}). Fixed rate: each sender sends \
         on a fixed schedule for {phase_secs} s. Saturation: each sender sends again as soon as \
         its own copy arrives. Delivered frames/s counts message frames received by all clients, \
         from the start of the phase to the last one received. Server CPU/frame is the server \
         process's user+system time over the phase (and its drain) divided by frames delivered. \
         Each figure is the median of {repeat} run(s) per server, the servers taking turns \
         (`lost` and errors are summed). Open-file limit of the bench process: {fd_limit}.",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        LANGS.len(),
        LANGS.join(", ")
    ));

    let mut mem = Table::new(
        "Memory per idle connection (resident set, VmRSS delta / connections)",
        &[
            "process",
            "connections",
            "connect time",
            "RSS before",
            "RSS with connections",
            "per connection",
            "target ≤ 16 KiB",
        ],
    );
    for r in results
        .iter()
        .filter(|r| scenarios.iter().any(|s| s.memory && s.name == r.scenario))
    {
        let kib = per_conn_kib(r, r.server_rss);
        mem.row(vec![
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
    if let Some(r) = results
        .iter()
        .find(|r| scenarios.iter().any(|s| s.memory && s.name == r.scenario))
    {
        mem.row(vec![
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
    mem.note(
        "Server side: the server process's VmRSS (from /proc/PID/status) with no connections and \
         with every connection open and idle (presence traffic settled), divided by the \
         connections. Client side: the same for this bench process, around its own clients \
         (the idle scenario runs first, so its first run starts from a fresh process; the \
         largest growth of its runs is shown, as later runs reuse memory freed by earlier ones). The two sides are separate processes and counted \
         separately.",
    );

    let mut targets = Table::new("Targets", &["target", "measured", "goal", "verdict"]);
    let find = |scenario: &str, server: &str, phase: usize| {
        results
            .iter()
            .find(|r| r.scenario == scenario && r.server.label() == server)
            .and_then(|r| r.phases.iter().find(|p| p.phase == phase))
    };
    let room = "1 room × 1,000 members";
    let honyaku_mem = memory.label();
    let bare_label = bare.label();
    match (
        find(room, &honyaku_mem, SATURATE),
        find(room, &bare_label, SATURATE),
    ) {
        (Some(h), Some(b)) => {
            let ratio = h.frames_per_sec / b.frames_per_sec;
            targets.row(vec![
                format!("{room}, memory store: delivered frames/s vs bare (saturation)"),
                format!("{:.0}%", ratio * 100.0),
                "≥ 50%".into(),
                verdict(ratio >= 0.5),
            ]);
        }
        _ => targets.row(vec![
            format!("{room}: throughput vs bare"),
            "not measured".into(),
            "≥ 50%".into(),
            "—".into(),
        ]),
    }
    match (
        find(room, &honyaku_mem, FIXED),
        find(room, &bare_label, FIXED),
    ) {
        (Some(h), Some(b)) if h.p99.is_some() && b.p99.is_some() => {
            let (hp, bp) = (h.p99.unwrap_or(0), b.p99.unwrap_or(0).max(1));
            let ratio = f64::from(hp) / f64::from(bp);
            targets.row(vec![
                format!("{room}, memory store: p99 latency vs bare (fixed rate)"),
                format!("{ratio:.2}× ({} vs {})", lat_ms(h.p99), lat_ms(b.p99)),
                "≤ 2×".into(),
                verdict(ratio <= 2.0),
            ]);
        }
        _ => targets.row(vec![
            format!("{room}: p99 vs bare"),
            "not measured".into(),
            "≤ 2×".into(),
            "—".into(),
        ]),
    }
    for r in results.iter().filter(|r| {
        matches!(r.server, ServerKind::Honyaku { .. })
            && scenarios.iter().any(|s| s.memory && s.name == r.scenario)
    }) {
        let kib = per_conn_kib(r, r.server_rss);
        targets.row(vec![
            format!("memory per idle connection, server ({})", r.server.label()),
            format!("{kib:.1} KiB"),
            "≤ 16 KiB".into(),
            verdict(kib <= MEMORY_TARGET_KIB),
        ]);
    }

    common::report("fanout", &[fanout, mem, targets], raw);
}
