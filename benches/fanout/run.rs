//! One scenario against one server: connect every client, let the
//! presence traffic settle, read both processes' memory, then the fixed
//! rate and saturation phases, each drained before the next.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::client::{Ctl, Mode, SenderSpec, Shared, client};
use crate::common::{cpu_time, percentile, rss_kib};
use crate::server::{Server, ServerKind};
use crate::{CONNECT_CONCURRENCY, FIXED, LANGS, SATURATE, now_us};

pub struct Scenario {
    pub name: &'static str,
    pub rooms: usize,
    pub members: usize,
    /// Rooms with senders (the first ones); the rest stay idle.
    pub active_rooms: usize,
    pub senders_per_room: usize,
    /// Messages per second per sender in the fixed-rate phase.
    pub rate: f64,
    pub saturate: bool,
    /// Measure memory per idle connection (before any traffic).
    pub memory: bool,
    /// Measure the disk's fsyncs/s before the server starts (the ceiling
    /// of durable writes, one a commit).
    pub durable: bool,
    /// The bench's clients' read buffer (the library default otherwise).
    pub client_read_buf: Option<usize>,
    pub servers: Vec<ServerKind>,
}

pub struct PhaseResult {
    pub phase: usize,
    pub sent: u64,
    pub received: u64,
    pub expected: u64,
    pub secs: f64,
    pub offered_msgs: f64,
    pub frames_per_sec: f64,
    pub p50: Option<u32>,
    pub p99: Option<u32>,
    pub max: Option<u32>,
    pub bytes_per_frame: f64,
    pub server_cpu_us_per_frame: f64,
    pub client_cpu_us_per_frame: f64,
}

pub struct RunResult {
    pub scenario: &'static str,
    pub server: ServerKind,
    pub connections: usize,
    pub failed: usize,
    pub connect_secs: f64,
    pub server_rss: (u64, u64),
    pub client_rss: (u64, u64),
    pub phases: Vec<PhaseResult>,
    /// `error` frames the clients got, by code.
    pub errors: HashMap<String, u64>,
    pub dropped: usize,
    /// 4 KiB writes each followed by `fdatasync`, a second, where the
    /// server keeps its data; for scenarios that ask (`durable`).
    pub fsyncs_per_sec: Option<f64>,
}

/// How many 4 KiB overwrites, each made durable with `fdatasync`, this
/// disk takes in a second, in a temporary directory as the server's data.
pub fn fsyncs_per_sec() -> Option<f64> {
    use std::io::{Seek, SeekFrom, Write};
    let dir = tempfile::tempdir().ok()?;
    let mut file = std::fs::File::create(dir.path().join("fsync-probe")).ok()?;
    let block = [0x5au8; 4096];
    let start = std::time::Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        file.seek(SeekFrom::Start(0)).ok()?;
        file.write_all(&block).ok()?;
        file.sync_data().ok()?;
        n += 1;
    }
    Some(n as f64 / start.elapsed().as_secs_f64())
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

pub async fn run(scn: &Scenario, kind: ServerKind, phase_secs: u64) -> RunResult {
    let fsyncs = if scn.durable {
        tokio::task::spawn_blocking(fsyncs_per_sec)
            .await
            .ok()
            .flatten()
    } else {
        None
    };
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
            interval: Duration::from_secs_f64(1.0 / crate::fixed_rate(scn.rate)),
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
        fsyncs_per_sec: fsyncs,
    }
}
