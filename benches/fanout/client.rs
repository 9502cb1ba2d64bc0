//! The bench's WebSocket clients: every client reads and times what it
//! receives; senders send on a fixed schedule or, at saturation, again as
//! soon as their own copy comes back.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::{PHASES, now_us};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Pause,
    Fixed { interval: Duration },
    Saturate,
    Stop,
}

#[derive(Clone, Copy, Debug)]
pub struct Ctl {
    pub phase: usize,
    pub mode: Mode,
    pub start: Instant,
}

#[derive(Default)]
pub struct Shared {
    pub sent: [AtomicU64; PHASES],
    pub received: [AtomicU64; PHASES],
    /// Every text frame, presence included: settling is when this stops.
    pub frames: AtomicU64,
    pub connected: AtomicUsize,
    pub failed: AtomicUsize,
    /// Sockets that ended before the bench stopped them.
    pub dropped: AtomicUsize,
}

#[derive(Default)]
pub struct Stats {
    pub latency_us: [Vec<u32>; PHASES],
    pub last_us: [u64; PHASES],
    pub bytes: [u64; PHASES],
    /// `error` frames by code.
    pub errors: HashMap<String, u64>,
}

/// The `code` of an `error` frame.
pub fn error_code(text: &str) -> Option<&str> {
    if !text.contains(r#""type":"error""#) {
        return None;
    }
    let start = text.find(r#""code":""#)? + 8;
    let rest = &text[start..];
    Some(&rest[..rest.find('"')?])
}

/// A sender: its global id, and where in the interval it first sends.
#[derive(Clone, Copy)]
pub struct SenderSpec {
    pub id: u32,
    pub offset: f64,
}

/// `#B{phase}:{sender}:{seq}:{µs}#` in a frame's text.
pub struct Marker {
    pub phase: usize,
    pub sender: u32,
    pub seq: u64,
    pub sent_us: u64,
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
pub const ECHO_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn client(
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
                // A pause ordered meanwhile comes first: a send after it
                // would land after the phase's drain and count as lost.
                if ctl.has_changed().unwrap_or(true) {
                    next_send = None;
                    continue;
                }
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
