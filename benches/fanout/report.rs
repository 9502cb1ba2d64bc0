//! Runs folded into results: repeated runs of one scenario and server
//! merged into medians, and every run as measured for the JSON.

use std::collections::HashMap;

use serde_json::json;

use crate::FIXED;
use crate::run::{PhaseResult, RunResult};

/// Every run as measured, for the JSON.
pub fn raw_json(runs: &[RunResult]) -> serde_json::Value {
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
                "fsyncs_per_sec": r.fsyncs_per_sec,
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
pub fn merge(runs: Vec<RunResult>) -> Vec<RunResult> {
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
                fsyncs_per_sec: {
                    let f: Vec<f64> = g.iter().filter_map(|r| r.fsyncs_per_sec).collect();
                    (!f.is_empty()).then(|| median(f))
                },
            }
        })
        .collect()
}
